import { createWriteStream, renameSync } from 'node:fs';
import { generateCorpus } from '../synthetic-corpus.js';
const path = process.argv[2]!; const n = Number(process.argv[3]);
const out = createWriteStream(path + '.partial'); let buf = '';
const t0 = performance.now();
for (const d of generateCorpus({ documents: n, seed: 99 })) { buf += JSON.stringify({ id: d.id, text: d.text }) + '\n'; if (buf.length > 1 << 20) { if (!out.write(buf)) await new Promise<void>(r => out.once('drain', () => r())); buf = ''; } }
out.write(buf); await new Promise<void>(r => out.end(() => r())); renameSync(path + '.partial', path);
console.log('generated', n, 'in', ((performance.now() - t0) / 1000).toFixed(1), 's');
