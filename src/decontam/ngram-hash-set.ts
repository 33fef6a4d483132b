/**
 * A set of 64-bit n-gram hashes, each with the index of the first evaluation item that produced it,
 * in two typed arrays (the hash's two words side by side, so a probe touches one cache line; the
 * item, read only on a hit): 12 bytes a slot, no object per entry, so an
 * evaluation set of millions of n-grams stays a few hundred megabytes at most and is probed without
 * allocation. Open addressing with linear probing; the table doubles past 3/4 full. The pair (0, 0)
 * marks an empty slot, so callers never pass it (ngram-hashes.ts maps it away).
 */
const MIN_CAPACITY = 1 << 10;

export class NgramHashSet {
  /** Slot i's hash at 2i (high word) and 2i + 1 (low word). */
  private keys: Int32Array;
  private items: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 0) {
    let capacity = MIN_CAPACITY;
    while (capacity * 0.75 < expected) capacity *= 2;
    this.keys = new Int32Array(capacity * 2);
    this.items = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.keys.byteLength + this.items.byteLength;
  }

  /** Adds the hash unless present; an existing hash keeps its first item. */
  add(high: number, low: number, item: number): void {
    if (this.count + 1 > (this.mask + 1) * 0.75) this.grow();
    this.insert(high | 0, low | 0, item);
  }

  /** The item of the hash, or -1 when absent. */
  find(high: number, low: number): number {
    const slot = this.slotOf(high | 0, low | 0);
    return this.isEmpty(slot) ? -1 : this.items[slot]!;
  }

  private insert(high: number, low: number, item: number): void {
    const slot = this.slotOf(high, low);
    if (!this.isEmpty(slot)) return;
    this.keys[2 * slot] = high;
    this.keys[2 * slot + 1] = low;
    this.items[slot] = item;
    this.count++;
  }

  /** The slot holding the hash, or the empty slot where it would go (linear probing). */
  private slotOf(high: number, low: number): number {
    const mask = this.mask;
    const keys = this.keys;
    let slot = low & mask;
    for (;;) {
      const slotHigh = keys[2 * slot]!;
      const slotLow = keys[2 * slot + 1]!;
      if ((slotHigh === high && slotLow === low) || (slotHigh === 0 && slotLow === 0)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private isEmpty(slot: number): boolean {
    return this.keys[2 * slot] === 0 && this.keys[2 * slot + 1] === 0;
  }

  private grow(): void {
    const { keys, items } = this;
    const capacity = (this.mask + 1) * 2;
    this.keys = new Int32Array(capacity * 2);
    this.items = new Uint32Array(capacity);
    this.mask = capacity - 1;
    this.count = 0;
    for (let slot = 0; slot < items.length; slot++) {
      const high = keys[2 * slot]!;
      const low = keys[2 * slot + 1]!;
      if (high !== 0 || low !== 0) this.insert(high, low, items[slot]!);
    }
  }
}
