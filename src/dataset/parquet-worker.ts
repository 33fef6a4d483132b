/**
 * The worker of a `ParquetThread` (parquet-thread.ts): writes one Parquet file per request from its
 * JSONL rows, in the order sent, answering each with the file's digest (or with the error, after
 * which the main thread sends nothing more).
 */
import { parentPort } from 'node:worker_threads';
import { jsonlToParquet } from './jsonl-to-parquet.js';
import type { ParquetWorkerReply, ParquetWorkerRequest } from './parquet-thread.js';
import { loadZstdCompressor } from './zstd-compressor.js';

let queue = Promise.resolve();

async function handle(request: ParquetWorkerRequest): Promise<ParquetWorkerReply> {
  const zstd = request.codec === 'ZSTD' ? await loadZstdCompressor() : undefined;
  const digest = await jsonlToParquet(request.jsonlPath, request.parquetPath, request.columns, { codec: request.codec, ...(zstd ? { zstd } : {}) });
  return { type: 'done', digest };
}

parentPort!.on('message', (request: ParquetWorkerRequest) => {
  queue = queue
    .then(() => handle(request))
    .then(
      (reply) => parentPort!.postMessage(reply),
      (error: unknown) => {
        const { message, code, path, syscall } = error as { message?: string; code?: string; path?: string; syscall?: string };
        parentPort!.postMessage({ type: 'error', error: { message: message ?? String(error), ...(code ? { code } : {}), ...(path ? { path } : {}), ...(syscall ? { syscall } : {}) } } satisfies ParquetWorkerReply);
      },
    );
});
