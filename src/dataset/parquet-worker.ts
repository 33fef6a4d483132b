/**
 * The worker of a `ParquetThread` (parquet-thread.ts): writes Parquet files from JSONL rows, handling
 * requests in the order sent. A `convert` is answered with the file's digest; an `open` once it is
 * ended (the digest) or discarded (none). After an error the main thread sends nothing more. With
 * more than one encoder, row groups are encoded by a pool of threads this one starts (and whose
 * threads end with it), and every file is read as it grows, `convert` included.
 */
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { GrowingJsonlToParquet, jsonlToParquet, twinRowsHere, type TwinRows } from './jsonl-to-parquet.js';
import { ParquetEncodePool } from './parquet-encode-pool.js';
import { ParquetPooledFile } from './parquet-pooled-file.js';
import { threadErrorOf, type CodecChoice, type ParquetThreadData, type ParquetWorkerReply, type ParquetWorkerRequest } from './parquet-thread.js';
import type { ColumnSpec } from './column-kinds.js';
import { parquetCodecOf } from './zstd-compressor.js';

const { encoders } = workerData as ParquetThreadData;
const pool = encoders > 1 ? new ParquetEncodePool(encoders) : undefined;
const streams = new Map<number, GrowingJsonlToParquet>();
let queue = Promise.resolve();

async function rowsOf(parquetPath: string, columns: readonly ColumnSpec[], codec: CodecChoice): Promise<TwinRows> {
  return pool ? new ParquetPooledFile(parquetPath, columns, codec, pool) : twinRowsHere(parquetPath, columns, await parquetCodecOf(codec));
}

/** The reply, when the request owes one now. */
async function handle(request: ParquetWorkerRequest): Promise<ParquetWorkerReply | undefined> {
  switch (request.type) {
    case 'convert': {
      if (!pool) return { type: 'done', id: request.id, digest: await jsonlToParquet(request.jsonlPath, request.parquetPath, request.columns, await parquetCodecOf(request.codec)) };
      const file = new GrowingJsonlToParquet(request.jsonlPath, request.parquetPath, await rowsOf(request.parquetPath, request.columns, request.codec));
      return { type: 'done', id: request.id, digest: await file.end(statSync(request.jsonlPath).size) };
    }
    case 'open':
      streams.set(request.id, new GrowingJsonlToParquet(request.jsonlPath, request.parquetPath, await rowsOf(request.parquetPath, request.columns, request.codec)));
      return undefined;
    case 'grow':
      await streams.get(request.id)!.readTo(request.bytes);
      return undefined;
    case 'end': {
      const stream = streams.get(request.id)!;
      streams.delete(request.id);
      return { type: 'done', id: request.id, digest: await stream.end(request.bytes) };
    }
    case 'discard':
      await streams.get(request.id)!.discard();
      streams.delete(request.id);
      return { type: 'done', id: request.id };
  }
}

parentPort!.on('message', (request: ParquetWorkerRequest) => {
  queue = queue
    .then(() => handle(request))
    .then(
      (reply) => reply && parentPort!.postMessage(reply),
      (error: unknown) => parentPort!.postMessage({ type: 'error', id: request.id, error: threadErrorOf(error) } satisfies ParquetWorkerReply),
    );
});
