import { generateCorpus } from '../synthetic-corpus.js';
import { NormalizedText, normalizeInto } from '../../src/dedup/normalize.js';
const docs = [...generateCorpus({ documents: 20000 })].map(d => d.text);
const joined = docs.join('');
const offsets = [0]; for (const d of docs) offsets.push(offsets[offsets.length - 1]! + d.length);
const out = new NormalizedText(); const opts = { foldDigits: false };
const modes: Record<string, (i: number) => string> = {
  flat: (i) => docs[i]!,
  slice: (i) => joined.slice(offsets[i]!, offsets[i + 1]!),
};
for (let r = 0; r < 3; r++) for (const [name, get] of Object.entries(modes)) {
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i++) normalizeInto(get(i), opts, out);
  console.log(name, ((performance.now() - t0) * 1000 / docs.length).toFixed(2), 'us/doc');
}
