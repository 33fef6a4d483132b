import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { parseDedupSpec } from './dist/dedup/dedup-spec.js';
import { resolveDedupConfig } from './dist/dedup/dedup-config.js';
import { DocumentSketcher } from './dist/dedup/sketcher.js';
const config = resolveDedupConfig(parseDedupSpec({ fields: ['text'], exact: false, near: { threshold: 0.8 } }));
async function measure(label, texts) {
  const sk = await DocumentSketcher.create(config);
  let b1 = Infinity;
  for (let r = 0; r < 7; r++) { const t0 = performance.now(); for (const t of texts) { sk.normalize(t); sk.sketch(); } b1 = Math.min(b1, performance.now() - t0); }
  console.log(label, 'docs/s', (texts.length / b1 * 1000).toFixed(0));
}
if (isMainThread) {
  const { generateCorpus } = await import('./corpus.mjs');
  const texts = [...generateCorpus({ documents: 20000 })].map(d => d.text);
  await measure('main  ', texts);
  const w = new Worker(new URL(import.meta.url), { workerData: { texts } });
  await new Promise(r => w.on('exit', r));
  await measure('main  ', texts);
} else {
  await measure('worker', workerData.texts);
}
