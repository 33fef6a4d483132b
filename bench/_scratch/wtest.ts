import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { generateCorpus } from '../synthetic-corpus.js';
import { parseDedupSpec } from '../../src/dedup/dedup-spec.js';
import { resolveDedupConfig } from '../../src/dedup/dedup-config.js';
import { DocumentSketcher } from '../../src/dedup/sketcher.js';

const config = resolveDedupConfig(parseDedupSpec({ fields: ['text'], exact: false, near: { threshold: 0.8 } }));
async function measure(label: string, joined: string, offsets: Uint32Array) {
  const sk = await DocumentSketcher.create(config);
  const local = [...generateCorpus({ documents: 20000 })].map(d => d.text);
  let b1 = Infinity, b2 = Infinity, b3 = Infinity;
  for (let r = 0; r < 5; r++) {
    let t0 = performance.now(); for (const t of local) { sk.normalize(t); sk.sketch(); } b1 = Math.min(b1, performance.now() - t0);
    t0 = performance.now(); sk.sketchBatch(joined, offsets); b2 = Math.min(b2, performance.now() - t0);
    const flat = (' ' + joined).slice(1); // may or may not flatten
    t0 = performance.now(); for (let i = 0; i + 1 < offsets.length; i++) { sk.normalize(joined.slice(offsets[i]!, offsets[i + 1]!)); sk.sketch(); } b3 = Math.min(b3, performance.now() - t0);
  }
  console.log(label, 'local docs/s', (20000 / b1 * 1000).toFixed(0), 'batch', (20000 / b2 * 1000).toFixed(0), 'slices', (20000 / b3 * 1000).toFixed(0));
}
if (isMainThread) {
  const texts = [...generateCorpus({ documents: 20000 })].map(d => d.text);
  const offsets = new Uint32Array(texts.length + 1); let x = 0; texts.forEach((t, i) => { x += t.length; offsets[i + 1] = x; });
  const joined = texts.join('');
  await measure('main  ', joined, offsets);
  const { register } = await import('tsx/esm/api');
  const boot = `import('${new URL('../../node_modules/tsx/dist/esm/api/index.mjs', import.meta.url).href}').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const w = new Worker(boot, { eval: true, workerData: { joined, offsets } });
  await new Promise(r => w.on('exit', r));
} else {
  const { joined, offsets } = workerData as { joined: string; offsets: Uint32Array };
  await measure('worker', joined, offsets);
}
