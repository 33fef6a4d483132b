import { generateCorpus } from '../synthetic-corpus.js';
import { dedupStream } from '../../src/dedup/deduper.js';
import { parseDedupSpec } from '../../src/dedup/dedup-spec.js';
import { SketchPool } from '../../src/dedup/signature-pool.js';
import { resolveDedupConfig } from '../../src/dedup/dedup-config.js';
const docs = [...generateCorpus({ documents: 100000 })].map(d => ({ id: d.id, fields: { text: d.text } }));
async function* src() { for (const d of docs) yield d; }
const spec = parseDedupSpec({ fields: ['text'], near: { threshold: 0.8 } });
let t0 = performance.now();
const pool = await SketchPool.create(resolveDedupConfig(spec), 2);
console.log('pool start ms', (performance.now() - t0).toFixed(0));
const texts = docs.map(d => d.fields.text);
t0 = performance.now();
const ps = [];
for (let i = 0; i < texts.length; i += 2048) ps.push(pool.sketch(texts.slice(i, i + 2048)));
await Promise.all(ps);
console.log('pool sketch only docs/s', (texts.length / (performance.now() - t0) * 1000).toFixed(0));
await pool.close();
for (const workers of [1, 2, 1, 2]) {
  const t0 = performance.now();
  let kept = 0;
  for await (const { verdict } of dedupStream(src(), spec, { workers })) { if (verdict.keep) kept++; }
  console.log('workers', workers, 'docs/s', (docs.length / (performance.now() - t0) * 1000).toFixed(0), 'kept', kept);
}
