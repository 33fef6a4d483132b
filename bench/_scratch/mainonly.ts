import { generateCorpus } from '../synthetic-corpus.js';
import { parseDedupSpec } from '../../src/dedup/dedup-spec.js';
import { resolveDedupConfig } from '../../src/dedup/dedup-config.js';
import { DocumentSketcher } from '../../src/dedup/sketcher.js';
import { DedupDecider } from '../../src/dedup/dedup-decider.js';
import { dedupTextOf } from '../../src/dedup/dedup-text.js';
const docs = [...generateCorpus({ documents: 100000 })].map(d => ({ id: d.id, fields: { text: d.text } }));
const spec = parseDedupSpec({ fields: ['text'], near: { threshold: 0.8 } });
const config = resolveDedupConfig(spec);
const sk = await DocumentSketcher.create(config);
const batches = [];
for (let i = 0; i < docs.length; i += 2048) {
  const texts = docs.slice(i, i + 2048).map(d => d.fields.text);
  const offsets = new Uint32Array(texts.length + 1); let t = 0; texts.forEach((x, j) => { t += x.length; offsets[j + 1] = t; });
  batches.push(sk.sketchBatch(texts.join(''), offsets));
}
for (let r = 0; r < 3; r++) {
  const decider = await DedupDecider.create(config);
  let t0 = performance.now();
  let kept = 0;
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b]!;
    for (let i = 0; i < batch.count; i++) if (decider.decideSketched(docs[b * 2048 + i]!.id, batch, i, false).keep) kept++;
  }
  const tDecide = performance.now() - t0;
  t0 = performance.now();
  let len = 0;
  for (const d of docs) len += dedupTextOf(d.fields, spec, d.id).length;
  const tText = performance.now() - t0;
  t0 = performance.now();
  let n = 0;
  async function* src() { for (const d of docs) yield d; }
  for await (const d of src()) n++;
  const tAsync = performance.now() - t0;
  console.log('decide us/doc', (tDecide * 1000 / docs.length).toFixed(2), 'text us/doc', (tText * 1000 / docs.length).toFixed(2), 'async iter us/doc', (tAsync * 1000 / docs.length).toFixed(2), kept, decider.stats().verified);
}
