import { generateCorpus } from '../synthetic-corpus.js';
import { parseDedupSpec } from '../../src/dedup/dedup-spec.js';
import { resolveDedupConfig } from '../../src/dedup/dedup-config.js';
import { DocumentSketcher } from '../../src/dedup/sketcher.js';
import { SketchPool } from '../../src/dedup/signature-pool.js';
const texts = [...generateCorpus({ documents: 20000 })].map(d => d.text);
const spec = parseDedupSpec({ fields: ['text'], exact: false, near: { threshold: 0.8 } });
const config = resolveDedupConfig(spec);
const chunks: string[][] = []; for (let i = 0; i < texts.length; i += 2048) chunks.push(texts.slice(i, i + 2048));
const sk = await DocumentSketcher.create(config);
const best = async (f: () => Promise<unknown> | unknown) => { let b = Infinity; for (let r = 0; r < 5; r++) { const t0 = performance.now(); await f(); b = Math.min(b, performance.now() - t0); } return (texts.length / b * 1000).toFixed(0); };
console.log('main per-doc', await best(() => { for (const t of texts) { sk.normalize(t); sk.sketch(); } }));
console.log('main batch', await best(() => { for (const c of chunks) { const off = new Uint32Array(c.length + 1); let x = 0; c.forEach((t, i) => { x += t.length; off[i + 1] = x; }); sk.sketchBatch(c.join(''), off); } }));
for (const n of [1, 2]) {
  const pool = await SketchPool.create(config, n);
  console.log('pool', n, await best(() => Promise.all(chunks.map(c => pool.sketch(c)))));
  await pool.close();
}
