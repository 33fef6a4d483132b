function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = state + 1831565813 >>> 0;
    let t = state;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
}
const ONSETS = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "st", "tr", "pl", "gr"];
const VOWELS = ["a", "e", "i", "o", "u", "ai", "ou"];
const CODAS = ["", "", "", "n", "r", "s", "l", "m"];
class Vocabulary {
  words = [];
  cumulative;
  constructor(random, size = 3e4) {
    for (let rank = 0; rank < size; rank++) {
      if (rank % 97 === 50) {
        this.words.push(String(Math.floor(random() * 2e3)));
        continue;
      }
      const syllables = 1 + Math.floor(random() * (rank < 100 ? 2 : 4));
      let word = "";
      for (let index = 0; index < syllables; index++) {
        word += ONSETS[Math.floor(random() * ONSETS.length)] + VOWELS[Math.floor(random() * VOWELS.length)] + CODAS[Math.floor(random() * CODAS.length)];
      }
      this.words.push(word);
    }
    this.cumulative = new Float64Array(size);
    let total = 0;
    for (let rank = 0; rank < size; rank++) {
      total += 1 / Math.pow(rank + 1, 1.07);
      this.cumulative[rank] = total;
    }
  }
  draw(random) {
    const target = random() * this.cumulative[this.cumulative.length - 1];
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = low + high >> 1;
      if (this.cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    return this.words[low];
  }
}
function render(words, random) {
  const parts = [];
  let sentenceLength = 0;
  for (let index = 0; index < words.length; index++) {
    let word = words[index];
    if (sentenceLength === 0) word = word.charAt(0).toUpperCase() + word.slice(1);
    sentenceLength++;
    const last = index === words.length - 1;
    if (last || sentenceLength > 5 && random() < 0.12) {
      word += random() < 0.85 ? "." : "?";
      sentenceLength = 0;
    } else if (random() < 0.06) {
      word += ",";
    }
    parts.push(word);
  }
  return parts.join(" ");
}
function edit(words, vocabulary, random, maxEditRate) {
  const rate = Math.pow(random(), 1.6) * maxEditRate;
  const out = [];
  for (const word of words) {
    const roll = random();
    if (roll < rate / 3) {
      out.push(vocabulary.draw(random));
    } else if (roll < 2 * rate / 3) {
      continue;
    } else if (roll < rate) {
      out.push(word, vocabulary.draw(random));
    } else {
      out.push(word);
    }
  }
  if (random() < 0.2) {
    const keep = Math.floor(out.length * (0.6 + random() * 0.3));
    const tail = out.length - keep;
    out.length = keep;
    for (let index = 0; index < tail; index++) out.push(vocabulary.draw(random));
  }
  return out;
}
function* generateCorpus(options) {
  const random = createRandom(options.seed ?? 20240601);
  const vocabulary = new Vocabulary(random);
  const variantRate = options.variantRate ?? 0.3;
  const maxEditRate = options.maxEditRate ?? 0.09;
  const window = options.window ?? 2e3;
  const recent = [];
  for (let index = 0; index < options.documents; index++) {
    const id = `doc-${String(index).padStart(7, "0")}`;
    if (recent.length > 0 && random() < variantRate) {
      const base = recent[Math.floor(random() * recent.length)];
      yield { index, id, text: render(edit(base.words, vocabulary, random, maxEditRate), random), group: base.group };
      continue;
    }
    const length = 120 + Math.floor(random() * 61);
    const words = [];
    for (let position = 0; position < length; position++) words.push(vocabulary.draw(random));
    if (recent.length >= window) recent[Math.floor(random() * window)] = { words, group: index };
    else recent.push({ words, group: index });
    yield { index, id, text: render(words, random), group: index };
  }
}
function wordNgramSet(text, ngram = 5) {
  const words = text.toLowerCase().split(/[^a-z0-9]+/).filter((word) => word.length > 0);
  const grams = /* @__PURE__ */ new Set();
  if (words.length < ngram) {
    grams.add(words.join(" "));
    return grams;
  }
  for (let start = 0; start + ngram <= words.length; start++) grams.add(words.slice(start, start + ngram).join(" "));
  return grams;
}
function jaccardOfSets(a, b) {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  for (const gram of small) if (large.has(gram)) shared++;
  return shared / (a.size + b.size - shared);
}
function groundTruthPairs(documents, ngram = 5) {
  const groups = /* @__PURE__ */ new Map();
  for (const document of documents) {
    const members = groups.get(document.group);
    if (members === void 0) groups.set(document.group, [document.index]);
    else members.push(document.index);
  }
  const sets = /* @__PURE__ */ new Map();
  const setOf = (index) => {
    let found = sets.get(index);
    if (found === void 0) {
      found = wordNgramSet(documents[index].text, ngram);
      sets.set(index, found);
    }
    return found;
  };
  const pairs = [];
  for (const members of groups.values()) {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        pairs.push({ earlier: members[i], later: members[j], jaccard: jaccardOfSets(setOf(members[i]), setOf(members[j])) });
      }
    }
  }
  return pairs;
}
function trueDuplicates(pairs, threshold) {
  const duplicates = /* @__PURE__ */ new Set();
  for (const pair of pairs) if (pair.jaccard >= threshold) duplicates.add(pair.later);
  return duplicates;
}
export {
  generateCorpus,
  groundTruthPairs,
  jaccardOfSets,
  trueDuplicates,
  wordNgramSet
};
