/**
 * An encode thread of a `ParquetEncodePool` (parquet-encode-pool.ts): parses a row group's lines and
 * encodes the group (zstd included) as the Parquet thread would, answering each request in turn.
 */
import { parentPort } from 'node:worker_threads';
import type { ColumnSpec } from './column-kinds.js';
import type { EncodeReply, EncodeRequest } from './parquet-encode-pool.js';
import { ParquetColumnBuffer } from './parquet-column-buffer.js';
import { encodeGroup, type EncodedGroup } from './parquet-group-writer.js';
import { threadErrorOf } from './parquet-thread.js';
import { parquetCodecOf } from './zstd-compressor.js';

/** The last columns' buffer, kept: a file's groups come with the same columns. */
let buffered: { columnsJson: string; buffer: ParquetColumnBuffer } | undefined;
let queue = Promise.resolve();

async function encode({ lines, columns, codec }: EncodeRequest): Promise<EncodedGroup> {
  const buffer = bufferFor(columns);
  const bytes = Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength);
  try {
    // The lines as `GrowingJsonlToParquet` decodes them, one by one.
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(10, start);
      const end = newline === -1 ? bytes.length : newline;
      buffer.add(bytes.toString('utf8', start, end));
      start = end + 1;
    }
    return encodeGroup(buffer, columns, await parquetCodecOf(codec));
  } finally {
    buffer.clear();
  }
}

function bufferFor(columns: readonly ColumnSpec[]): ParquetColumnBuffer {
  const columnsJson = JSON.stringify(columns);
  if (buffered?.columnsJson !== columnsJson) buffered = { columnsJson, buffer: new ParquetColumnBuffer(columns) };
  return buffered.buffer;
}

parentPort!.on('message', (request: EncodeRequest) => {
  queue = queue
    .then(() => encode(request))
    .then(
      (group) => parentPort!.postMessage({ id: request.id, group } satisfies EncodeReply, [group.bytes.buffer as ArrayBuffer]),
      (error: unknown) => parentPort!.postMessage({ id: request.id, error: threadErrorOf(error) } satisfies EncodeReply),
    );
});
