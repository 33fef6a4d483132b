import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';
const { NormalizedText, normalizeInto } = await import('./dist/dedup/normalize.js');
const { generateCorpus } = await import('./corpus.mjs');
function measure(label, joined, offsets) {
  const out = new NormalizedText(); const o = { foldDigits: false };
  const variants = {
    slices: () => { for (let i = 0; i + 1 < offsets.length; i++) normalizeInto(joined.slice(offsets[i], offsets[i + 1]), o, out); },
    flatSlices: () => { const flat = joined.split('').join(''); },
  };
  let best = Infinity; for (let r = 0; r < 5; r++) { const t0 = performance.now(); variants.slices(); best = Math.min(best, performance.now() - t0); }
  console.log(label, 'slices us/doc', (best * 1000 / (offsets.length - 1)).toFixed(2));
  // re-create a fresh flat copy via TextEncoder/Decoder round trip
  const copy = new TextDecoder().decode(new TextEncoder().encode(joined));
  best = Infinity; for (let r = 0; r < 5; r++) { const t0 = performance.now(); for (let i = 0; i + 1 < offsets.length; i++) normalizeInto(copy.slice(offsets[i], offsets[i + 1]), o, out); best = Math.min(best, performance.now() - t0); }
  console.log(label, 'decoded copy slices us/doc', (best * 1000 / (offsets.length - 1)).toFixed(2));
}
if (isMainThread) {
  const texts = [...generateCorpus({ documents: 20000 })].map(d => d.text);
  const offsets = new Uint32Array(texts.length + 1); let x = 0; texts.forEach((t, i) => { x += t.length; offsets[i + 1] = x; });
  const joined = texts.join('');
  measure('main', joined, offsets);
  const w = new Worker(new URL(import.meta.url), { workerData: { joined, offsets } });
  await new Promise(r => w.on('exit', r));
  const w2 = new Worker(new URL(import.meta.url), { workerData: { joined: null, offsets } });
  w2.postMessage(joined);
  await new Promise(r => w2.on('exit', r));
} else if (workerData.joined) {
  measure('worker(workerData)', workerData.joined, workerData.offsets);
} else {
  parentPort.once('message', (j) => { measure('worker(postMessage)', j, workerData.offsets); process.exit(0); });
}
