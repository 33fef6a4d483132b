import { compress, init } from '@bokuweb/zstd-wasm';
import type { ParquetCodec } from './parquet-group-writer.js';
import type { CodecChoice } from './parquet-thread.js';

/** zstd level 3, zstd's own default: most of the size win of higher levels at a fraction of the time. */
export const DEFAULT_ZSTD_LEVEL = 3;

let ready: Promise<void> | undefined;

/** Node 20's zlib has no zstd; this WebAssembly build is loaded once, on first use. */
export async function loadZstdCompressor(level: number = DEFAULT_ZSTD_LEVEL): Promise<(input: Uint8Array) => Uint8Array> {
  ready ??= init();
  await ready;
  return (input) => compress(input, level);
}

/** The codec a Parquet writer takes, from its choice as it crosses a thread boundary. */
export async function parquetCodecOf(choice: CodecChoice): Promise<ParquetCodec> {
  return choice.codec === 'ZSTD' ? { codec: 'ZSTD', zstd: await loadZstdCompressor(choice.level) } : { codec: 'SNAPPY' };
}
