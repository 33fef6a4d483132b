import { resolve } from 'node:path';
import { listVersions, type VersionSummary } from '../../dataset/list-versions.js';

export interface VersionsReport {
  version: 1;
  dataset: string;
  outputsRoot: string;
  versions: VersionSummary[];
}

/** `synthforge versions <dataset>`: every published version, oldest first. */
export async function versionsCommand(options: { dataset: string; cwd: string; out?: string }): Promise<VersionsReport> {
  const outputsRoot = resolve(options.cwd, options.out ?? 'outputs');
  return { version: 1, dataset: options.dataset, outputsRoot, versions: await listVersions(outputsRoot, options.dataset) };
}
