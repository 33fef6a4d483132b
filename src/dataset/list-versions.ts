import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetNotFoundError } from './errors.js';
import { readManifest } from './manifest.js';
import { costOf, createdAtOf, modelsOf } from './manifest-views.js';
import type { OutputFormat } from './output-spec.js';
import { datasetDirOf, versionNumbers, versionTag } from './version-store.js';

export interface VersionSummary {
  dataset: string;
  version: string;
  number: number;
  dir: string;
  createdAt: string;
  format: OutputFormat;
  rows: number;
  splits: Record<string, number>;
  contentHash: string;
  parentVersion: string | null;
  unmapped: number;
  models: string[];
  costUsd: number;
}

/** Every published version of a dataset, oldest first. Staging folders of unfinished writes are not versions. */
export async function listVersions(outputsRoot: string, dataset: string): Promise<VersionSummary[]> {
  const datasetDir = await existingDatasetDir(outputsRoot, dataset);
  const summaries: VersionSummary[] = [];
  for (const number of await versionNumbers(datasetDir)) {
    const dir = join(datasetDir, versionTag(number));
    const manifest = await readManifest(dir);
    summaries.push({
      dataset,
      version: versionTag(number),
      number,
      dir,
      createdAt: createdAtOf(manifest),
      format: manifest.format,
      rows: manifest.rows,
      splits: manifest.splits,
      contentHash: manifest.content_hash,
      parentVersion: manifest.parent_version ?? null,
      unmapped: manifest.unmapped ?? 0,
      models: modelsOf(manifest),
      costUsd: costOf(manifest).usd,
    });
  }
  return summaries;
}

/** The folder of `dataset@version`; throws naming what exists when it does not. */
export async function locateVersion(outputsRoot: string, dataset: string, version: number | 'latest'): Promise<{ dir: string; number: number }> {
  const datasetDir = await existingDatasetDir(outputsRoot, dataset);
  const numbers = await versionNumbers(datasetDir);
  const number = version === 'latest' ? numbers.at(-1) : numbers.includes(version) ? version : undefined;
  if (number === undefined) {
    const known = numbers.map(versionTag);
    const wanted = version === 'latest' ? 'any version' : versionTag(version);
    throw new DatasetNotFoundError(`${dataset} has no ${wanted}${known.length ? `; versions: ${known.join(', ')}` : ''}`, {
      dataset,
      ...(version === 'latest' ? {} : { version: versionTag(version) }),
      known,
    });
  }
  return { dir: join(datasetDir, versionTag(number)), number };
}

async function existingDatasetDir(outputsRoot: string, dataset: string): Promise<string> {
  const datasetDir = datasetDirOf(outputsRoot, dataset);
  if (existsSync(datasetDir)) return datasetDir;
  const known = await knownDatasets(outputsRoot);
  throw new DatasetNotFoundError(`no dataset "${dataset}" in ${outputsRoot}${known.length ? `; datasets: ${known.join(', ')}` : ''}`, { dataset, known });
}

async function knownDatasets(outputsRoot: string): Promise<string[]> {
  const entries = await readdir(outputsRoot, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory() && (await versionNumbers(join(outputsRoot, entry.name))).length > 0) names.push(entry.name);
  }
  return names.sort();
}
