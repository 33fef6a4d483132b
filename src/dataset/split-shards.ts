import { join } from 'node:path';
import type { DigestThread } from './digest-thread.js';
import type { FileDigest } from './file-digest.js';
import { JsonlFileWriter } from './jsonl-file-writer.js';

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
  /** The rows files are the JSONL data files (digested); else they only feed Parquet and are removed. */
  keepJsonl: boolean;
  maxRowsPerFile?: number;
  /** Measured on the JSON lines, so a JSONL shard and its Parquet twin always hold the same rows. */
  maxBytesPerFile?: number;
  /** Told of each shard's rows file, while it is being written, once it passes `afterRows` rows. */
  follower?: ShardFollower;
  /** Where the JSONL files' digests are computed, if not on the writing thread. */
  digests?: DigestThread;
}

export interface ShardFollower {
  /** Read on each row: may drop (to 0, every shard from its first row) once following began. */
  readonly afterRows: number;
  follow(rowsPath: string, file: JsonlFileWriter): void;
}

/** A closed shard: its rows as JSON lines, under a provisional name (`data/<split>-<index>.partial.jsonl`). */
export interface ShardRows {
  split: string;
  index: number;
  rows: number;
  /** Relative to the version directory. */
  rowsPath: string;
  /** The JSONL data file's digest, when the rows file is kept as one. */
  jsonl?: FileDigest;
}

interface OpenShard {
  rows: number;
  bytes: number;
  writer: JsonlFileWriter;
  followed: boolean;
}

/**
 * The shards of one split, as JSON lines. The total count is only known at the end (shards close by
 * size), so files are written under provisional names and renamed to Hugging Face's
 * `data/<split>-<index>-of-<count>.<ext>` once every file of the split exists (write-data-files.ts).
 */
export class SplitShardWriter {
  private current: OpenShard | undefined;
  private readonly closed: ShardRows[] = [];

  constructor(
    private readonly versionDir: string,
    readonly split: string,
    private readonly options: ShardOptions,
  ) {}

  /** `line` is the row as a JSONL line, with its newline. A promise only when the write waits for the disk. */
  add(line: string): Promise<void> | undefined {
    // The UTF-8 size is needed only to close shards by size.
    const size = this.options.maxBytesPerFile === undefined ? 0 : Buffer.byteLength(line);
    if (this.current && !this.isFull(this.current, size)) return this.append(this.current, line, size);
    return this.openNext().then((shard) => this.append(shard, line, size));
  }

  /** `add` of a line already encoded: bytes[start, end), its newline included. */
  addBytes(bytes: Uint8Array, start: number, end: number): Promise<void> | undefined {
    const size = end - start;
    if (this.current && !this.isFull(this.current, size)) return this.appendBytes(this.current, bytes, start, end);
    return this.openNext().then((shard) => this.appendBytes(shard, bytes, start, end));
  }

  async finish(): Promise<ShardRows[]> {
    await this.closeCurrent();
    return this.closed;
  }

  abort(): void {
    this.current?.writer.abort();
  }

  private append(shard: OpenShard, line: string, size: number): Promise<void> | undefined {
    this.count(shard, size);
    return shard.writer.write(line);
  }

  private appendBytes(shard: OpenShard, bytes: Uint8Array, start: number, end: number): Promise<void> | undefined {
    this.count(shard, end - start);
    return shard.writer.writeBytes(bytes, start, end);
  }

  private count(shard: OpenShard, size: number): void {
    shard.rows++;
    const { follower } = this.options;
    if (follower && !shard.followed && shard.rows > follower.afterRows) {
      shard.followed = true;
      follower.follow(provisionalPath(this.split, this.closed.length), shard.writer);
    }
    shard.bytes += size;
  }

  private isFull(shard: OpenShard, nextSize: number): boolean {
    const { maxRowsPerFile, maxBytesPerFile } = this.options;
    if (maxRowsPerFile !== undefined && shard.rows >= maxRowsPerFile) return true;
    // A row larger than the limit still gets a shard of its own rather than failing.
    return maxBytesPerFile !== undefined && shard.rows > 0 && shard.bytes + nextSize > maxBytesPerFile;
  }

  private async openNext(): Promise<OpenShard> {
    await this.closeCurrent();
    const path = provisionalPath(this.split, this.closed.length);
    this.current = { rows: 0, bytes: 0, writer: new JsonlFileWriter(join(this.versionDir, path), { digest: this.options.keepJsonl && (this.options.digests ?? true) }), followed: false };
    return this.current;
  }

  private async closeCurrent(): Promise<void> {
    const shard = this.current;
    if (!shard) return;
    this.current = undefined;
    const digest = await shard.writer.close();
    const index = this.closed.length;
    this.closed.push({ split: this.split, index, rows: shard.rows, rowsPath: provisionalPath(this.split, index), ...(this.options.keepJsonl ? { jsonl: digest } : {}) });
  }
}

function provisionalPath(split: string, index: number): string {
  return `data/${split}-${pad(index)}.partial.jsonl`;
}

/** Hugging Face's name for shard `index` of `count` of a split. */
export function dataFileName(split: string, index: number, count: number, format: DataFileFormat): string {
  return `data/${split}-${pad(index)}-of-${pad(count)}.${format}`;
}

function pad(value: number): string {
  return String(value).padStart(5, '0');
}
