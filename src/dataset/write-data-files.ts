/**
 * Pass 2 of writing a version: the spill file is read back in order, each row is given its split,
 * and goes to that split's shard files (JSONL and/or Parquet); `lineage.jsonl` gets one line per
 * sample. Rows keep the order the records arrived in, so the same records give the same bytes.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileDigest } from './file-digest.js';
import { JsonlFileWriter } from './jsonl-file-writer.js';
import { LINEAGE_FILE } from './manifest.js';
import { readFileLines } from './read-file-lines.js';
import type { OutputSpec } from './output-spec.js';
import type { ParquetCodec } from './parquet-file-writer.js';
import { ParquetThread } from './parquet-thread.js';
import { lineageLineOf, parseSpillLine, splitFractionsOf, type SpillResult } from './spill-rows.js';
import { hashUnit, splitOfUnit } from './split-assigner.js';
import { SplitShardWriter, type DataFileInfo } from './split-shards.js';
import { loadZstdCompressor } from './zstd-compressor.js';

const MEBIBYTE = 1024 * 1024;

export interface WrittenData {
  files: DataFileInfo[];
  /** Rows per split, every split of the recipe listed. */
  splits: Record<string, number>;
  lineage: FileDigest;
}

export async function writeDataFiles(stagingDir: string, spilled: SpillResult, output: OutputSpec): Promise<WrittenData> {
  const fractions = splitFractionsOf(output);
  const splits = Object.fromEntries(fractions.map(([name]) => [name, 0]));
  const writers = new Map<string, SplitShardWriter>();
  const codec = await codecOf(output);
  const lineage = new JsonlFileWriter(join(stagingDir, LINEAGE_FILE));
  // Started only by a Parquet file that outgrows one row group.
  const parquetThread = output.files.includes('parquet') ? new ParquetThread() : undefined;
  const shardOptions = {
    files: output.files,
    columns: spilled.columns,
    codec,
    ...(parquetThread ? { parquetThread } : {}),
    ...(output.max_rows_per_file === undefined ? {} : { maxRowsPerFile: output.max_rows_per_file }),
    ...(output.max_file_mb === undefined ? {} : { maxBytesPerFile: Math.round(output.max_file_mb * MEBIBYTE) }),
  };
  try {
    for await (const line of readFileLines(spilled.path)) {
      if (line === '') continue;
      const spilledLine = parseSpillLine(line);
      const unit = hashUnit(spilledLine.id);
      const split = spilled.stratified && spilledLine.stratum !== undefined ? spilled.stratified.splitOf(spilledLine.stratum, unit) : splitOfUnit(unit, fractions);
      let writer = writers.get(split);
      if (!writer) writers.set(split, (writer = new SplitShardWriter(stagingDir, split, shardOptions)));
      await writer.add(`${spilledLine.rowJson}\n`);
      splits[split] = (splits[split] ?? 0) + 1;
      await lineage.write(lineageLineOf(spilledLine, split));
    }
    const files: DataFileInfo[] = [];
    // Files listed in the recipe's split order, whatever order the splits first appeared in.
    for (const [name] of fractions) {
      const writer = writers.get(name);
      if (writer) files.push(...(await writer.finish()));
    }
    const lineageDigest = await lineage.close();
    await rm(spilled.path, { force: true });
    return { files, splits, lineage: lineageDigest };
  } catch (error) {
    for (const writer of writers.values()) writer.abort();
    lineage.abort();
    throw error;
  } finally {
    // Before the caller removes the staging folder: the thread may still be writing into it.
    await parquetThread?.close();
  }
}

async function codecOf(output: OutputSpec): Promise<ParquetCodec> {
  if (!output.files.includes('parquet') || output.compression === 'snappy') return { codec: 'SNAPPY' };
  return { codec: 'ZSTD', zstd: await loadZstdCompressor() };
}
