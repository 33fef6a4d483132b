import { parseDedupSpec } from './dist/dedup/dedup-spec.js';
import { resolveDedupConfig } from './dist/dedup/dedup-config.js';
import { DocumentSketcher } from './dist/dedup/sketcher.js';
import { SketchPool } from './dist/dedup/signature-pool.js';
import { generateCorpus } from './corpus.mjs';
const texts = [...generateCorpus({ documents: 20000 })].map(d => d.text);
const config = resolveDedupConfig(parseDedupSpec({ fields: ['text'], exact: false, near: { threshold: 0.8 } }));
const chunks = []; for (let i = 0; i < texts.length; i += 2048) chunks.push(texts.slice(i, i + 2048));
const sk = await DocumentSketcher.create(config);
const best = async (f) => { let b = Infinity; for (let r = 0; r < 5; r++) { const t0 = performance.now(); await f(); b = Math.min(b, performance.now() - t0); } return (texts.length / b * 1000).toFixed(0); };
for (let rep = 0; rep < 2; rep++) {
  console.log('main per-doc', await best(() => { for (const t of texts) { sk.normalize(t); sk.sketch(); } }));
  for (const n of [1, 2]) {
    const pool = await SketchPool.create(config, n);
    await Promise.all(chunks.map(c => pool.sketch(c)));
    console.log('pool', n, await best(() => Promise.all(chunks.map(c => pool.sketch(c)))));
    await pool.close();
  }
}
