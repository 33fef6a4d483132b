import { generateCorpus } from '../synthetic-corpus.js';
import { dedupStream } from '../../src/dedup/deduper.js';
import { parseDedupSpec } from '../../src/dedup/dedup-spec.js';
const docs = [...generateCorpus({ documents: 100000 })].map(d => ({ id: d.id, fields: { text: d.text } }));
async function* src() { for (const d of docs) yield d; }
const spec = parseDedupSpec({ fields: ['text'], near: { threshold: 0.8 } });
const workers = Number(process.argv[2] ?? 2);
const t0 = performance.now();
let kept = 0;
for await (const { verdict } of dedupStream(src(), spec, { workers })) { if (verdict.keep) kept++; }
console.log('workers', workers, 'docs/s', (docs.length / (performance.now() - t0) * 1000).toFixed(0), 'kept', kept);
