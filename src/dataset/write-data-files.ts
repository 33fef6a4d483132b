/**
 * Pass 2 of writing a version. With stratified splits, the spill file is read back in order, each
 * row given its split and added to the sink (its shard's JSON lines, its lineage line); otherwise
 * pass 1 did that already. Then each shard's Parquet twin is finished (parquet-twins.ts: most
 * were streamed while their shard was written), and every file gets its Hugging Face name. Rows keep the order the records arrived in, so the same records give the same bytes.
 */
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataFileSink } from './data-file-sink.js';
import type { FileDigest } from './file-digest.js';
import type { OutputSpec } from './output-spec.js';
import type { ParquetTwins } from './parquet-twins.js';
import { readFileLines } from './read-file-lines.js';
import { splitFractionsOf } from './row-batch.js';
import { parseSpillLine, type SpillResult } from './spill-rows.js';
import { hashUnit, splitOfUnit } from './split-assigner.js';
import { dataFileName, type DataFileFormat, type DataFileInfo, type ShardRows } from './split-shards.js';

export interface WrittenData {
  files: DataFileInfo[];
  /** Rows per split, every split of the recipe listed. */
  splits: Record<string, number>;
  lineage: FileDigest;
}

export async function writeDataFiles(stagingDir: string, spilled: SpillResult, output: OutputSpec, sink: DataFileSink, parquet: ParquetTwins | undefined): Promise<WrittenData> {
  if (spilled.path) await replaySpill(spilled, output, sink);
  const written = await sink.finish();
  const counts = new Map<string, number>();
  for (const shard of written.shards) counts.set(shard.split, (counts.get(shard.split) ?? 0) + 1);
  const pathOf = (shard: ShardRows, format: DataFileFormat): string => dataFileName(shard.split, shard.index, counts.get(shard.split)!, format);
  const twins = parquet ? await parquet.finish(written.shards, (shard) => pathOf(shard, 'parquet'), spilled.columns) : undefined;
  const files: DataFileInfo[] = [];
  for (const shard of written.shards) {
    for (const format of output.files) {
      const path = pathOf(shard, format);
      if (format === 'jsonl') await rename(join(stagingDir, shard.rowsPath), join(stagingDir, path));
      const digest = format === 'jsonl' ? shard.jsonl! : twins!.get(shard)!;
      files.push({ path, split: shard.split, format, rows: shard.rows, ...digest });
    }
    if (!output.files.includes('jsonl')) await rm(join(stagingDir, shard.rowsPath), { force: true });
  }
  return { files, splits: written.splits, lineage: written.lineage };
}

/** Stratified splits: every stratum's ranking is known now, so each spilled row gets its split. */
async function replaySpill(spilled: SpillResult, output: OutputSpec, sink: DataFileSink): Promise<void> {
  const fractions = splitFractionsOf(output);
  for await (const line of readFileLines(spilled.path!)) {
    if (line === '') continue;
    const row = parseSpillLine(line);
    const unit = hashUnit(row.id);
    const split = spilled.stratified && row.stratum !== undefined ? spilled.stratified.splitOf(row.stratum, unit) : splitOfUnit(unit, fractions);
    const written = sink.add(split, row.rowJson, row);
    if (written) await written;
  }
  await rm(spilled.path!, { force: true });
}
