import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import type { ColumnSpec } from './column-kinds.js';
import { DatasetCorruptError } from './errors.js';
import type { OutputFormat } from './output-spec.js';
import type { DataFileInfo } from './split-shards.js';

export const MANIFEST_FILE = 'manifest.json';
export const LINEAGE_FILE = 'lineage.jsonl';
/** Records the output format could not take, with why. Named so `datasets` never takes it for a split. */
export const UNMAPPED_FILE = 'unmapped.jsonl';
export const CARD_FILE = 'README.md';

/**
 * `manifest.json` of a version. The dataset module writes the fields below; the engine adds how the
 * data was made (recipe and its hash, steps with counts, models, batch ids, cost, tool, run id,
 * `created_at`), kept as it passed them, hence the index signature.
 */
/** What the run that made a version says about it (written by the engine, read by show/diff/card). */
export interface RunManifestFields {
  created_at?: string;
  tool?: { name: string; version: string };
  run_id?: string;
  offline?: boolean;
  /** The recipe's description, or its first DESCRIPTION_EXCERPT_CHARS characters (see descriptionFields). */
  description?: string;
  /** Present when `description` is an excerpt: the full description's length in characters. */
  description_chars?: number;
  recipe?: { name: string; path: string; kind: string; sha256: string };
  steps?: { name: string; kind: string; provider?: string; model?: string; structured_output?: string; counts?: Record<string, unknown> }[];
  models?: string[];
  batches?: { step: number; shard: string; provider: string; batch_id?: string }[];
  cost?: { costUsd?: number; syncCostUsd?: number; estimate_usd?: number; inputTokens?: number; outputTokens?: number; [key: string]: unknown };
  /** Records the steps rejected as bad input (listed in rejects.jsonl with source and reason), by step name. */
  rejected?: { count: number; by_step: Record<string, number> };
}

export interface DatasetManifest extends RunManifestFields {
  manifest_version: number;
  dataset: string;
  version: string;
  /** The version that was latest when this one was written; null for v1. */
  parent_version: string | null;
  /** sha256 over `<path>\t<sha256>\n` of every data file, sorted by path. */
  content_hash: string;
  format: OutputFormat;
  rows: number;
  /** Rows per split, every split of the recipe listed (0 when empty). */
  splits: Record<string, number>;
  split_spec: { fractions: Record<string, number>; stratify_by?: string; method: string };
  /** Records the format could not take (see unmapped.jsonl). */
  unmapped: number;
  columns: ColumnSpec[];
  files: DataFileInfo[];
  /** Files beside the data: lineage, unmapped records, rejects. */
  sidecars: { path: string; bytes: number; sha256: string }[];
  written_at: string;
  [key: string]: unknown;
}

/**
 * The recipe path a version records: relative to `base` (the working directory) when the recipe lies
 * inside it, else its file name. Never absolute: a version is pushed to the Hub as it is, and a local
 * path says nothing there but the user's name and folders.
 */
export function portableRecipePath(file: string, base: string): string {
  if (file === '') return file;
  const inside = relative(base, file);
  if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) return inside.split(sep).join('/');
  return basename(file);
}

/** How much of a recipe's description a version keeps, in its manifest and in its card. */
export const DESCRIPTION_EXCERPT_CHARS = 2_000;

/**
 * The manifest fields for a recipe's description: the text when it is short, else its first
 * DESCRIPTION_EXCERPT_CHARS characters and `description_chars`, its full length. A recipe may be
 * tens of megabytes of description; every version would otherwise carry a copy twice (manifest and
 * README), while `recipe.path` and `recipe.sha256` already say where the full text is.
 */
export function descriptionFields(description: string | undefined): Pick<RunManifestFields, 'description' | 'description_chars'> {
  if (description === undefined || description === '') return {};
  if (description.length <= DESCRIPTION_EXCERPT_CHARS) return { description };
  return { description: `${excerptOf(description, DESCRIPTION_EXCERPT_CHARS)}…`, description_chars: description.length };
}

/** The first `limit` UTF-16 units of `text`, never ending in half a surrogate pair. */
export function excerptOf(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

export async function readManifest(versionDir: string): Promise<DatasetManifest> {
  const path = join(versionDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DatasetCorruptError(`${versionDir} has no readable ${MANIFEST_FILE}`, { dir: versionDir, file: MANIFEST_FILE }, { cause: error });
  }
  let parsed: Partial<DatasetManifest>;
  try {
    parsed = JSON.parse(text) as Partial<DatasetManifest>;
  } catch (error) {
    throw new DatasetCorruptError(`${path} is not valid JSON`, { dir: versionDir, file: MANIFEST_FILE }, { cause: error });
  }
  if (!Array.isArray(parsed.files) || typeof parsed.version !== 'string') {
    throw new DatasetCorruptError(`${path} lists no data files or no version`, { dir: versionDir, file: MANIFEST_FILE });
  }
  return withDefaults(parsed as Partial<DatasetManifest> & Pick<DatasetManifest, 'files' | 'version'>);
}

/** Manifests of the first writer lacked file formats, split counts and columns; derive them. */
function withDefaults(manifest: Partial<DatasetManifest> & Pick<DatasetManifest, 'files' | 'version'>): DatasetManifest {
  const files = manifest.files.map((file) => ({ ...file, format: file.format ?? (file.path.endsWith('.parquet') ? 'parquet' : 'jsonl') }));
  const counted = files.some((file) => file.format === 'jsonl') ? 'jsonl' : 'parquet';
  const splits: Record<string, number> = {};
  for (const file of files) if (file.format === counted) splits[file.split] = (splits[file.split] ?? 0) + file.rows;
  return {
    parent_version: null,
    unmapped: 0,
    columns: [],
    sidecars: [],
    format: 'raw',
    written_at: '',
    content_hash: '',
    split_spec: { fractions: {}, method: 'sha256(id)' },
    ...manifest,
    dataset: manifest.dataset ?? '',
    manifest_version: manifest.manifest_version ?? 1,
    rows: manifest.rows ?? Object.values(splits).reduce((sum, rows) => sum + rows, 0),
    splits: manifest.splits ?? splits,
    files,
  } as DatasetManifest;
}
