import { fmix32 } from '../../src/dedup/mix32.js';
const N = 146, R = 20000;
const data = new Int32Array(N * R); for (let i = 0; i < data.length; i++) data[i] = fmix32(i);
const work = new Int32Array(data.length);
const scratch = new Int32Array(4096);
const counts = new Int32Array(256 * 4);
function radixSort(values: Int32Array, start: number, count: number): void {
  // LSD radix, 4 passes of 8 bits; the top byte's sign bit flipped so the order is signed.
  if (scratch.length < count) throw new Error();
  counts.fill(0);
  const end = start + count;
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    counts[v & 255]!++;
    counts[256 + ((v >>> 8) & 255)]!++;
    counts[512 + ((v >>> 16) & 255)]!++;
    counts[768 + ((v >>> 24) ^ 128)]!++;
  }
  for (let pass = 0; pass < 4; pass++) {
    let sum = 0; const base = pass * 256;
    for (let b = 0; b < 256; b++) { const c = counts[base + b]!; counts[base + b] = sum; sum += c; }
  }
  // pass 0: values -> scratch, 1: scratch -> values, 2: values -> scratch, 3: scratch -> values
  for (let i = start; i < end; i++) { const v = values[i]!; scratch[counts[v & 255]!++] = v; }
  for (let i = 0; i < count; i++) { const v = scratch[i]!; values[start + counts[256 + ((v >>> 8) & 255)]!++] = v; }
  for (let i = start; i < end; i++) { const v = values[i]!; scratch[counts[512 + ((v >>> 16) & 255)]!++] = v; }
  for (let i = 0; i < count; i++) { const v = scratch[i]!; values[start + counts[768 + ((v >>> 24) ^ 128)]!++] = v; }
}
function insertion(values: Int32Array, start: number, count: number): void {
  const end = start + count;
  for (let i = start + 1; i < end; i++) { const v = values[i]!; let j = i - 1; while (j >= start && values[j]! > v) { values[j + 1] = values[j]!; j--; } values[j + 1] = v; }
}
const variants: Record<string, (v: Int32Array, s: number, c: number) => void> = {
  native: (v, s, c) => { v.subarray(s, s + c).sort(); },
  radix: radixSort,
  insertion,
};
for (let rep = 0; rep < 3; rep++) for (const [name, f] of Object.entries(variants)) {
  work.set(data);
  const t0 = performance.now();
  for (let r = 0; r < R; r++) f(work, r * N, N);
  const ms = performance.now() - t0;
  for (let r = 0; r < R; r++) for (let i = 1; i < N; i++) if (work[r * N + i - 1]! > work[r * N + i]!) throw new Error(name + ' unsorted');
  console.log(name, (ms * 1000 / R).toFixed(2), 'us/sort');
}
