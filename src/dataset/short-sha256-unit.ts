/**
 * `hashUnit` of a short id, computed here: sha256 of a text of one block (ASCII, at most 55 characters,
 * which is what record ids are) is a few hundred operations, while a call into the crypto binding
 * costs several times that in overhead alone, once per row of every version written.
 */

const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const H = Uint32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** One block's message schedule, reused: the caller is single-threaded and never re-entered. */
const W = new Int32Array(64);
/** Longest text whose padding (0x80 and the 64-bit length) still fits one 64-byte block. */
const MAX_CHARS = 55;

/** (first 52 bits of sha256(text)) / 2^52, or undefined when the text is not ASCII of at most 55 characters. */
export function shortSha256Unit(text: string): number | undefined {
  const length = text.length;
  if (length > MAX_CHARS) return undefined;
  W.fill(0, 0, 16);
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code > 0x7f) return undefined;
    W[index >> 2]! |= code << (24 - 8 * (index & 3));
  }
  W[length >> 2]! |= 0x80 << (24 - 8 * (length & 3));
  W[15] = length * 8;
  for (let index = 16; index < 64; index++) {
    const w15 = W[index - 15]!;
    const w2 = W[index - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[index] = (W[index - 16]! + s0 + W[index - 7]! + s1) | 0;
  }
  let a = H[0]! | 0;
  let b = H[1]! | 0;
  let c = H[2]! | 0;
  let d = H[3]! | 0;
  let e = H[4]! | 0;
  let f = H[5]! | 0;
  let g = H[6]! | 0;
  let h = H[7]! | 0;
  for (let index = 0; index < 64; index++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const choice = (e & f) ^ (~e & g);
    const t1 = (h + s1 + choice + K[index]! + W[index]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const majority = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (s0 + majority) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  // 52 bits fit a double exactly: 20 high bits from the first word, 32 from the second.
  const high = ((H[0]! + a) | 0) >>> 12;
  const low = ((H[1]! + b) | 0) >>> 0;
  return (high * 2 ** 32 + low) / 2 ** 52;
}
