import type { ColumnSpec } from './column-kinds.js';
import { digestFile, type FileDigest } from './file-digest.js';
import { ParquetGroupWriter, type BufferedRow, type ParquetCodec } from './parquet-group-writer.js';
import type { ParquetThread, RemoteParquetFile } from './parquet-thread.js';

export type { ParquetCodec } from './parquet-group-writer.js';

/**
 * Row groups close at whichever comes first. Both bounds depend only on the rows, so the same rows
 * always give the same bytes; memory holds one row group per open file.
 */
const ROW_GROUP_ROWS = 10_000;
const ROW_GROUP_BYTES = 64 * 1024 * 1024;

/**
 * One Parquet file written row by row. The schema is fixed up front from the column kinds, and the
 * file carries the Hugging Face features in its `huggingface` metadata, as `datasets` writes them.
 *
 * Given a `ParquetThread`, a file of more than one row group is encoded and compressed on that
 * thread (rows handed over as JSON text, `addJson`), while this thread goes on with the next group:
 * zstd is most of a dataset write's CPU. A file of one group is written here at `close`, so small
 * datasets never start a thread. Both ways run `ParquetGroupWriter` on the same groups: same bytes.
 */
export class ParquetFileWriter {
  private buffered: BufferedRow[] = [];
  private bufferedBytes = 0;
  private local: ParquetGroupWriter | undefined;
  private remote: RemoteParquetFile | undefined;
  /** The group the thread is writing; a failure surfaces at the next add or at close. */
  private inFlight: Promise<void> | undefined;
  rows = 0;

  constructor(
    readonly path: string,
    private readonly columns: readonly ColumnSpec[],
    private readonly codec: ParquetCodec,
    private readonly thread?: ParquetThread,
  ) {
    if (codec.codec === 'ZSTD' && !codec.zstd) throw new Error('ParquetFileWriter: ZSTD needs a compressor');
  }

  /** `sizeHint` is the row's JSON size, used only to bound a row group's memory. */
  async add(row: object, sizeHint: number): Promise<void> {
    if (this.thread) throw new Error('ParquetFileWriter: a writer with a thread takes rows as JSON text (addJson)');
    await this.buffer(row, sizeHint);
  }

  /** A row as its JSON text (one line, no newline needed). */
  async addJson(json: string, sizeHint: number): Promise<void> {
    await this.buffer(json, sizeHint);
  }

  async close(): Promise<FileDigest> {
    // A thread another file started is used for this one's single group too.
    if (!this.remote && this.thread?.running) this.remote = this.thread.open(this.path, this.columns, this.codec.codec);
    if (this.remote) {
      await this.inFlight;
      await this.remote.writeGroup(this.takeGroup());
      await this.remote.finish();
    } else {
      const writer = (this.local ??= new ParquetGroupWriter(this.path, this.columns, this.codec));
      writer.writeGroup(this.takeGroup());
      writer.finish();
    }
    return digestFile(this.path);
  }

  private async buffer(row: BufferedRow, sizeHint: number): Promise<void> {
    this.buffered.push(row);
    this.bufferedBytes += sizeHint;
    this.rows++;
    if (this.buffered.length >= ROW_GROUP_ROWS || this.bufferedBytes >= ROW_GROUP_BYTES) await this.flushGroup();
  }

  private async flushGroup(): Promise<void> {
    const group = this.takeGroup();
    if (this.thread) {
      this.remote ??= this.thread.open(this.path, this.columns, this.codec.codec);
      // Waits only for the group before this one: one group is encoded there while the next fills here.
      await this.inFlight;
      this.inFlight = this.remote.writeGroup(group);
      this.inFlight.catch(() => undefined);
      return;
    }
    (this.local ??= new ParquetGroupWriter(this.path, this.columns, this.codec)).writeGroup(group);
  }

  private takeGroup(): BufferedRow[] {
    const group = this.buffered;
    this.buffered = [];
    this.bufferedBytes = 0;
    return group;
  }
}
