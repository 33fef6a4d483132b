import { LshIndex } from '../../src/dedup/lsh.js';
import { fmix32 } from '../../src/dedup/mix32.js';
class OldIndex {
  private slotKeys = new Int32Array(4096); private slotHeads = new Int32Array(4096); private usedSlots = 0; private next: Int32Array;
  constructor(readonly bands: number) { this.next = new Int32Array(1024 * bands); }
  insert(doc: number, keys: Int32Array, offset: number): void {
    const firstEntry = doc * this.bands;
    if (firstEntry + this.bands > this.next.length) { const g = new Int32Array(Math.max(firstEntry + this.bands, this.next.length * 2)); g.set(this.next); this.next = g; }
    if ((this.usedSlots + this.bands) * 2 > this.slotKeys.length) this.growTable();
    const slotKeys = this.slotKeys, slotHeads = this.slotHeads, mask = slotKeys.length - 1;
    for (let band = 0; band < this.bands; band++) {
      const key = keys[offset + band]!; const entry = firstEntry + band; let slot = key & mask;
      while (slotHeads[slot] !== 0 && slotKeys[slot] !== key) slot = (slot + 1) & mask;
      if (slotHeads[slot] === 0) { slotKeys[slot] = key; this.usedSlots++; }
      this.next[entry] = slotHeads[slot]!; slotHeads[slot] = entry + 1;
    }
  }
  collect(keys: Int32Array, offset: number, max: number, out: Int32Array): number {
    const slotKeys = this.slotKeys, slotHeads = this.slotHeads, next = this.next, mask = slotKeys.length - 1, bands = this.bands; let w = 0;
    for (let band = 0; band < bands; band++) { const key = keys[offset + band]!; let slot = key & mask;
      while (slotHeads[slot] !== 0 && slotKeys[slot] !== key) slot = (slot + 1) & mask;
      let link = slotHeads[slot]!; for (let v = 0; link !== 0 && v < max; v++) { const e = link - 1; out[w++] = (e / bands) | 0; link = next[e]!; } }
    return w;
  }
  private growTable(): void {
    const oldKeys = this.slotKeys, oldHeads = this.slotHeads; let size = oldKeys.length * 2; while ((this.usedSlots + this.bands) * 2 > size) size *= 2;
    const slotKeys = new Int32Array(size), slotHeads = new Int32Array(size), mask = size - 1;
    for (let o = 0; o < oldKeys.length; o++) { const h = oldHeads[o]!; if (h === 0) continue; const k = oldKeys[o]!; let s = k & mask; while (slotHeads[s] !== 0) s = (s + 1) & mask; slotKeys[s] = k; slotHeads[s] = h; }
    this.slotKeys = slotKeys; this.slotHeads = slotHeads;
  }
}
const N = 300000, B = 16;
const keys = new Int32Array(N * B);
for (let d = 0; d < N; d++) for (let b = 0; b < B; b++) keys[d * B + b] = fmix32(((d % 10 === 3 ? d - 1 : d) * 31 + b) ^ 0x1234);
const out = new Int32Array(B * 8);
const res: Record<string, number> = { old: Infinity, fused: Infinity, split: Infinity };
for (let r = 0; r < 5; r++) {
  let t0 = performance.now(); { const idx = new OldIndex(B); let s = 0; for (let d = 0; d < N; d++) { s += idx.collect(keys, d * B, 8, out); idx.insert(d, keys, d * B); } } res.old = Math.min(res.old!, performance.now() - t0);
  t0 = performance.now(); { const idx = new LshIndex(B); let s = 0; for (let d = 0; d < N; d++) s += idx.collectAndInsert(d, keys, d * B, 8, out); } res.fused = Math.min(res.fused!, performance.now() - t0);
  t0 = performance.now(); { const idx = new LshIndex(B); let s = 0; for (let d = 0; d < N; d++) { s += idx.collect(keys, d * B, 8, out); idx.insert(d, keys, d * B); } } res.split = Math.min(res.split!, performance.now() - t0);
}
for (const [k, v] of Object.entries(res)) console.log(k, (v * 1000 / N).toFixed(2), 'us/doc');
