import { formatPath, toIssuePath } from '../../issues.js';
import type { SeedSourceSpec } from '../seed-source.js';
import { samplersSeedSchema } from './sampler-spec.js';

/**
 * A samplers source handed to openSeeds directly (the TS API, tests) gets the checks a recipe's gets
 * from the recipe schema; the first problem stops it, named by its key path.
 */
export function checkSamplersSource(spec: SeedSourceSpec & { kind: 'samplers' }, fail: (problem: string) => never): void {
  const result = samplersSeedSchema.safeParse({ count: spec.count, seed: spec.seed, columns: spec.columns });
  if (result.success) return;
  const issue = result.error.issues[0]!;
  fail(`samplers.${formatPath(toIssuePath(issue.path))}: ${issue.message}`);
}
