import { compressUsingDict, createCCtx, init } from '@bokuweb/zstd-wasm';
import type { ParquetCodec } from './parquet-group-writer.js';
import type { CodecChoice } from './parquet-thread.js';

/** zstd level 3, zstd's own default: most of the size win of higher levels at a fraction of the time. */
export const DEFAULT_ZSTD_LEVEL = 3;

let ready: Promise<void> | undefined;
let context: number | undefined;
const NO_DICTIONARY = new Uint8Array(0);

/** Node 20's zlib has no zstd; this WebAssembly build is loaded once, on first use. */
export async function loadZstdCompressor(level: number = DEFAULT_ZSTD_LEVEL): Promise<(input: Uint8Array) => Uint8Array> {
  ready ??= init();
  await ready;
  // One compression context for the thread, reused: `compress` creates and frees one per page.
  // With no dictionary this is ZSTD_compressCCtx, which ZSTD_compress runs: the same bytes.
  const cctx = (context ??= createCCtx());
  return (input) => compressUsingDict(cctx, input, NO_DICTIONARY, level);
}

/** The codec a Parquet writer takes, from its choice as it crosses a thread boundary. */
export async function parquetCodecOf(choice: CodecChoice): Promise<ParquetCodec> {
  return choice.codec === 'ZSTD' ? { codec: 'ZSTD', zstd: await loadZstdCompressor(choice.level) } : { codec: 'SNAPPY' };
}
