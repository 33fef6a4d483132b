/**
 * The worker of a `ParquetThread` (parquet-thread.ts): keeps the open Parquet files of one dataset
 * write and runs `ParquetGroupWriter` on each group it is sent, in the order sent, answering each
 * request once done (or with the error, after which the main thread sends nothing more).
 */
import { parentPort } from 'node:worker_threads';
import { ParquetGroupWriter } from './parquet-group-writer.js';
import type { ParquetWorkerReply, ParquetWorkerRequest } from './parquet-thread.js';
import { loadZstdCompressor } from './zstd-compressor.js';

const files = new Map<number, ParquetGroupWriter>();
let queue = Promise.resolve();

async function handle(request: ParquetWorkerRequest): Promise<void> {
  switch (request.type) {
    case 'open': {
      const zstd = request.codec === 'ZSTD' ? await loadZstdCompressor() : undefined;
      files.set(request.file, new ParquetGroupWriter(request.path, request.columns, { codec: request.codec, ...(zstd ? { zstd } : {}) }));
      return;
    }
    case 'group':
      files.get(request.file)!.writeGroup(request.json === '' ? [] : request.json.split('\n'));
      return;
    case 'finish':
      files.get(request.file)!.finish();
      files.delete(request.file);
  }
}

parentPort!.on('message', (request: ParquetWorkerRequest) => {
  queue = queue
    .then(() => handle(request))
    .then(
      () => parentPort!.postMessage({ type: 'done' } satisfies ParquetWorkerReply),
      (error: unknown) => {
        const { message, code, path, syscall } = error as { message?: string; code?: string; path?: string; syscall?: string };
        parentPort!.postMessage({ type: 'error', error: { message: message ?? String(error), ...(code ? { code } : {}), ...(path ? { path } : {}), ...(syscall ? { syscall } : {}) } } satisfies ParquetWorkerReply);
      },
    );
});
