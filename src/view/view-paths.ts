/**
 * Where the viewer may read, and the checks on every name a URL carries before it becomes part of
 * a path: a run folder is `<state>/runs/<run id>/`, never a path the store recorded (a moved state
 * directory would point elsewhere, and a path from a file is not to be trusted with reads).
 */
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const SPLIT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SAMPLE_ID = /^[^\u0000-\u001f]{1,512}$/;

export interface ViewRoots {
  /** The dataset output root (`--out`). */
  outputsRoot: string;
  /** The run state directory (`--state`). */
  stateDir: string;
}

export function checkedRunId(runId: string): string {
  if (!RUN_ID.test(runId)) throw new UsageError('view_name_invalid', `"${runId}" is not a run id (letters, digits, "_" and "-")`);
  return runId;
}

export function checkedSplit(split: string): string {
  if (!SPLIT.test(split)) throw new UsageError('view_name_invalid', `"${split}" is not a split name`);
  return split;
}

export function checkedSampleId(id: string): string {
  if (!SAMPLE_ID.test(id)) throw new UsageError('view_name_invalid', 'a sample id is 1 to 512 characters, no control characters');
  return id;
}

export function runDirOf(roots: ViewRoots, runId: string): string {
  return join(roots.stateDir, 'runs', checkedRunId(runId));
}

/** A shard's request file inside its run's folder, from the path the store recorded. */
export function shardPathOf(roots: ViewRoots, runId: string, recordedPath: string): string {
  return join(runDirOf(roots, runId), 'shards', basename(recordedPath));
}
