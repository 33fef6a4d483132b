/**
 * Writes one version (or one split of it) as a single file in any output format: JSONL, or Parquet
 * when the file name ends in `.parquet`. Rows are converted (convert-row.ts) and checked against
 * the target format's schema; a row that cannot be converted is skipped and counted, never written
 * half-right. The file appears only when complete (temporary name, then rename).
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { ColumnTracker } from './column-kinds.js';
import { checkConversion, convertRow } from './convert-row.js';
import { ExportUnsupportedError } from './errors.js';
import type { FileDigest } from './file-digest.js';
import { DATASET_FORMATS, type DatasetRow } from './formats/dataset-formats.js';
import type { DatasetFormat } from './formats/format-helpers.js';
import { JsonlFileWriter } from './jsonl-file-writer.js';
import { checkRow } from './map-record.js';
import { openDataset } from './open-dataset.js';
import type { OutputFormat } from './output-spec.js';
import { ParquetFileWriter } from './parquet-file-writer.js';
import { readJsonlRows } from './read-rows.js';
import { loadZstdCompressor } from './zstd-compressor.js';

const MAX_EXAMPLES = 5;

export interface ExportOptions {
  outputsRoot: string;
  /** `support-qa@v3`, `support-qa` (latest). */
  ref: string;
  format: OutputFormat;
  file: string;
  /** One split only; all splits one after another when absent. */
  split?: string;
  /** Keep the `id` column (always kept for raw). Off by default: trainers and upload APIs want only the format's fields. */
  keepId?: boolean;
  /** Replace an existing file. */
  overwrite?: boolean;
  /** Parquet codec; zstd unless told. */
  compression?: 'zstd' | 'snappy';
}

export interface ExportReport {
  version: 1;
  dataset: string;
  datasetVersion: string;
  from: OutputFormat;
  to: OutputFormat;
  split: string | null;
  file: string;
  fileType: 'jsonl' | 'parquet';
  rows: number;
  skipped: number;
  skippedExamples: string[];
  bytes: number;
  sha256: string;
}

export async function exportDataset(options: ExportOptions): Promise<ExportReport> {
  const opened = await openDataset(options.outputsRoot, options.ref);
  checkConversion(opened.format, options.format);
  const file = resolve(options.file);
  if (existsSync(file) && !options.overwrite) {
    throw new UsageError('export_target_exists', `${file} exists; pass --force to replace it`, { details: { file } });
  }
  const fileType = file.endsWith('.parquet') ? 'parquet' : 'jsonl';
  const keepId = options.keepId === true || options.format === 'raw';
  const target = DATASET_FORMATS[options.format] as DatasetFormat<DatasetRow>;
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.partial-${process.pid}`;
  const jsonlPath = fileType === 'jsonl' ? temporary : `${temporary}.jsonl`;
  // Vectors stay float32 in an exported Parquet file when the version stored them so.
  const vectorColumns = opened.manifest.columns.filter((column) => column.kind.type === 'float32-list').map((column) => column.name);
  const tracker = new ColumnTracker([], { vectorColumns });
  const report = { rows: 0, skipped: 0, skippedExamples: [] as string[] };
  const writer = new JsonlFileWriter(jsonlPath);
  try {
    for await (const stored of opened.rows(options.split) as AsyncIterable<Record<string, unknown>>) {
      const converted = convertOne(opened.format, options.format, stored, target);
      if (!converted.ok) {
        report.skipped++;
        if (report.skippedExamples.length < MAX_EXAMPLES) report.skippedExamples.push(`${String(stored.id)}: ${converted.problems.join('; ')}`);
        continue;
      }
      const { id: _id, ...withoutId } = converted.row;
      const row = keepId ? converted.row : withoutId;
      tracker.observe(row);
      await writer.write(`${JSON.stringify(row)}\n`);
      report.rows++;
    }
    let digest = await writer.close();
    if (report.rows === 0 && report.skipped > 0) {
      throw new ExportUnsupportedError(`no row of ${opened.dataset}@${opened.version} converts to ${options.format}; e.g. ${report.skippedExamples[0]}`, {
        from: opened.format,
        to: options.format,
      });
    }
    if (fileType === 'parquet') digest = await jsonlToParquet(jsonlPath, temporary, tracker, options.compression ?? 'zstd');
    await rename(temporary, file);
    return {
      version: 1,
      dataset: opened.dataset,
      datasetVersion: opened.version,
      from: opened.format,
      to: options.format,
      split: options.split ?? null,
      file,
      fileType,
      ...report,
      ...digest,
    };
  } catch (error) {
    writer.abort();
    throw error;
  } finally {
    await rm(temporary, { force: true });
    await rm(`${temporary}.jsonl`, { force: true });
  }
}

function convertOne(
  from: OutputFormat,
  to: OutputFormat,
  stored: Record<string, unknown>,
  target: DatasetFormat<DatasetRow>,
): { ok: true; row: Record<string, unknown> } | { ok: false; problems: string[] } {
  let candidate: Record<string, unknown>;
  try {
    candidate = convertRow(from, to, stored);
  } catch (error) {
    if (error instanceof ExportUnsupportedError) throw error;
    return { ok: false, problems: [error instanceof Error ? error.message : String(error)] };
  }
  const checked = checkRow(target.rowSchema, candidate);
  return checked.ok ? { ok: true, row: checked.row as unknown as Record<string, unknown> } : checked;
}

async function jsonlToParquet(jsonlPath: string, parquetPath: string, tracker: ColumnTracker, compression: 'zstd' | 'snappy'): Promise<FileDigest> {
  const codec = compression === 'zstd' ? { codec: 'ZSTD' as const, zstd: await loadZstdCompressor() } : { codec: 'SNAPPY' as const };
  const writer = new ParquetFileWriter(parquetPath, tracker.columns(), codec);
  for await (const row of readJsonlRows(jsonlPath)) await writer.add(row, JSON.stringify(row).length);
  return writer.close();
}
