import { generateCorpus, groundTruthPairs, trueDuplicates } from '../synthetic-corpus.js';
import { createDeduper } from '../../src/dedup/deduper.js';
import { parseDedupSpec } from '../../src/dedup/dedup-spec.js';

const docs = [...generateCorpus({ documents: 20000 })];
console.log('avg chars', docs.reduce((a, d) => a + d.text.length, 0) / docs.length, 'avg words', docs.reduce((a, d) => a + d.text.split(' ').length, 0) / docs.length);
console.log(docs[1]!.text.slice(0, 300));
const pairs = groundTruthPairs(docs);
const truth = trueDuplicates(pairs, 0.8);
console.log('pairs', pairs.length, 'pairs>=0.8', pairs.filter(p => p.jaccard >= 0.8).length, 'true dups', truth.size, 'J=1', pairs.filter(p=>p.jaccard===1).length);
for (const wasm of [true, false]) {
  const spec = parseDedupSpec({ fields: ['text'], near: { threshold: 0.8 } });
  const d = await createDeduper(spec, { wasm });
  const t0 = performance.now();
  const dropped = new Set<number>();
  for (const doc of docs) { const v = d.check(doc.id, doc.text); if (!v.keep) dropped.add(doc.index); }
  const ms = performance.now() - t0;
  let tp = 0; for (const i of dropped) if (truth.has(i)) tp++;
  console.log(d.kernel, 'ms', ms.toFixed(0), 'docs/s', (docs.length / ms * 1000).toFixed(0), 'recall', tp / truth.size, 'precision', tp / dropped.size, d.stats());
}
