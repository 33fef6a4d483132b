import xxhash from 'xxhash-wasm';

/**
 * Exact duplicates, checked before any MinHash work.
 *
 * Key: xxh64 (seed 0, the `xxhash-wasm` package: we measured ≈ 3.5 GB/s) of the NORMALISED
 * text (normalize.ts) as UTF-16LE code units, kept as two int32 halves. Two texts equal after
 * normalisation always share the key; two different texts share it with probability 2^-64, so
 * among n documents a false "exact duplicate" appears with probability ≈ n² / 2^65
 * (1 M documents: 3·10^-8; 100 M: 3·10^-4).
 *
 * Table: open addressing with linear probing over the low half (already uniformly mixed),
 * load ≤ 1/2, power-of-two size; three Int32Arrays (high, low, document + 1 with 0 = empty),
 * ≤ 24 bytes per distinct key and no JavaScript object per document.
 */

type XXHashApi = Awaited<ReturnType<typeof xxhash>>;
let api: Promise<XXHashApi> | undefined;

const LOW_MASK = 0xffffffffn;

/** Computes exact-duplicate keys; one per thread (it owns a WASM instance). */
export class ExactHasher {
  /** High and low 32 bits of the last key, as signed int32. */
  high = 0;
  low = 0;

  private constructor(private readonly xxh: XXHashApi) {}

  static async create(): Promise<ExactHasher> {
    api ??= xxhash();
    return new ExactHasher(await api);
  }

  /** Hashes `units[0, length)` (normalised UTF-16 code units) into `high` and `low`. */
  hash(units: Uint16Array, length: number): void {
    const key = this.xxh.h64Raw(new Uint8Array(units.buffer, units.byteOffset, length * 2));
    this.low = Number(key & LOW_MASK) | 0;
    this.high = Number(key >> 32n) | 0;
  }
}

export class ExactKeyTable {
  private highs: Int32Array;
  private lows: Int32Array;
  private docs: Int32Array;
  private used = 0;

  /** `initialSlots`: a power of two. */
  constructor(initialSlots = 1 << 12) {
    this.highs = new Int32Array(initialSlots);
    this.lows = new Int32Array(initialSlots);
    this.docs = new Int32Array(initialSlots);
  }

  /** The document stored under the key (two int32 halves), or -1. */
  find(keyHigh: number, keyLow: number): number {
    const high = keyHigh | 0;
    const low = keyLow | 0;
    const mask = this.docs.length - 1;
    let slot = low & mask;
    for (;;) {
      const stored = this.docs[slot]!;
      if (stored === 0) return -1;
      if (this.lows[slot] === low && this.highs[slot] === high) return stored - 1;
      slot = (slot + 1) & mask;
    }
  }

  /** Stores the key for `doc` unless the key is already present. */
  insert(keyHigh: number, keyLow: number, doc: number): void {
    const high = keyHigh | 0;
    const low = keyLow | 0;
    if ((this.used + 1) * 2 > this.docs.length) this.grow();
    const mask = this.docs.length - 1;
    let slot = low & mask;
    for (;;) {
      const stored = this.docs[slot]!;
      if (stored === 0) break;
      if (this.lows[slot] === low && this.highs[slot] === high) return;
      slot = (slot + 1) & mask;
    }
    this.highs[slot] = high;
    this.lows[slot] = low;
    this.docs[slot] = doc + 1;
    this.used++;
  }

  get size(): number {
    return this.used;
  }

  get byteLength(): number {
    return this.highs.byteLength + this.lows.byteLength + this.docs.byteLength;
  }

  /** byteLength after one more insert (twice the current when that insert grows the table). */
  get byteLengthAfterInsert(): number {
    return (this.used + 1) * 2 > this.docs.length ? this.byteLength * 2 : this.byteLength;
  }

  /** Calls `visit` for every key stored, in slot order. */
  forEach(visit: (high: number, low: number, doc: number) => void): void {
    const { highs, lows, docs } = this;
    for (let slot = 0; slot < docs.length; slot++) if (docs[slot] !== 0) visit(highs[slot]!, lows[slot]!, docs[slot]! - 1);
  }

  private grow(): void {
    const { highs, lows, docs } = this;
    const size = docs.length * 2;
    this.highs = new Int32Array(size);
    this.lows = new Int32Array(size);
    this.docs = new Int32Array(size);
    const mask = size - 1;
    for (let old = 0; old < docs.length; old++) {
      const stored = docs[old]!;
      if (stored === 0) continue;
      let slot = lows[old]! & mask;
      while (this.docs[slot] !== 0) slot = (slot + 1) & mask;
      this.highs[slot] = highs[old]!;
      this.lows[slot] = lows[old]!;
      this.docs[slot] = stored;
    }
  }
}
