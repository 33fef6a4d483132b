import { resolve } from 'node:path';
import { diffVersions, type VersionDiff } from '../../dataset/diff-versions.js';

/** `synthforge diff <dataset> vA vB`: samples added, removed and changed, rows per split, counts per step. */
export async function diffCommand(options: { dataset: string; from: string; to: string; cwd: string; out?: string; limit?: number }): Promise<VersionDiff> {
  const outputsRoot = resolve(options.cwd, options.out ?? 'outputs');
  return diffVersions(outputsRoot, options.dataset, options.from, options.to, options.limit === undefined ? {} : { limit: options.limit });
}
