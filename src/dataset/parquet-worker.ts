/**
 * The worker of a `ParquetThread` (parquet-thread.ts): writes Parquet files from JSONL rows, handling
 * requests in the order sent. A `convert` is answered with the file's digest; an `open` once it is
 * ended (the digest) or discarded (none). After an error the main thread sends nothing more.
 */
import { parentPort } from 'node:worker_threads';
import { GrowingJsonlToParquet, jsonlToParquet } from './jsonl-to-parquet.js';
import type { ParquetWorkerReply, ParquetWorkerRequest } from './parquet-thread.js';
import { parquetCodecOf } from './zstd-compressor.js';

const streams = new Map<number, GrowingJsonlToParquet>();
let queue = Promise.resolve();

/** The reply, when the request owes one now. */
async function handle(request: ParquetWorkerRequest): Promise<ParquetWorkerReply | undefined> {
  switch (request.type) {
    case 'convert':
      return { type: 'done', id: request.id, digest: await jsonlToParquet(request.jsonlPath, request.parquetPath, request.columns, await parquetCodecOf(request.codec)) };
    case 'open':
      streams.set(request.id, new GrowingJsonlToParquet(request.jsonlPath, request.parquetPath, request.columns, await parquetCodecOf(request.codec)));
      return undefined;
    case 'grow':
      streams.get(request.id)!.readTo(request.bytes);
      return undefined;
    case 'end': {
      const stream = streams.get(request.id)!;
      streams.delete(request.id);
      return { type: 'done', id: request.id, digest: await stream.end(request.bytes) };
    }
    case 'discard':
      streams.get(request.id)!.discard();
      streams.delete(request.id);
      return { type: 'done', id: request.id };
  }
}

parentPort!.on('message', (request: ParquetWorkerRequest) => {
  queue = queue
    .then(() => handle(request))
    .then(
      (reply) => reply && parentPort!.postMessage(reply),
      (error: unknown) => {
        const { message, code, path, syscall } = error as { message?: string; code?: string; path?: string; syscall?: string };
        parentPort!.postMessage({ type: 'error', id: request.id, error: { message: message ?? String(error), ...(code ? { code } : {}), ...(path ? { path } : {}), ...(syscall ? { syscall } : {}) } } satisfies ParquetWorkerReply);
      },
    );
});
