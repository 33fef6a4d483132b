/**
 * A Bloom filter over cache keys: says for certain that a key is NOT in a table, so a lookup skips
 * every table but the one that holds it. Cache keys are the first bytes of a sha256, already uniform,
 * so the probes are taken straight from the key's first 8 bytes (double hashing) instead of hashing
 * it again.
 *
 * At least 12 bits and 8 probes per key (the size is rounded up to a power of two, so a probe is a
 * mask, not a division): at most ~0.3% false positives, so with ten tables a key that is in none
 * costs one wasted table lookup in thirty. A million keys take 2 MB.
 */

/** Bits per key at the least: with PROBES probes, ≤ 0.3% of absent keys pass. */
const BITS_PER_KEY = 12;
const PROBES = 8;

export class KeyFilter {
  readonly #bits: Uint8Array;
  /** Bits − 1: the size is a power of two. */
  readonly #mask: number;

  private constructor(bits: Uint8Array) {
    this.#bits = bits;
    this.#mask = bits.length * 8 - 1;
  }

  /** An empty filter for `keys` keys. */
  static sized(keys: number): KeyFilter {
    let bytes = 8;
    while (bytes * 8 < Math.max(1, keys) * BITS_PER_KEY) bytes *= 2;
    return new KeyFilter(new Uint8Array(bytes));
  }

  /** A filter as `bytes()` gave it (copied: the bytes may be a view into a buffer reused later). */
  static fromBytes(bytes: Uint8Array): KeyFilter {
    if (bytes.length < 8 || (bytes.length & (bytes.length - 1)) !== 0) throw new Error(`a key filter of ${bytes.length} bytes (a power of two from 8 expected)`);
    return new KeyFilter(Uint8Array.from(bytes));
  }

  /** Adds the key whose first 8 bytes start at `at` of `keys`. */
  add(keys: Uint8Array, at = 0): void {
    this.#probe(keys, at, true);
  }

  /** False: the key was never added. True: it may have been. */
  mayHave(keys: Uint8Array, at = 0): boolean {
    return this.#probe(keys, at, false);
  }

  /** The key's bits: set when adding, else false at the first that is not set. */
  #probe(keys: Uint8Array, at: number, add: boolean): boolean {
    const bits = this.#bits;
    const first = firstProbe(keys, at);
    const step = probeStep(keys, at);
    for (let probe = 0; probe < PROBES; probe++) {
      const bit = (first + Math.imul(probe, step)) & this.#mask;
      const mask = 1 << (bit & 7);
      if (add) bits[bit >>> 3]! |= mask;
      else if ((bits[bit >>> 3]! & mask) === 0) return false;
    }
    return true;
  }

  /** The filter as stored. */
  bytes(): Buffer {
    return Buffer.from(this.#bits.buffer, this.#bits.byteOffset, this.#bits.length);
  }
}

function firstProbe(keys: Uint8Array, at: number): number {
  return keys[at]! | (keys[at + 1]! << 8) | (keys[at + 2]! << 16) | (keys[at + 3]! << 24);
}

/** Odd, so never 0 and, the size being a power of two, eight probes are eight different bits. */
function probeStep(keys: Uint8Array, at: number): number {
  return keys[at + 4]! | (keys[at + 5]! << 8) | (keys[at + 6]! << 16) | (keys[at + 7]! << 24) | 1;
}
