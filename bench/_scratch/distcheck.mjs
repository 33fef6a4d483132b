import { dedupStream } from './dist/dedup/deduper.js';
import { parseDedupSpec } from './dist/dedup/dedup-spec.js';
import { SketchPool } from './dist/dedup/signature-pool.js';
import { resolveDedupConfig } from './dist/dedup/dedup-config.js';
const spec = parseDedupSpec({ fields: ['text'], near: {} });
let t0 = performance.now();
const pool = await SketchPool.create(resolveDedupConfig(spec), 2);
console.log('dist pool start ms', (performance.now() - t0).toFixed(0), pool.kernel);
await pool.close();
async function* src() { for (let i = 0; i < 5000; i++) yield { id: 'r' + i, fields: { text: `hello world number ${i % 3000} with some more words here` } }; }
let dropped = 0;
for await (const { verdict } of dedupStream(src(), spec, { workers: 2, chunkSize: 500 })) if (!verdict.keep) dropped++;
console.log('dropped', dropped);
