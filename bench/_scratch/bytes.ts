import { generateCorpus } from '../synthetic-corpus.js';
const docs = [...generateCorpus({ documents: 20000 })].map(d => d.text);
const ASCII = new Uint8Array(256); for (let c = 48; c < 58; c++) ASCII[c] = 2; for (let c = 65; c < 91; c++) ASCII[c] = 1; for (let c = 97; c < 123; c++) ASCII[c] = 1;
for (let c = 128; c < 256; c++) ASCII[c] = 9;
const LOWER = new Uint8Array(256); for (let c = 0; c < 256; c++) LOWER[c] = c >= 65 && c <= 90 ? c + 32 : c;
const units = new Uint16Array(1 << 16); const out8 = new Uint8Array(1 << 16); const words = new Int32Array(1 << 15);
const input = new Uint8Array(1 << 17); const enc = new TextEncoder();
function scanStr(s: string): number {
  const n = s.length; let length = 0, wc = 0, hash = 0, inWord = false;
  for (let i = 0; i < n; i++) {
    let u = s.charCodeAt(i); if (u >= 0x80) return -1;
    const k = ASCII[u]!;
    if (k === 1) { u = LOWER[u]!; if (inWord) { units[length++] = u; hash = Math.imul(hash ^ u, 0x01000193); continue; } }
    if (k === 0) { if (inWord) { words[wc++] = hash; inWord = false; } continue; }
    if (!inWord) { if (length > 0) units[length++] = 32; inWord = true; hash = 0x811c9dc5 | 0; }
    units[length++] = u; hash = Math.imul(hash ^ u, 0x01000193);
  }
  return length;
}
function scanBytes(s: string): number {
  const { written } = enc.encodeInto(s, input);
  const n = written!; let length = 0, wc = 0, hash = 0, inWord = false;
  for (let i = 0; i < n; i++) {
    let u = input[i]!;
    const k = ASCII[u]!;
    if (k === 1) { u = LOWER[u]!; if (inWord) { out8[length++] = u; hash = Math.imul(hash ^ u, 0x01000193); continue; } }
    if (k === 0) { if (inWord) { words[wc++] = hash; inWord = false; } continue; }
    if (k === 9) return -1;
    if (!inWord) { if (length > 0) out8[length++] = 32; inWord = true; hash = 0x811c9dc5 | 0; }
    out8[length++] = u; hash = Math.imul(hash ^ u, 0x01000193);
  }
  return length;
}
const res: Record<string, number> = { str: Infinity, bytes: Infinity };
for (let r = 0; r < 15; r++) {
  let t0 = performance.now(); for (const t of docs) scanStr(t); res.str = Math.min(res.str!, performance.now() - t0);
  t0 = performance.now(); for (const t of docs) scanBytes(t); res.bytes = Math.min(res.bytes!, performance.now() - t0);
}
for (const [k, v] of Object.entries(res)) console.log(k, (v * 1000 / docs.length).toFixed(2), 'us/doc');
