/**
 * Writes a dataset version, `outputs/<dataset>/v<N>/`:
 *
 *   data/<split>-00000-of-0000M.jsonl|.parquet   rows of the output format, sharded
 *   lineage.jsonl     sample id → seed id, split, content hash, request keys, batch ids, models
 *   unmapped.jsonl    records the format could not take, with why (only when there are some)
 *   manifest.json     how it was made (from the engine) + files, hashes, counts, columns
 *   README.md         Hugging Face dataset card
 *
 * Everything is built in a staging folder and renamed into place; an existing version is never
 * touched. When the new data files are byte-identical to the latest version's, no version is added
 * (unless `forceVersion`): the latest one is returned with `reusedExisting: true`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataRecord } from '../domain.js';
import { UsageError } from '../errors.js';
import { DataFileSink } from './data-file-sink.js';
import { DigestThread } from './digest-thread.js';
import { renderDatasetCard } from './dataset-card.js';
import { OutputUnmappableError } from './errors.js';
import { digestFile } from './file-digest.js';
import { CARD_FILE, LINEAGE_FILE, MANIFEST_FILE, readManifest, UNMAPPED_FILE, type DatasetManifest } from './manifest.js';
import type { OutputSpec } from './output-spec.js';
import type { OutputTemplates } from './output-templates.js';
import { ParquetTwins } from './parquet-twins.js';
import { rowsMappedOnThreads, spillRows } from './spill-rows.js';
import type { DataFileInfo } from './split-shards.js';
import {
  checkOutputRoot,
  createStagingDir,
  datasetDirOf,
  latestVersionNumber,
  makeFilesReadOnly,
  publishVersion,
  safeJoin,
  versionTag,
} from './version-store.js';
import { writeDataFiles } from './write-data-files.js';

export type { OutputTemplates, RenderableTemplate } from './output-templates.js';
export type { DataFileInfo } from './split-shards.js';
export { latestVersionNumber, safeJoin };

const MANIFEST_VERSION = 1;

export interface VersionInfo {
  dataset: string;
  version: string;
  number: number;
  dir: string;
  rows: number;
  splits: Record<string, number>;
  files: DataFileInfo[];
  contentHash: string;
  /** Records the output format could not take (listed in unmapped.jsonl). */
  unmapped: number;
  /** True when nothing was written because the latest version already holds these exact data files. */
  reusedExisting: boolean;
}

export interface WriteVersionInput {
  outputsRoot: string;
  dataset: string;
  /** Iterated once. */
  records?: AsyncIterable<DataRecord>;
  /**
   * The records as a stage file holds them, instead of `records`: chunks of whole lines, one JSON
   * record per line (empty lines skipped), iterated once. Mapped on write threads where there are
   * cores for them (`SYNTHFORGE_WRITE_THREADS`); the threads compile the templates from `output`
   * as the engine does, so `templates` must be those (a function template keeps the work here).
   */
  recordLines?: AsyncIterable<Uint8Array>;
  /**
   * Each chunk of `recordLines` ends at a line end and is a view of memory nothing else holds (a
   * stage tap's chunks, readStageLineBatches'): a write thread is handed it as it is, not a copy.
   */
  recordLinesOwned?: boolean;
  output: OutputSpec;
  templates: OutputTemplates;
  /**
   * Everything the manifest says about how the data was made; files and hashes are added here. A
   * function is called once the records are read (what made them may finish while they are written).
   */
  manifest: Record<string, unknown> | (() => Record<string, unknown>);
  /** Files copied into the version beside the data (e.g. `rejects.jsonl`), before it is published; a function is called once the records are read. */
  extraFiles?: { from: string; name: string }[] | (() => { from: string; name: string }[]);
  /** Write a new version even when its data files equal the latest version's. */
  forceVersion?: boolean;
  /**
   * Columns holding embedding vectors (the engine passes the fields of its embed steps): a list of
   * numbers there is written to Parquet as list<float> (float32) and declared `list: float32` in the
   * card. JSONL keeps the numbers as they are. Other columns of numbers stay float64.
   */
  vectorColumns?: readonly string[];
}

export async function writeDatasetVersion(input: WriteVersionInput): Promise<VersionInfo> {
  // Checked before the run too; again here, because a long run leaves time for the folder to change.
  await checkOutputRoot(input.outputsRoot, input.dataset);
  const datasetDir = datasetDirOf(input.outputsRoot, input.dataset);
  // A first version that fails leaves no empty dataset folder behind (the write may start before the run can fail).
  const datasetDirIsNew = !existsSync(datasetDir);
  const staging = await createStagingDir(datasetDir);
  const parquet = input.output.files.includes('parquet') ? new ParquetTwins(staging, input.output) : undefined;
  // Where write threads map the rows, the data files' digests are computed beside them too.
  const digests = rowsMappedOnThreads(input) ? new DigestThread() : undefined;
  const sink = new DataFileSink(staging, input.output, parquet, digests);
  try {
    const spilled = await spillRows(staging, input, sink, parquet);
    if (spilled.rows === 0 && spilled.unmapped > 0) {
      throw new OutputUnmappableError(
        `none of the ${spilled.unmapped} records could be mapped to the ${input.output.format} format; e.g. ${spilled.unmappedExamples[0]}`,
        { format: input.output.format, unmapped: spilled.unmapped, examples: spilled.unmappedExamples },
      );
    }
    const made = typeof input.manifest === 'function' ? input.manifest() : input.manifest;
    const extraFiles = typeof input.extraFiles === 'function' ? input.extraFiles() : (input.extraFiles ?? []);
    const written = await writeDataFiles(staging, spilled, input.output, sink, parquet);
    await parquet?.close();
    const contentHash = contentHashOf(written.files);

    const latest = await latestVersionNumber(datasetDir);
    if (latest > 0 && !input.forceVersion) {
      const dir = join(datasetDir, versionTag(latest));
      const previous = await readManifest(dir);
      if (previous.content_hash === contentHash) {
        await rm(staging, { recursive: true, force: true });
        return versionInfoOf(previous, dir, true);
      }
    }

    const sidecars = [{ path: LINEAGE_FILE, ...written.lineage }];
    if (spilled.unmapped > 0) sidecars.push({ path: UNMAPPED_FILE, ...(await digestFile(join(staging, UNMAPPED_FILE))) });
    for (const extra of extraFiles) {
      const target = safeJoin(staging, checkedExtraName(extra.name));
      await copyFile(extra.from, target);
      sidecars.push({ path: extra.name, ...(await digestFile(target)) });
    }

    let manifest: DatasetManifest | undefined;
    const number = await publishVersion(staging, datasetDir, latest + 1, async (candidate) => {
      manifest = {
        ...made,
        manifest_version: MANIFEST_VERSION,
        dataset: input.dataset,
        version: versionTag(candidate),
        parent_version: candidate > 1 ? versionTag(candidate - 1) : null,
        content_hash: contentHash,
        format: input.output.format,
        rows: spilled.rows,
        splits: written.splits,
        split_spec: {
          fractions: input.output.splits,
          ...(input.output.stratify_by ? { stratify_by: input.output.stratify_by } : {}),
          method: input.output.stratify_by ? 'rank of sha256(id) within each stratum' : 'sha256(id)',
        },
        unmapped: spilled.unmapped,
        columns: spilled.columns,
        files: written.files,
        sidecars,
        written_at: new Date().toISOString(),
      };
      await replaceFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      await replaceFile(join(staging, CARD_FILE), renderDatasetCard(manifest, input.output.card));
      await makeFilesReadOnly(staging);
    });
    return versionInfoOf(manifest!, join(datasetDir, versionTag(number)), false);
  } catch (error) {
    sink.abort();
    // Before the staging folder goes: the Parquet thread may still be writing into it.
    await parquet?.close();
    await rm(staging, { recursive: true, force: true });
    // rmdir removes only an empty folder: another process's version or staging folder stays.
    if (datasetDirIsNew) await rmdir(datasetDir).catch(() => {});
    throw error;
  } finally {
    await digests?.close();
  }
}

/** sha256 over `<path>\t<sha256>\n` per data file, sorted by path: names and bytes, nothing else. */
export function contentHashOf(files: readonly Pick<DataFileInfo, 'path' | 'sha256'>[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) hash.update(`${file.path}\t${file.sha256}\n`);
  return hash.digest('hex');
}

function versionInfoOf(manifest: DatasetManifest, dir: string, reusedExisting: boolean): VersionInfo {
  return {
    dataset: manifest.dataset,
    version: manifest.version,
    number: Number(manifest.version.slice(1)),
    dir,
    rows: manifest.rows,
    splits: manifest.splits,
    files: manifest.files,
    contentHash: manifest.content_hash,
    unmapped: manifest.unmapped ?? 0,
    reusedExisting,
  };
}

const RESERVED_NAMES = new Set([MANIFEST_FILE, CARD_FILE, LINEAGE_FILE, UNMAPPED_FILE]);

/** A sidecar may not replace a file the version writes itself, nor land among the data files. */
function checkedExtraName(name: string): string {
  if (RESERVED_NAMES.has(name) || name.startsWith('data/') || name.startsWith('.')) {
    throw new UsageError('output_name_reserved', `cannot add "${name}" to a version: the name is reserved`, { details: { name } });
  }
  return name;
}

/** A retry of publishVersion rewrites files it already made read-only; removing first works for any user. */
async function replaceFile(path: string, text: string): Promise<void> {
  await rm(path, { force: true });
  await writeFile(path, text);
}
