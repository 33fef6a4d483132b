/**
 * The Parquet twins of a version's JSONL shards, each built while its shard is still being written
 * once the shard passes one row group, so zstd (most of a write's CPU) runs on a `ParquetThread`
 * beside pass 1 instead of after it. A twin is only as good as the schema it was started with: the
 * columns pass 1 knew then. When the columns settle differently (a kind widens, a column appears,
 * a null-only column gets values), the partial twin is thrown away and started again from the
 * shard's first row with the new columns (twice at most; then the shard is converted from its
 * finished JSONL). A twin is kept only if its columns are the final ones, so every file is exactly
 * what converting the finished shards with the final columns writes. Twins of small datasets (no shard past one row group) are written on the
 * calling thread afterwards: they never start a thread. Nor does any twin when there are no Parquet
 * encoders (`parquetEncoders`, 0 on one core): every shard is converted on the calling thread after pass 1.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ColumnSpec } from './column-kinds.js';
import type { FileDigest } from './file-digest.js';
import type { JsonlFileWriter } from './jsonl-file-writer.js';
import { jsonlToParquet } from './jsonl-to-parquet.js';
import type { OutputSpec } from './output-spec.js';
import { needsSeveralGroups, ROW_GROUP_ROWS } from './parquet-file-writer.js';
import { parquetEncoders, ParquetThread, type CodecChoice, type ParquetStream } from './parquet-thread.js';
import type { ShardFollower, ShardRows } from './split-shards.js';
import { parquetCodecOf } from './zstd-compressor.js';

interface Streamed {
  stream: ParquetStream;
  file: JsonlFileWriter;
  /** The columns it was started with, as JSON: compared with the final ones. */
  columnsJson: string;
  /** Where it is written until the shard count (part of the final name) is known. */
  partialPath: string;
  /** Its columns no longer hold: discarded (and maybe started again). */
  stale: boolean;
  /** How many twins of this shard were discarded before this one. */
  restarts: number;
}

/** Twins of one shard started again after a column changed; past this the shard is converted at the end. */
const MAX_RESTARTS = 2;

export class ParquetTwins implements ShardFollower {
  /**
   * Rows past which a shard's twin is streamed: a dataset of one row group per shard is cheaper to
   * convert at the end, on this thread. Once the thread runs, every shard streams from its first row
   * (the other splits' shards too), so less is left to convert after pass 1.
   */
  afterRows = ROW_GROUP_ROWS;
  /** No Parquet thread: nothing is streamed, every twin is converted here after pass 1. */
  private readonly here: boolean;
  private thread: ParquetThread | undefined;
  private readonly streams = new Map<string, Streamed>();
  private readonly discarded: Promise<void>[] = [];
  private columnsNow: () => ColumnSpec[] = () => [];
  private readonly codec: CodecChoice;

  constructor(
    private readonly stagingDir: string,
    output: Pick<OutputSpec, 'compression' | 'compression_level'>,
    encoders = parquetEncoders(),
  ) {
    this.here = encoders === 0;
    if (this.here) this.afterRows = Number.POSITIVE_INFINITY;
    this.codec = output.compression === 'snappy' ? { codec: 'SNAPPY' } : { codec: 'ZSTD', ...(output.compression_level === undefined ? {} : { level: output.compression_level }) };
  }

  /** Where the columns known so far come from (pass 1's tracker; the final columns when replaying a spill). */
  useColumns(columnsNow: () => ColumnSpec[]): void {
    this.columnsNow = columnsNow;
  }

  /** A shard passed `afterRows` rows: its twin is started from what is on disk and follows the file. */
  follow(rowsPath: string, file: JsonlFileWriter): void {
    this.afterRows = 0;
    this.startStream(rowsPath, file, 0);
  }

  /**
   * The columns changed: twins started with other columns stop now rather than at the end, and
   * start again from the file's first row with the new columns (a kind settles early in most data;
   * past `MAX_RESTARTS` the shard waits for the end and is converted then).
   */
  columnsChanged(): void {
    if (this.streams.size === 0) return;
    const columnsJson = JSON.stringify(this.columnsNow());
    for (const [rowsPath, streamed] of [...this.streams]) {
      if (streamed.stale || streamed.columnsJson === columnsJson) continue;
      this.discard(streamed);
      if (streamed.restarts < MAX_RESTARTS) this.startStream(rowsPath, streamed.file, streamed.restarts + 1);
    }
  }

  /**
   * One twin per shard (the shards' rows files complete), under the name `pathOf` gives it: a
   * streamed twin whose columns held is ended and renamed; any other shard is converted.
   */
  async finish(shards: readonly ShardRows[], pathOf: (shard: ShardRows) => string, columns: readonly ColumnSpec[]): Promise<Map<ShardRows, FileDigest>> {
    const digests = new Map<ShardRows, FileDigest>();
    const columnsJson = JSON.stringify(columns);
    for (const streamed of this.streams.values()) if (!streamed.stale && streamed.columnsJson !== columnsJson) this.discard(streamed);
    await Promise.all(this.discarded);
    if (!this.thread && (this.here || !shards.some((shard) => needsSeveralGroups(shard.rows)))) {
      const codec = await parquetCodecOf(this.codec);
      for (const shard of shards) digests.set(shard, await jsonlToParquet(join(this.stagingDir, shard.rowsPath), join(this.stagingDir, pathOf(shard)), columns, codec));
      return digests;
    }
    const thread = (this.thread ??= new ParquetThread());
    const written = await Promise.all(
      shards.map(async (shard) => {
        const streamed = this.streams.get(shard.rowsPath);
        if (!streamed || streamed.stale) return thread.convert(join(this.stagingDir, shard.rowsPath), join(this.stagingDir, pathOf(shard)), columns, this.codec);
        const digest = await streamed.stream.end(streamed.file.bytes);
        await rename(join(this.stagingDir, streamed.partialPath), join(this.stagingDir, pathOf(shard)));
        return digest;
      }),
    );
    for (const [index, shard] of shards.entries()) digests.set(shard, written[index]!);
    return digests;
  }

  /** Ends the thread, finished or not: before the caller removes the staging folder it may still write into. */
  async close(): Promise<void> {
    for (const streamed of this.streams.values()) streamed.file.onDisk = undefined;
    await this.thread?.close();
  }

  private startStream(rowsPath: string, file: JsonlFileWriter, restarts: number): void {
    const columns = this.columnsNow();
    const partialPath = rowsPath.replace(/\.jsonl$/, `.${restarts}.parquet`);
    const thread = (this.thread ??= new ParquetThread());
    const stream = thread.stream(join(this.stagingDir, rowsPath), join(this.stagingDir, partialPath), columns, this.codec);
    this.streams.set(rowsPath, { stream, file, columnsJson: JSON.stringify(columns), partialPath, stale: false, restarts });
    // Bytes already on disk first; `onDisk` then reports each chunk as it lands, a line's end each time.
    if (file.bytesOnDisk > 0) stream.grow(file.bytesOnDisk);
    file.onDisk = (bytes) => stream.grow(bytes);
  }

  private discard(streamed: Streamed): void {
    streamed.stale = true;
    streamed.file.onDisk = undefined;
    const discarded = streamed.stream.discard();
    // Awaited in `finish`; a failure of the thread is reported there, not as unhandled.
    discarded.catch(() => undefined);
    this.discarded.push(discarded);
  }
}
