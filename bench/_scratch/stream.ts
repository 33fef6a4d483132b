import { generateCorpus } from '../synthetic-corpus.js';
import { dedupStream } from '../../src/dedup/deduper.js';
import { parseDedupSpec } from '../../src/dedup/dedup-spec.js';
const docs = [...generateCorpus({ documents: 20000 })].map(d => ({ id: d.id, fields: { text: d.text } }));
async function* src() { for (const d of docs) yield d; }
const spec = parseDedupSpec({ fields: ['text'], near: { threshold: 0.8 } });
for (const workers of [1, 2, 1, 2]) {
  const t0 = performance.now();
  let kept = 0; const verdicts: string[] = [];
  for await (const { record, verdict } of dedupStream(src(), spec, { workers, onStats: (s) => console.log(s) })) { if (verdict.keep) kept++; verdicts.push(record.id + JSON.stringify(verdict)); }
  console.log('workers', workers, 'ms', (performance.now() - t0).toFixed(0), 'kept', kept, 'hash', verdicts.join('|').length);
}
