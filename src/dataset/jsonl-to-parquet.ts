import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import type { ColumnSpec } from './column-kinds.js';
import type { FileDigest } from './file-digest.js';
import { ParquetFileWriter, type ParquetCodec } from './parquet-file-writer.js';
import { readFileLines } from './read-file-lines.js';

const READ_BYTES = 1 << 20;

/**
 * The Parquet twin of a JSONL data file (or of a rows file kept only for this): the same rows in the
 * same order, each line's bytes (newline included) bounding the row groups. Reading the file here,
 * rather than being handed the rows, lets a `ParquetThread` do it without the main thread copying
 * a byte; the same lines give the same file wherever it runs.
 */
export async function jsonlToParquet(jsonlPath: string, parquetPath: string, columns: readonly ColumnSpec[], codec: ParquetCodec): Promise<FileDigest> {
  const writer = new ParquetFileWriter(parquetPath, columns, codec);
  for await (const line of readFileLines(jsonlPath)) {
    if (line !== '') writer.addJson(line, Buffer.byteLength(line) + 1);
  }
  return writer.close();
}

/**
 * The same twin, written while its JSONL file is still being written: `readTo` takes the lines up
 * to a size the writer has on disk, `end` the rest. The rows reach the writer exactly as
 * `jsonlToParquet` hands them over (so the file's bytes are the same): lines cut on the newline
 * byte, empty lines skipped, each line's UTF-8 size plus its newline as its size (what we wrote is
 * valid UTF-8, so its bytes are what `Buffer.byteLength` of the decoded line counts).
 */
export class GrowingJsonlToParquet {
  private readonly writer: ParquetFileWriter;
  private readonly fd: number;
  private offset = 0;
  private rest: Buffer | undefined;

  constructor(
    jsonlPath: string,
    private readonly parquetPath: string,
    columns: readonly ColumnSpec[],
    codec: ParquetCodec,
  ) {
    this.fd = openSync(jsonlPath, 'r');
    this.writer = new ParquetFileWriter(parquetPath, columns, codec);
  }

  readTo(bytes: number): void {
    while (this.offset < bytes) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_BYTES, bytes - this.offset));
      const read = readSync(this.fd, chunk, 0, chunk.length, this.offset);
      if (read === 0) throw new Error(`${this.parquetPath}: its rows file ended at ${this.offset} bytes, ${bytes} expected`);
      this.offset += read;
      this.addLines(read === chunk.length ? chunk : chunk.subarray(0, read));
    }
  }

  async end(bytes: number): Promise<FileDigest> {
    this.readTo(bytes);
    if (this.rest) this.addLine(this.rest, 0, this.rest.length);
    closeSync(this.fd);
    return this.writer.close();
  }

  /** The partial file is removed; nothing of it is used. */
  discard(): void {
    closeSync(this.fd);
    rmSync(this.parquetPath, { force: true });
  }

  private addLines(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(10);
    if (this.rest && newline !== -1) {
      const line = Buffer.concat([this.rest, chunk.subarray(0, newline)]);
      this.rest = undefined;
      this.addLine(line, 0, line.length);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    for (; newline !== -1; newline = chunk.indexOf(10, start)) {
      this.addLine(chunk, start, newline);
      start = newline + 1;
    }
    if (start < chunk.length) this.rest = this.rest ? Buffer.concat([this.rest, chunk.subarray(start)]) : chunk.subarray(start);
  }

  private addLine(bytes: Buffer, start: number, end: number): void {
    if (end > start) this.writer.addJson(bytes.toString('utf8', start, end), end - start + 1);
  }
}
