/**
 * Hashing and a small seeded PRNG. Every "random" choice of the emulator (answer text, schema data, fault
 * decisions, result order) goes through these, so two emulator instances given the same inputs agree.
 *
 * Hash: cyrb128 (bryc, public domain), a fast non-cryptographic 128-bit string hash built from four
 * interleaved MurmurHash3-style lanes, over the parts joined by U+0000 (so ["ab","c"] and ["a","bc"] differ).
 * We only need well-spread bits, not secrecy, and it is ~10x cheaper than SHA-256 on short strings, which
 * matters at 50,000 lines per batch. PRNG: sfc32 (Small Fast Counter, 128-bit state, passes PractRand to
 * 2^40) seeded with those 128 bits and warmed up 12 rounds as its author recommends.
 */
export type HashPart = string | number;

/** Four unsigned 32-bit words. */
export function hash128(...parts: HashPart[]): [number, number, number, number] {
  const text = parts.map(String).join('\u0000');
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    h1 = h2 ^ Math.imul(h1 ^ code, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ code, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ code, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ code, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** 16 hash bytes per round, as many rounds as `length` needs. */
export function hashBytes(length: number, ...parts: HashPart[]): Buffer {
  const bytes = Buffer.alloc(Math.ceil(length / 16) * 16);
  for (let round = 0; round * 16 < length; round++) {
    const words = hash128(...parts, round);
    words.forEach((word, index) => bytes.writeUInt32BE(word, round * 16 + index * 4));
  }
  return bytes.subarray(0, length);
}

export function hashHex(...parts: HashPart[]): string {
  return hash128(...parts).map((word) => word.toString(16).padStart(8, '0')).join('');
}

/** Uniform in [0, 1) with 53 bits of resolution. */
export function hashUnit(...parts: HashPart[]): number {
  const [high, low] = hash128(...parts);
  return (high * 2 ** 21 + (low >>> 11)) / 2 ** 53;
}

/** An unsigned 32-bit seed. */
export function hashSeed(...parts: HashPart[]): number {
  return hash128(...parts)[0];
}

export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

export function createSeededRandom(...seedParts: HashPart[]): SeededRandom {
  let [a, b, c, d] = hash128('sfc32', ...seedParts);
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let round = 0; round < 12; round++) nextUint32();
  const next = (): number => nextUint32() / 2 ** 32;
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick() needs at least one item');
      return items[Math.floor(next() * items.length)] as T;
    },
    chance: (probability) => next() < probability,
  };
}
