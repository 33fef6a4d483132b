import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ZSTD_LEVEL, loadZstdCompressor, nativeZstdAvailable } from '../../src/dataset/zstd-compressor.js';

/** Pages like the ones a Parquet writer compresses: JSON text, repetitive and random bytes, empty and tiny. */
function pages(): Uint8Array[] {
  const lines = Array.from({ length: 3_000 }, (_, index) => JSON.stringify({ id: `s0-${index}`, messages: [{ role: 'user', content: `question ${index} ${'é'.repeat(index % 5)}` }, { role: 'assistant', content: `answer ${index} `.repeat(1 + (index % 17)) }] }));
  const text = Buffer.from(lines.join('\n'));
  return [new Uint8Array(0), Buffer.from('a'), Buffer.alloc(200_000, 7), text.subarray(0, 100), text.subarray(0, 4_096), text, randomBytes(300_000), Buffer.concat([text, randomBytes(50_000), text])];
}

const native = nativeZstdAvailable();
if (!native) console.log('zstd-napi did not load here: the native build is not compared with the WebAssembly build');

describe('zstd compressor', () => {
  it.skipIf(!native)('writes the same frames natively as the WebAssembly build, at every level a recipe can ask for', async () => {
    for (const level of [1, 2, DEFAULT_ZSTD_LEVEL, 5, 9, 15, 19, 22]) {
      const nativeCompress = await loadZstdCompressor(level, 'native');
      const wasmCompress = await loadZstdCompressor(level, 'wasm');
      for (const page of pages()) expect(Buffer.from(nativeCompress(page)).equals(Buffer.from(wasmCompress(page))), `level ${level}, ${page.length} bytes`).toBe(true);
    }
  });

  it('compresses (with the native build where it loads): smaller for text, and level changes the bytes', async () => {
    const text = pages()[5]!;
    const level1 = (await loadZstdCompressor(1))(text);
    const level19 = (await loadZstdCompressor(19))(text);
    expect(level1.length).toBeLessThan(text.length / 2);
    expect(level19.length).toBeLessThan(level1.length);
    // A zstd frame: its magic number first.
    expect(Buffer.from(level1.subarray(0, 4)).readUInt32LE(0)).toBe(0xfd2fb528);
  });
});
