/**
 * An encode thread of a `ParquetEncodePool` (parquet-encode-pool.ts): encodes each row group it is
 * sent from its lines (zstd included), answering each request in turn.
 */
import { parentPort } from 'node:worker_threads';
import type { EncodeReply, EncodeRequest } from './parquet-encode-pool.js';
import { encodeGroupLines } from './parquet-group-lines.js';
import { threadErrorOf } from './parquet-thread.js';
import { parquetCodecOf } from './zstd-compressor.js';

let queue = Promise.resolve();

parentPort!.on('message', (request: EncodeRequest) => {
  queue = queue
    .then(async () => encodeGroupLines(request.lines, request.columns, await parquetCodecOf(request.codec)))
    .then(
      (group) => parentPort!.postMessage({ id: request.id, group, lines: request.lines } satisfies EncodeReply, [group.bytes.buffer as ArrayBuffer, request.lines.buffer as ArrayBuffer]),
      (error: unknown) => parentPort!.postMessage({ id: request.id, error: threadErrorOf(error) } satisfies EncodeReply),
    );
});
