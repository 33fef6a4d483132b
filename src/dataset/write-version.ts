/**
 * Writes a dataset version: `outputs/<dataset>/v<N>/` with `data/<split>-00000-of-00001.jsonl`,
 * `lineage.jsonl` and `manifest.json`. The version is built in a temporary directory inside the
 * dataset folder and renamed into place, so a crash never leaves a half-written version, and an
 * existing version is never touched.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { copyFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { isAbsolute, join, relative } from 'node:path';
import type { DataRecord } from '../domain.js';
import { UsageError } from '../errors.js';
import type { OutputSpec } from './output-spec.js';

export interface RenderableTemplate {
  render(fields: Record<string, unknown>): string;
}

export interface OutputTemplates {
  messages?: { role: 'system' | 'user' | 'assistant'; content: RenderableTemplate }[];
  fields?: Record<string, RenderableTemplate>;
}

export interface DataFileInfo {
  path: string;
  split: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface VersionInfo {
  dataset: string;
  version: string;
  number: number;
  dir: string;
  rows: number;
  files: DataFileInfo[];
  contentHash: string;
}

export interface WriteVersionInput {
  outputsRoot: string;
  dataset: string;
  records: AsyncIterable<DataRecord>;
  output: OutputSpec;
  templates: OutputTemplates;
  /** Everything the manifest says about how the data was made; files and hashes are added here. */
  manifest: Record<string, unknown>;
  /** Files copied into the version beside the data (e.g. `rejects.jsonl`), before it is published. */
  extraFiles?: { from: string; name: string }[];
}

export async function writeDatasetVersion(input: WriteVersionInput): Promise<VersionInfo> {
  const datasetDir = safeJoin(input.outputsRoot, input.dataset);
  mkdirSync(datasetDir, { recursive: true });
  const temporary = join(datasetDir, `.tmp-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(join(temporary, 'data'), { recursive: true });
  try {
    const file = await writeRows(temporary, input);
    const contentHash = createHash('sha256').update(file.sha256).digest('hex');
    const number = (await latestVersionNumber(datasetDir)) + 1;
    const version = `v${number}`;
    const manifest = {
      ...input.manifest,
      dataset: input.dataset,
      version,
      content_hash: contentHash,
      rows: file.rows,
      files: [file],
    };
    await writeFile(join(temporary, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const extra of input.extraFiles ?? []) await copyFile(extra.from, join(temporary, extra.name));
    const dir = join(datasetDir, version);
    await rename(temporary, dir);
    return { dataset: input.dataset, version, number, dir, rows: file.rows, files: [file], contentHash };
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

async function writeRows(directory: string, input: WriteVersionInput): Promise<DataFileInfo> {
  const relativePath = 'data/train-00000-of-00001.jsonl';
  const data = createWriteStream(join(directory, relativePath));
  const lineage = createWriteStream(join(directory, 'lineage.jsonl'));
  const hash = createHash('sha256');
  let rows = 0;
  let bytes = 0;
  const write = async (stream: ReturnType<typeof createWriteStream>, line: string): Promise<void> => {
    if (!stream.write(line)) await once(stream, 'drain');
  };
  for await (const record of input.records) {
    const line = `${JSON.stringify(toRow(record, input.output, input.templates))}\n`;
    hash.update(line);
    bytes += Buffer.byteLength(line);
    rows++;
    await write(data, line);
    await write(lineage, `${JSON.stringify({ id: record.id, seed_id: record.seedId, steps: record.lineage })}\n`);
  }
  for (const stream of [data, lineage]) {
    stream.end();
    await once(stream, 'finish');
  }
  return { path: relativePath, split: 'train', rows, bytes, sha256: hash.digest('hex') };
}

function toRow(record: DataRecord, output: OutputSpec, templates: OutputTemplates): Record<string, unknown> {
  if (output.format === 'openai-chat' && templates.messages) {
    return { id: record.id, messages: templates.messages.map((message) => ({ role: message.role, content: message.content.render(record.fields) })) };
  }
  return { id: record.id, ...record.fields };
}

export async function latestVersionNumber(datasetDir: string): Promise<number> {
  let latest = 0;
  for (const entry of await readdir(datasetDir).catch(() => [] as string[])) {
    const match = /^v(\d+)$/.exec(entry);
    if (match) latest = Math.max(latest, Number(match[1]));
  }
  return latest;
}

/** Output paths stay inside the output root whatever a recipe says. */
export function safeJoin(root: string, ...segments: string[]): string {
  const path = join(root, ...segments);
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new UsageError('output_path_escape', `refusing to write outside the output root: ${segments.join('/')}`);
  }
  return path;
}
