import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseDatasetRef } from './dataset-ref.js';
import { DatasetCorruptError, DatasetNotFoundError } from './errors.js';
import type { RowOfFormat } from './formats/dataset-formats.js';
import { locateVersion } from './list-versions.js';
import { readManifest, type DatasetManifest } from './manifest.js';
import type { OutputFormat } from './output-spec.js';
import { readJsonlRows, readParquetRows } from './read-rows.js';
import type { DataFileInfo } from './split-shards.js';
import { versionTag } from './version-store.js';

export interface OpenedDatasetOf<F extends OutputFormat> {
  dataset: string;
  version: string;
  number: number;
  dir: string;
  format: F;
  manifest: DatasetManifest;
  /** Every split of the version, in the recipe's order (an empty split yields no rows). */
  splits: string[];
  /** The rows of one split, or of all splits one after another; typed by the format. */
  rows(split?: string): AsyncIterable<RowOfFormat[F]>;
}

/** Narrow on `format` to get typed rows: `if (ds.format === 'openai-chat') for await (const row of ds.rows()) row.messages`. */
export type OpenedDataset = { [F in OutputFormat]: OpenedDatasetOf<F> }[OutputFormat];

/**
 * Opens a published version: `openDataset('outputs', 'support-qa@v3')` (or `support-qa`,
 * `support-qa@latest`). Rows stream from the JSONL files when the version has them, else from Parquet.
 */
export async function openDataset(outputsRoot: string, ref: string): Promise<OpenedDataset> {
  const { dataset, version } = parseDatasetRef(ref);
  const { dir, number } = await locateVersion(outputsRoot, dataset, version);
  const manifest = await readManifest(dir);
  const splits = Object.keys(manifest.splits);
  const source = manifest.files.some((file) => file.format === 'jsonl') ? 'jsonl' : 'parquet';
  const opened: OpenedDatasetOf<OutputFormat> = {
    dataset,
    version: versionTag(number),
    number,
    dir,
    format: manifest.format,
    manifest,
    splits,
    rows(split?: string) {
      if (split !== undefined && !splits.includes(split)) {
        throw new DatasetNotFoundError(`${dataset}@${versionTag(number)} has no split "${split}"; splits: ${splits.join(', ')}`, { dataset, version: versionTag(number), split, known: splits });
      }
      const files = manifest.files.filter((file) => file.format === source && (split === undefined || file.split === split));
      return readFiles(dir, files, manifest) as AsyncIterable<RowOfFormat[OutputFormat]>;
    },
  };
  return opened as OpenedDataset;
}

async function* readFiles(dir: string, files: readonly DataFileInfo[], manifest: DatasetManifest): AsyncGenerator<Record<string, unknown>> {
  for (const file of files) {
    const path = join(dir, file.path);
    if (!existsSync(path)) throw new DatasetCorruptError(`${dir}: data file ${file.path} is missing`, { dir, file: file.path });
    yield* file.format === 'jsonl' ? readJsonlRows(path) : readParquetRows(path, manifest.columns);
  }
}
