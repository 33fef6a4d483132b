import { generateCorpus } from '../synthetic-corpus.js';
import { NormalizedText, normalizeInto } from '../../src/dedup/normalize.js';
const docs = [...generateCorpus({ documents: 20000 })].map(d => d.text);
const out = new NormalizedText();
const opts = { foldDigits: false };
for (let r = 0; r < 8; r++) {
  const t0 = performance.now();
  for (const t of docs) normalizeInto(t, opts, out);
  console.log(((performance.now() - t0) * 1000 / docs.length).toFixed(2), 'us/doc');
}
let flat = docs.map(d => (' ' + d).slice(1));
const t0 = performance.now();
for (const t of flat) normalizeInto(t, opts, out);
console.log('flat', ((performance.now() - t0) * 1000 / docs.length).toFixed(2));
console.log(typeof (globalThis as any).gc);
