import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseDatasetRef } from './dataset-ref.js';
import { DatasetCorruptError, DatasetNotFoundError } from './errors.js';
import type { RowOfFormat } from './formats/dataset-formats.js';
import { locateVersion } from './list-versions.js';
import { LINEAGE_FILE, readManifest, type DatasetManifest } from './manifest.js';
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
  const lineage = new LineageIds(dir);
  try {
    for (const file of files) {
      const path = join(dir, file.path);
      if (!existsSync(path)) throw new DatasetCorruptError(`${dir}: data file ${file.path} is missing`, { dir, file: file.path });
      const rows = file.format === 'jsonl' ? readJsonlRows(path) : readParquetRows(path, manifest.columns);
      for await (const row of rows) yield row.id === undefined ? { id: await lineage.next(file.split), ...row } : row;
    }
  } finally {
    await lineage.close();
  }
}

/**
 * The ids of rows written without one (`openai-chat`): lineage.jsonl lists every sample in the order
 * it was written, so the n-th row of a split is the n-th lineage entry of that split.
 */
class LineageIds {
  private readonly readers = new Map<string, AsyncIterator<string>>();
  private readonly path: string;
  constructor(private readonly dir: string) {
    this.path = join(dir, LINEAGE_FILE);
  }

  async next(split: string): Promise<string> {
    let reader = this.readers.get(split);
    if (!reader) this.readers.set(split, (reader = this.idsOf(split)));
    const entry = await reader.next();
    if (entry.done) throw new DatasetCorruptError(`${this.path} lists fewer samples of split "${split}" than its data files hold`, { dir: this.dir, file: LINEAGE_FILE });
    return entry.value;
  }

  async close(): Promise<void> {
    for (const reader of this.readers.values()) await reader.return?.();
  }

  private async *idsOf(split: string): AsyncGenerator<string> {
    if (!existsSync(this.path)) throw new DatasetCorruptError(`${this.path} is missing: the rows of this version carry no id without it`, { dir: this.dir, file: LINEAGE_FILE });
    for await (const entry of readJsonlRows(this.path)) if (entry.split === split) yield String(entry.id);
  }
}
