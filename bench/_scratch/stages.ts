import { generateCorpus } from '../synthetic-corpus.js';
import { DocumentSketcher } from '../../src/dedup/sketcher.js';
import { resolveDedupConfig } from '../../src/dedup/dedup-config.js';
import { parseDedupSpec } from '../../src/dedup/dedup-spec.js';
import { shingleCount, shingleHashes } from '../../src/dedup/shingle.js';

const docs = [...generateCorpus({ documents: 20000 })].map(d => d.text);
const config = resolveDedupConfig(parseDedupSpec({ fields: ['text'], near: { threshold: 0.8 } }));
for (const wasm of [true, false]) {
  const s = await DocumentSketcher.create(config, { wasm });
  const run = (name: string, f: (t: string) => void) => {
    let best = Infinity;
    for (let r = 0; r < 5; r++) { const t0 = performance.now(); for (const t of docs) f(t); best = Math.min(best, performance.now() - t0); }
    console.log(s.kernelKind, name.padEnd(24), (best * 1000 / docs.length).toFixed(2), 'us/doc');
  };
  run('normalize', (t) => s.normalize(t));
  run('normalize+key', (t) => { s.normalize(t); s.computeExactKey(); });
  const buf = new Int32Array(100000);
  run('normalize+shingle', (t) => { s.normalize(t); shingleHashes(s.text, config.near!, buf); });
  run('normalize+sketch', (t) => { s.normalize(t); s.sketch(); });
  run('all', (t) => { s.normalize(t); s.computeExactKey(); s.sketch(); });
}
