import { join } from 'node:path';
import type { DigestThread } from './digest-thread.js';
import type { FileDigest } from './file-digest.js';
import { JsonlFileWriter } from './jsonl-file-writer.js';
import { LINEAGE_FILE } from './manifest.js';
import type { OutputSpec } from './output-spec.js';
import type { ParquetTwins } from './parquet-twins.js';
import { SplitShardWriter, type ShardOptions, type ShardRows } from './split-shards.js';

const MEBIBYTE = 1024 * 1024;

/** What `lineage.jsonl` says of a sample besides its split, as JSON text (undefined: the key is left out). */
export interface LineageText {
  idJson: string;
  seedIdJson: string | undefined;
  stepsJson: string | undefined;
  contentHash: string;
}

export interface SinkResult {
  /** Every shard, splits in the recipe's order, then by index. */
  shards: ShardRows[];
  /** Rows per split, every split of the recipe listed. */
  splits: Record<string, number>;
  lineage: FileDigest;
}

/**
 * Where rows go once their split is known: the split's shard files (JSON lines, one per row) and one
 * line of `lineage.jsonl` per row, both in the order rows are added, so the same rows give the same
 * bytes. Parquet files are made from the shard files, while they are written (parquet-twins.ts).
 */
export class DataFileSink {
  private readonly writers = new Map<string, SplitShardWriter>();
  private readonly lineage: JsonlFileWriter;
  private readonly splits: Record<string, number>;
  private readonly splitJson = new Map<string, string>();
  private readonly shardOptions: ShardOptions;

  /** `parquet`: told when a shard grows past one row group, to stream its twin; `digests`: where the files' sha256 are computed (default: here). */
  constructor(
    private readonly versionDir: string,
    private readonly output: OutputSpec,
    parquet?: ParquetTwins,
    digests?: DigestThread,
  ) {
    this.splits = Object.fromEntries(Object.keys(output.splits).map((name) => [name, 0]));
    this.lineage = new JsonlFileWriter(join(versionDir, LINEAGE_FILE), digests ? { digest: digests } : {});
    this.shardOptions = {
      keepJsonl: output.files.includes('jsonl'),
      ...(output.max_rows_per_file === undefined ? {} : { maxRowsPerFile: output.max_rows_per_file }),
      ...(output.max_file_mb === undefined ? {} : { maxBytesPerFile: Math.round(output.max_file_mb * MEBIBYTE) }),
      ...(parquet ? { follower: parquet } : {}),
      ...(digests ? { digests } : {}),
    };
  }

  /** `rowJson` is the row as the data files hold it (no newline). A promise only when a write waits for the disk. */
  add(split: string, rowJson: string, lineage: LineageText): Promise<void> | undefined {
    return this.addLines(split, rowJson, lineageLineOf(lineage, this.jsonOfSplit(split)));
  }

  /** `add` with the lineage line already made (lineageLineOf, by a write thread). */
  addLines(split: string, rowJson: string, lineageLine: string): Promise<void> | undefined {
    const row = this.writerOf(split).add(`${rowJson}\n`);
    const line = this.lineage.write(lineageLine);
    return row || line ? Promise.all([row, line]).then(() => undefined) : undefined;
  }

  /**
   * A row's line already encoded (by a write thread): rows[rowStart, rowEnd), its newline included.
   * Its lineage line comes with its batch's, in one `addLineageBytes` after the batch's rows.
   */
  addRowBytes(split: string, rows: Uint8Array, rowStart: number, rowEnd: number): Promise<void> | undefined {
    return this.writerOf(split).addBytes(rows, rowStart, rowEnd);
  }

  /** The lineage lines of rows added with addRowBytes, in their order, already encoded: lineage[start, end). */
  addLineageBytes(lineage: Uint8Array, start: number, end: number): Promise<void> | undefined {
    return this.lineage.writeBytes(lineage, start, end);
  }

  async finish(): Promise<SinkResult> {
    const shards: ShardRows[] = [];
    // Files listed in the recipe's split order, whatever order the splits first appeared in.
    for (const name of Object.keys(this.output.splits)) {
      const writer = this.writers.get(name);
      if (writer) shards.push(...(await writer.finish()));
    }
    return { shards, splits: this.splits, lineage: await this.lineage.close() };
  }

  abort(): void {
    for (const writer of this.writers.values()) writer.abort();
    this.lineage.abort();
  }

  /** The split's shard writer, its row counted. */
  private writerOf(split: string): SplitShardWriter {
    let writer = this.writers.get(split);
    if (!writer) this.writers.set(split, (writer = new SplitShardWriter(this.versionDir, split, this.shardOptions)));
    this.splits[split] = (this.splits[split] ?? 0) + 1;
    return writer;
  }

  private jsonOfSplit(split: string): string {
    let json = this.splitJson.get(split);
    if (json === undefined) this.splitJson.set(split, (json = JSON.stringify(split)));
    return json;
  }
}

/**
 * The sample's line of lineage.jsonl, as `JSON.stringify({ id, seed_id, split, content_hash, steps })`
 * writes it, put together from JSON text already made (an absent value leaves its key out, as there).
 */
export function lineageLineOf(lineage: LineageText, splitJson: string): string {
  const seedId = lineage.seedIdJson === undefined ? '' : `,"seed_id":${lineage.seedIdJson}`;
  const steps = lineage.stepsJson === undefined ? '' : `,"steps":${lineage.stepsJson}`;
  return `{"id":${lineage.idJson}${seedId},"split":${splitJson},"content_hash":"${lineage.contentHash}"${steps}}\n`;
}
