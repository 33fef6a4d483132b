import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ColumnSpec } from './column-kinds.js';
import type { FileDigest } from './file-digest.js';
import { JsonlFileWriter } from './jsonl-file-writer.js';
import { ParquetFileWriter, type ParquetCodec } from './parquet-file-writer.js';
import type { ParquetThread } from './parquet-thread.js';

export type DataFileFormat = 'jsonl' | 'parquet';

export interface DataFileInfo {
  /** Relative to the version directory, `data/train-00000-of-00002.parquet`. */
  path: string;
  split: string;
  format: DataFileFormat;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface ShardOptions {
  files: readonly DataFileFormat[];
  columns: readonly ColumnSpec[];
  codec: ParquetCodec;
  /** Where Parquet files of more than one row group are encoded (see ParquetFileWriter). */
  parquetThread?: ParquetThread;
  maxRowsPerFile?: number;
  /** Measured on the JSON lines, so a JSONL shard and its Parquet twin always hold the same rows. */
  maxBytesPerFile?: number;
}

interface OpenShard {
  rows: number;
  bytes: number;
  jsonl?: JsonlFileWriter;
  parquet?: ParquetFileWriter;
}

interface ClosedShard {
  rows: number;
  digests: Partial<Record<DataFileFormat, FileDigest>>;
}

/**
 * The shards of one split. The total count is only known at the end (shards close by size), so
 * files are written under provisional names and renamed to Hugging Face's
 * `data/<split>-<index>-of-<count>.<ext>` once the split is complete.
 */
export class SplitShardWriter {
  private current: OpenShard | undefined;
  private readonly closed: ClosedShard[] = [];

  constructor(
    private readonly versionDir: string,
    readonly split: string,
    private readonly options: ShardOptions,
  ) {}

  /** `line` is the row as a JSONL line (with its newline); Parquet parses it back only when its group is written. */
  async add(line: string): Promise<void> {
    const size = Buffer.byteLength(line);
    const shard = this.current && !this.isFull(this.current, size) ? this.current : await this.openNext();
    shard.rows++;
    shard.bytes += size;
    await shard.jsonl?.write(line);
    if (shard.parquet) await shard.parquet.addJson(line.slice(0, -1), size);
  }

  async finish(): Promise<DataFileInfo[]> {
    await this.closeCurrent();
    const count = this.closed.length;
    const files: DataFileInfo[] = [];
    for (const [index, shard] of this.closed.entries()) {
      for (const format of this.options.files) {
        const digest = shard.digests[format]!;
        const path = `data/${this.split}-${pad(index)}-of-${pad(count)}.${format}`;
        await rename(join(this.versionDir, this.provisionalPath(index, format)), join(this.versionDir, path));
        files.push({ path, split: this.split, format, rows: shard.rows, ...digest });
      }
    }
    return files;
  }

  abort(): void {
    this.current?.jsonl?.abort();
  }

  private isFull(shard: OpenShard, nextSize: number): boolean {
    const { maxRowsPerFile, maxBytesPerFile } = this.options;
    if (maxRowsPerFile !== undefined && shard.rows >= maxRowsPerFile) return true;
    // A row larger than the limit still gets a shard of its own rather than failing.
    return maxBytesPerFile !== undefined && shard.rows > 0 && shard.bytes + nextSize > maxBytesPerFile;
  }

  private async openNext(): Promise<OpenShard> {
    await this.closeCurrent();
    const index = this.closed.length;
    const { files, columns, codec, parquetThread } = this.options;
    this.current = {
      rows: 0,
      bytes: 0,
      ...(files.includes('jsonl') ? { jsonl: new JsonlFileWriter(join(this.versionDir, this.provisionalPath(index, 'jsonl'))) } : {}),
      ...(files.includes('parquet') ? { parquet: new ParquetFileWriter(join(this.versionDir, this.provisionalPath(index, 'parquet')), columns, codec, parquetThread) } : {}),
    };
    return this.current;
  }

  private async closeCurrent(): Promise<void> {
    const shard = this.current;
    if (!shard) return;
    this.current = undefined;
    const digests: ClosedShard['digests'] = {};
    if (shard.jsonl) digests.jsonl = await shard.jsonl.close();
    if (shard.parquet) digests.parquet = await shard.parquet.close();
    this.closed.push({ rows: shard.rows, digests });
  }

  private provisionalPath(index: number, format: DataFileFormat): string {
    return `data/${this.split}-${pad(index)}.partial.${format}`;
  }
}

function pad(value: number): string {
  return String(value).padStart(5, '0');
}
