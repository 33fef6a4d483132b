import { closeSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import type { ColumnSpec } from './column-kinds.js';
import type { FileDigest } from './file-digest.js';
import { ParquetFileWriter, type ParquetCodec } from './parquet-file-writer.js';
import { chunkLines, lastLine, type LineCarry } from './read-file-lines.js';

const READ_BYTES = 1 << 20;

/**
 * The Parquet twin of a JSONL data file (or of a rows file kept only for this): the same rows in the
 * same order, each line's bytes (newline included) bounding the row groups. Reading the file here,
 * rather than being handed the rows, lets a `ParquetThread` do it without the main thread copying
 * a byte; the same lines give the same file wherever it runs.
 */
export async function jsonlToParquet(jsonlPath: string, parquetPath: string, columns: readonly ColumnSpec[], codec: ParquetCodec): Promise<FileDigest> {
  return new GrowingJsonlToParquet(jsonlPath, parquetPath, twinRowsHere(parquetPath, columns, codec)).end(statSync(jsonlPath).size);
}

/** Where a growing twin's lines go: a `ParquetFileWriter` here, or a `ParquetPooledFile` for encode threads. */
export interface TwinRows {
  /**
   * One row's JSON text: `bytes` from `start` to `end`. The reader never writes to a chunk again
   * once its lines are handed over, so the rows may keep views of it.
   */
  addLine(bytes: Buffer, start: number, end: number): void;
  /** After each chunk read: work the lines so far asked for (a pooled file waits here for room). */
  dispatch(): Promise<void>;
  close(): Promise<FileDigest>;
  discard(): Promise<void>;
}

/** The rows of a twin written on this thread: each taken apart as it arrives, its text left where the reader read it. */
export function twinRowsHere(parquetPath: string, columns: readonly ColumnSpec[], codec: ParquetCodec): TwinRows {
  const writer = new ParquetFileWriter(parquetPath, columns, codec);
  return {
    addLine: (bytes, start, end) => writer.addLine(bytes.subarray(start, end), end - start + 1),
    dispatch: async () => undefined,
    close: () => writer.close(),
    discard: async () => rmSync(parquetPath, { force: true }),
  };
}

/**
 * The same twin, written while its JSONL file is still being written: `readTo` takes the lines up
 * to a size the writer has on disk, `end` the rest. The rows reach the writer exactly as
 * `jsonlToParquet` hands them over (so the file's bytes are the same): lines cut on the newline
 * byte, empty lines skipped, each line's UTF-8 size plus its newline as its size (what we wrote is
 * valid UTF-8, so its bytes are what `Buffer.byteLength` of the decoded line counts).
 */
export class GrowingJsonlToParquet {
  private readonly fd: number;
  private offset = 0;
  private readonly carry: LineCarry = {};

  constructor(
    jsonlPath: string,
    private readonly parquetPath: string,
    private readonly rows: TwinRows,
  ) {
    this.fd = openSync(jsonlPath, 'r');
  }

  async readTo(bytes: number): Promise<void> {
    while (this.offset < bytes) {
      // A fresh chunk each read, never written again: the rows keep views of its text (see TwinRows).
      const chunk = Buffer.allocUnsafe(Math.min(READ_BYTES, bytes - this.offset));
      const read = readSync(this.fd, chunk, 0, chunk.length, this.offset);
      if (read === 0) throw new Error(`${this.parquetPath}: its rows file ended at ${this.offset} bytes, ${bytes} expected`);
      this.offset += read;
      drain(chunkLines(read === chunk.length ? chunk : chunk.subarray(0, read), this.carry, this.addLine));
      await this.rows.dispatch();
    }
  }

  async end(bytes: number): Promise<FileDigest> {
    try {
      await this.readTo(bytes);
    } finally {
      closeSync(this.fd);
    }
    drain(lastLine(this.carry, this.addLine));
    return this.rows.close();
  }

  /** The partial file is removed; nothing of it is used. */
  async discard(): Promise<void> {
    closeSync(this.fd);
    await this.rows.discard();
  }

  /** As readFileLines cuts it (a CR before the LF dropped); the byte count is Buffer.byteLength of the decoded line's. */
  private readonly addLine = (bytes: Buffer, start: number, end: number): void => {
    const stop = end > start && bytes[end - 1] === 13 ? end - 1 : end;
    if (stop > start) this.rows.addLine(bytes, start, stop);
  };
}

/** Runs a generator whose work is in the function it calls for each item. */
function drain(items: Iterator<void>): void {
  while (!items.next().done);
}
