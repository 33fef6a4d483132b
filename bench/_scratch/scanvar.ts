import { generateCorpus } from '../synthetic-corpus.js';
import { NormalizedText, normalizeInto } from '../../src/dedup/normalize.js';
const docs = [...generateCorpus({ documents: 20000 })].map(d => d.text);
const ASCII = new Uint8Array(128); for (let c = 48; c < 58; c++) ASCII[c] = 2; for (let c = 65; c < 91; c++) ASCII[c] = 1; for (let c = 97; c < 123; c++) ASCII[c] = 1;
// variant: lowercase folded into a second table; fast path for letters inside a word
const LOWER = new Uint16Array(128); for (let c = 0; c < 128; c++) LOWER[c] = c >= 65 && c <= 90 ? c + 32 : c;
const units = new Uint16Array(1 << 16); const words = new Int32Array(1 << 15);
function scanFast(s: string, foldDigits: boolean): number {
  const n = s.length; let length = 0, wordCount = 0, hash = 0, inWord = false, inDigitRun = false;
  for (let i = 0; i < n; i++) {
    let unit = s.charCodeAt(i);
    if (unit >= 0x80) return -1;
    const kind = ASCII[unit]!;
    if (kind === 1 && inWord) { unit = LOWER[unit]!; units[length++] = unit; hash = Math.imul(hash ^ unit, 0x01000193); inDigitRun = false; continue; }
    if (kind === 0) { if (inWord) { words[wordCount++] = hash; inWord = false; } inDigitRun = false; continue; }
    if (kind === 2 && foldDigits) { if (inDigitRun) continue; inDigitRun = true; unit = 0x30; } else { inDigitRun = false; unit = LOWER[unit]!; }
    if (!inWord) { if (length > 0) units[length++] = 0x20; inWord = true; hash = 0x811c9dc5 | 0; }
    units[length++] = unit; hash = Math.imul(hash ^ unit, 0x01000193);
  }
  if (inWord) words[wordCount++] = hash;
  return length;
}
const out = new NormalizedText(); const opts = { foldDigits: false };
const results: Record<string, number> = { current: Infinity, fast: Infinity };
for (let r = 0; r < 15; r++) {
  let t0 = performance.now(); for (const t of docs) normalizeInto(t, opts, out); results.current = Math.min(results.current!, performance.now() - t0);
  t0 = performance.now(); for (const t of docs) scanFast(t, false); results.fast = Math.min(results.fast!, performance.now() - t0);
}
for (const [k, v] of Object.entries(results)) console.log(k, (v * 1000 / docs.length).toFixed(2), 'us/doc', (v * 1e6 / docs.length / 1020).toFixed(2), 'ns/char');
