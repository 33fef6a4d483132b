/**
 * A set of request keys in flat typed memory: the first 128 bits of each key (32 hex digits) in an
 * open-addressing table of 32-bit words. Planning a million requests keeps every key it has seen;
 * as strings in a `Set` that is ~80 MB of small heap objects, here it is 16 bytes per slot.
 */
const WORDS = 4;
const EMPTY = 0;

export class KeySet {
  private table: Uint32Array;
  private mask: number;
  private count = 0;
  /** A key whose four words are all zero cannot sit in the table (zero marks an empty slot). */
  private hasZeroKey = false;

  constructor(capacity = 1024) {
    let slots = 1024;
    while (slots < capacity * 2) slots *= 2;
    this.table = new Uint32Array(slots * WORDS);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  has(key: string): boolean {
    // Planning asks an empty set about every request of a fresh round: no need to parse the key.
    if (this.count === 0) return false;
    const words = toWords(key);
    if (isZero(words)) return this.hasZeroKey;
    return this.find(words) >= 0;
  }

  /** Adds the key; false when it was already in the set. */
  add(key: string): boolean {
    const words = toWords(key);
    if (isZero(words)) {
      if (this.hasZeroKey) return false;
      this.hasZeroKey = true;
      this.count++;
      return true;
    }
    if (this.find(words) >= 0) return false;
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    this.insert(words);
    this.count++;
    return true;
  }

  /** The key's slot, or -1. Linear probing; the table is kept at most half full. */
  private find(words: Uint32Array): number {
    const table = this.table;
    for (let slot = words[0]! & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * WORDS;
      if (table[at] === EMPTY && table[at + 1] === EMPTY && table[at + 2] === EMPTY && table[at + 3] === EMPTY) return -1;
      if (table[at] === words[0] && table[at + 1] === words[1] && table[at + 2] === words[2] && table[at + 3] === words[3]) return slot;
    }
  }

  private insert(words: Uint32Array): void {
    const table = this.table;
    for (let slot = words[0]! & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * WORDS;
      if (table[at] === EMPTY && table[at + 1] === EMPTY && table[at + 2] === EMPTY && table[at + 3] === EMPTY) {
        table.set(words, at);
        return;
      }
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.mask = this.table.length / WORDS - 1;
    for (let at = 0; at < old.length; at += WORDS) {
      if (old[at] !== EMPTY || old[at + 1] !== EMPTY || old[at + 2] !== EMPTY || old[at + 3] !== EMPTY) this.insert(old.subarray(at, at + WORDS));
    }
  }
}

const scratch = new Uint32Array(WORDS);

/** Each character code's hex digit value, -1 for anything else. */
const HEX_DIGITS = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  HEX_DIGITS['0123456789abcdef'.charCodeAt(digit)] = digit;
  HEX_DIGITS['0123456789ABCDEF'.charCodeAt(digit)] = digit;
}

/**
 * The key's first 32 hex digits as four words (a request key is a sha256, so its bits are uniform).
 * Digits are read by character code, without the four substrings `parseInt` needs; a key with
 * anything but hex digits there takes the `parseInt` path, which decides what it means.
 */
function toWords(key: string): Uint32Array {
  if (key.length < WORDS * 8) throw new RangeError(`a request key has at least ${WORDS * 8} hex digits, got ${JSON.stringify(key)}`);
  for (let word = 0; word < WORDS; word++) {
    let value = 0;
    for (let at = word * 8; at < word * 8 + 8; at++) {
      const code = key.charCodeAt(at);
      const digit = code < 128 ? HEX_DIGITS[code]! : -1;
      if (digit < 0) return toWordsByParsing(key);
      value = (value << 4) | digit;
    }
    scratch[word] = value;
  }
  return scratch;
}

function toWordsByParsing(key: string): Uint32Array {
  for (let word = 0; word < WORDS; word++) {
    const value = Number.parseInt(key.slice(word * 8, word * 8 + 8), 16);
    if (Number.isNaN(value)) throw new RangeError(`a request key is hex, got ${JSON.stringify(key)}`);
    scratch[word] = value;
  }
  return scratch;
}

function isZero(words: Uint32Array): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0;
}
