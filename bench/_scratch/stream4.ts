import { generateCorpus } from '../synthetic-corpus.js';
import { dedupStream } from '../../src/dedup/deduper.js';
import { parseDedupSpec } from '../../src/dedup/dedup-spec.js';
import { SketchPool } from '../../src/dedup/signature-pool.js';
import { resolveDedupConfig } from '../../src/dedup/dedup-config.js';
const docs = [...generateCorpus({ documents: 100000 })].map(d => ({ id: d.id, fields: { text: d.text } }));
async function* src() { for (const d of docs) yield d; }
const spec = parseDedupSpec({ fields: ['text'], near: { threshold: 0.8 } });
const pool = await SketchPool.create(resolveDedupConfig(spec), 2);
for (const w of [1, 2, 1, 2]) {
  const t0 = performance.now();
  let kept = 0;
  for await (const { verdict } of dedupStream(src(), spec, w === 2 ? { pool } : {})) { if (verdict.keep) kept++; }
  console.log('workers', w, 'docs/s', (docs.length / (performance.now() - t0) * 1000).toFixed(0), 'kept', kept);
}
await pool.close();
