import { createRequire } from 'node:module';
import { compressUsingDict, createCCtx, init } from '@bokuweb/zstd-wasm';
import type { ParquetCodec } from './parquet-group-writer.js';
import type { CodecChoice } from './parquet-thread.js';

/** zstd level 3, zstd's own default: most of the size win of higher levels at a fraction of the time. */
export const DEFAULT_ZSTD_LEVEL = 3;

/** One page in, its zstd frame out. */
export type ZstdCompress = (input: Uint8Array) => Uint8Array;

/** Which build compresses: zstd-napi's native addon, or the WebAssembly build every install has. */
export type ZstdBuild = 'native' | 'wasm';

/** What is used of zstd-napi, declared here: an optional dependency's own types may be missing at build time. */
interface NativeZstd {
  Compressor: new () => { setParameters(parameters: { compressionLevel: number }): void; compress(input: Uint8Array): Uint8Array };
}

const require = createRequire(import.meta.url);
let nativeModule: NativeZstd | null | undefined;
const nativeCompressors = new Map<number, ZstdCompress>();
let wasmReady: Promise<void> | undefined;
let wasmContext: number | undefined;
const NO_DICTIONARY = new Uint8Array(0);

/**
 * zstd-napi is an optional dependency: a native addon built at install time, which a machine without
 * a compiler may lack. Node 20's zlib has no zstd, so the WebAssembly build is the fallback. Both are
 * zstd 1.5 and write the same frames at every level (test/dataset/zstd-compressor.test.ts), so a
 * file's bytes do not depend on which one ran; the native one takes ≈ 40% less CPU per page.
 */
export function nativeZstdAvailable(): boolean {
  if (nativeModule === undefined) {
    try {
      nativeModule = require('zstd-napi') as NativeZstd;
    } catch {
      nativeModule = null;
    }
  }
  return nativeModule !== null;
}

/** A compressor at `level`, loaded once per thread; `build` forces one (tests), else native where it loads. */
export async function loadZstdCompressor(level: number = DEFAULT_ZSTD_LEVEL, build?: ZstdBuild): Promise<ZstdCompress> {
  if (build !== 'wasm' && nativeZstdAvailable()) return nativeCompressor(level);
  if (build === 'native') throw new Error('zstd-napi is not installed or its native addon did not load');
  wasmReady ??= init();
  await wasmReady;
  // One compression context for the thread, reused: `compress` creates and frees one per page.
  // With no dictionary this is ZSTD_compressCCtx, which ZSTD_compress runs: the same bytes.
  const cctx = (wasmContext ??= createCCtx());
  return (input) => compressUsingDict(cctx, input, NO_DICTIONARY, level);
}

function nativeCompressor(level: number): ZstdCompress {
  let compress = nativeCompressors.get(level);
  if (!compress) {
    const compressor = new nativeModule!.Compressor();
    compressor.setParameters({ compressionLevel: level });
    compress = (input) => compressor.compress(input);
    nativeCompressors.set(level, compress);
  }
  return compress;
}

/** The codec a Parquet writer takes, from its choice as it crosses a thread boundary. */
export async function parquetCodecOf(choice: CodecChoice): Promise<ParquetCodec> {
  return choice.codec === 'ZSTD' ? { codec: 'ZSTD', zstd: await loadZstdCompressor(choice.level) } : { codec: 'SNAPPY' };
}
