/**
 * A deterministic synthetic corpus with planted near-duplicates, for the dedup benchmark and tests
 * (generated as a stream so a million documents never sit in memory at once).
 *
 * - Words: a 30k-word vocabulary of syllable words (1–4 syllables, ≈ 7 letters, a few numbers),
 *   drawn with Zipf(1.07) frequencies; ~120–180 words per document in sentences with capitals,
 *   commas and full stops.
 * - Planted duplicates: with probability `variantRate` a document is an edited copy of one of the
 *   last `window` fresh documents: each word is substituted, deleted or followed by an insertion
 *   with total probability e = U^1.6 · maxEditRate (U uniform), and with probability 0.2 a tail of
 *   10–40% of the words is rewritten. Edits range from none (an exact copy after normalisation,
 *   since capitals and punctuation are re-drawn) to heavy (Jaccard ≈ 0.3).
 * - group: the index of the fresh document a variant derives from (its own index for a fresh one).
 *   Documents of different groups share no 5-gram beyond chance.
 * - Ground truth: `wordNgramSet` and `jaccardOfSets` compute the true word-5-gram Jaccard from the
 *   strings, with a tokeniser written independently of src/dedup (lowercase, split on [^a-z0-9]+).
 */
import { createRandom } from './random.js';

export interface CorpusOptions {
  documents: number;
  seed?: number;
  /** Fraction of documents that are edited copies (default 0.3). */
  variantRate?: number;
  /** Largest per-word edit probability (default 0.09). */
  maxEditRate?: number;
  /** How many recent fresh documents a variant may copy (default 2000). */
  window?: number;
}

export interface CorpusDocument {
  index: number;
  id: string;
  text: string;
  group: number;
}

type Random = () => number;


const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'st', 'tr', 'pl', 'gr'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou'];
const CODAS = ['', '', '', 'n', 'r', 's', 'l', 'm'];

class Vocabulary {
  private readonly words: string[] = [];
  private readonly cumulative: Float64Array;

  constructor(random: Random, size = 30000) {
    for (let rank = 0; rank < size; rank++) {
      if (rank % 97 === 50) {
        this.words.push(String(Math.floor(random() * 2000)));
        continue;
      }
      const syllables = 1 + Math.floor(random() * (rank < 100 ? 2 : 4));
      let word = '';
      for (let index = 0; index < syllables; index++) {
        word += ONSETS[Math.floor(random() * ONSETS.length)]! + VOWELS[Math.floor(random() * VOWELS.length)]! + CODAS[Math.floor(random() * CODAS.length)]!;
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

  draw(random: Random): string {
    const target = random() * this.cumulative[this.cumulative.length - 1]!;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return this.words[low]!;
  }
}

function render(words: readonly string[], random: Random): string {
  const parts: string[] = [];
  let sentenceLength = 0;
  for (let index = 0; index < words.length; index++) {
    let word = words[index]!;
    if (sentenceLength === 0) word = word.charAt(0).toUpperCase() + word.slice(1);
    sentenceLength++;
    const last = index === words.length - 1;
    if (last || (sentenceLength > 5 && random() < 0.12)) {
      word += random() < 0.85 ? '.' : '?';
      sentenceLength = 0;
    } else if (random() < 0.06) {
      word += ',';
    }
    parts.push(word);
  }
  return parts.join(' ');
}

function edit(words: readonly string[], vocabulary: Vocabulary, random: Random, maxEditRate: number): string[] {
  const rate = Math.pow(random(), 1.6) * maxEditRate;
  const out: string[] = [];
  for (const word of words) {
    const roll = random();
    if (roll < rate / 3) {
      out.push(vocabulary.draw(random));
    } else if (roll < (2 * rate) / 3) {
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

/** The corpus as a stream; `documents` items, ids `doc-0000000` … in order. */
export function* generateCorpus(options: CorpusOptions): Generator<CorpusDocument> {
  const random = createRandom(options.seed ?? 20240601);
  const vocabulary = new Vocabulary(random);
  const variantRate = options.variantRate ?? 0.3;
  const maxEditRate = options.maxEditRate ?? 0.09;
  const window = options.window ?? 2000;
  const recent: { words: string[]; group: number }[] = [];
  for (let index = 0; index < options.documents; index++) {
    const id = `doc-${String(index).padStart(7, '0')}`;
    if (recent.length > 0 && random() < variantRate) {
      const base = recent[Math.floor(random() * recent.length)]!;
      yield { index, id, text: render(edit(base.words, vocabulary, random, maxEditRate), random), group: base.group };
      continue;
    }
    const length = 120 + Math.floor(random() * 61);
    const words: string[] = [];
    for (let position = 0; position < length; position++) words.push(vocabulary.draw(random));
    if (recent.length >= window) recent[Math.floor(random() * window)] = { words, group: index };
    else recent.push({ words, group: index });
    yield { index, id, text: render(words, random), group: index };
  }
}

/** Word n-grams of `text` as strings, by a tokeniser independent of src/dedup. */
export function wordNgramSet(text: string, ngram = 5): Set<string> {
  const words = text.toLowerCase().split(/[^a-z0-9]+/).filter((word) => word.length > 0);
  const grams = new Set<string>();
  if (words.length < ngram) {
    grams.add(words.join(' '));
    return grams;
  }
  for (let start = 0; start + ngram <= words.length; start++) grams.add(words.slice(start, start + ngram).join(' '));
  return grams;
}

export function jaccardOfSets(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  for (const gram of small) if (large.has(gram)) shared++;
  return shared / (a.size + b.size - shared);
}

export interface GroundTruthPair {
  earlier: number;
  later: number;
  jaccard: number;
}

/** Every within-group pair of a materialised corpus with its true Jaccard. */
export function groundTruthPairs(documents: readonly CorpusDocument[], ngram = 5): GroundTruthPair[] {
  const groups = new Map<number, number[]>();
  for (const document of documents) {
    const members = groups.get(document.group);
    if (members === undefined) groups.set(document.group, [document.index]);
    else members.push(document.index);
  }
  const sets = new Map<number, Set<string>>();
  const setOf = (index: number): Set<string> => {
    let found = sets.get(index);
    if (found === undefined) {
      found = wordNgramSet(documents[index]!.text, ngram);
      sets.set(index, found);
    }
    return found;
  };
  const pairs: GroundTruthPair[] = [];
  for (const members of groups.values()) {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        pairs.push({ earlier: members[i]!, later: members[j]!, jaccard: jaccardOfSets(setOf(members[i]!), setOf(members[j]!)) });
      }
    }
  }
  return pairs;
}

/** Documents that have an earlier document at true Jaccard ≥ threshold: what a perfect deduper drops. */
export function trueDuplicates(pairs: readonly GroundTruthPair[], threshold: number): Set<number> {
  const duplicates = new Set<number>();
  for (const pair of pairs) if (pair.jaccard >= threshold) duplicates.add(pair.later);
  return duplicates;
}
