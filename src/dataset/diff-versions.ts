/**
 * What changed between two versions of a dataset: samples added, removed and changed (same id,
 * different content), matched by id and compared by a hash of their content; rows per split; and
 * the per-step counts of the two runs side by side. The older side is held as id → (hash, split)
 * in memory, about 100 bytes a sample; the newer side streams.
 */
import { parseVersion } from './dataset-ref.js';
import { stepsOf, type StepView } from './manifest-views.js';
import { openDataset, type OpenedDataset } from './open-dataset.js';
import { sampleContentHash } from './sample-hash.js';
import { versionTag } from './version-store.js';

const DEFAULT_LIMIT = 20;

export interface VersionDiff {
  version: 1;
  dataset: string;
  from: { version: string; rows: number; contentHash: string };
  to: { version: string; rows: number; contentHash: string };
  /** Same data files, byte for byte. */
  identical: boolean;
  counts: { added: number; removed: number; changed: number; unchanged: number; movedSplit: number };
  /** Up to `limit` ids of each kind, in file order. */
  added: string[];
  removed: string[];
  changed: string[];
  splits: { split: string; from: number; to: number }[];
  steps: { name: string; kind: string; from?: StepView; to?: StepView }[];
}

export interface DiffOptions {
  /** How many ids to list per kind (default 20); counts are always complete. */
  limit?: number;
}

/** `diffVersions('outputs', 'support-qa', 'v2', 'v3')`; versions as `v3`, `3` or `latest`. */
export async function diffVersions(outputsRoot: string, dataset: string, from: string | number, to: string | number, options: DiffOptions = {}): Promise<VersionDiff> {
  const limit = options.limit ?? DEFAULT_LIMIT;
  const older = await openDataset(outputsRoot, `${dataset}@${refOf(from)}`);
  const newer = await openDataset(outputsRoot, `${dataset}@${refOf(to)}`);

  const before = new Map<string, { hash: string; split: string }>();
  for await (const { id, hash, split } of samplesOf(older)) before.set(id, { hash, split });

  const diff: VersionDiff = {
    version: 1,
    dataset,
    from: summaryOf(older),
    to: summaryOf(newer),
    identical: older.manifest.content_hash === newer.manifest.content_hash,
    counts: { added: 0, removed: 0, changed: 0, unchanged: 0, movedSplit: 0 },
    added: [],
    removed: [],
    changed: [],
    splits: splitCountsOf(older, newer),
    steps: stepCountsOf(older, newer),
  };
  const note = (list: string[], id: string) => list.length < limit && list.push(id);
  for await (const { id, hash, split } of samplesOf(newer)) {
    const previous = before.get(id);
    before.delete(id);
    if (!previous) {
      diff.counts.added++;
      note(diff.added, id);
      continue;
    }
    if (previous.hash === hash) diff.counts.unchanged++;
    else {
      diff.counts.changed++;
      note(diff.changed, id);
    }
    if (previous.split !== split) diff.counts.movedSplit++;
  }
  for (const id of before.keys()) {
    diff.counts.removed++;
    note(diff.removed, id);
  }
  return diff;
}

function refOf(version: string | number): string {
  const parsed = typeof version === 'number' ? version : parseVersion(version);
  return parsed === 'latest' ? 'latest' : versionTag(parsed);
}

async function* samplesOf(opened: OpenedDataset): AsyncGenerator<{ id: string; hash: string; split: string }> {
  for (const split of opened.splits) {
    for await (const row of opened.rows(split) as AsyncIterable<Record<string, unknown>>) {
      yield { id: String(row.id), hash: sampleContentHash(row), split };
    }
  }
}

function summaryOf(opened: OpenedDataset): VersionDiff['from'] {
  return { version: opened.version, rows: opened.manifest.rows, contentHash: opened.manifest.content_hash };
}

function splitCountsOf(older: OpenedDataset, newer: OpenedDataset): VersionDiff['splits'] {
  const names = [...new Set([...Object.keys(newer.manifest.splits), ...Object.keys(older.manifest.splits)])];
  return names.map((split) => ({ split, from: older.manifest.splits[split] ?? 0, to: newer.manifest.splits[split] ?? 0 }));
}

function stepCountsOf(older: OpenedDataset, newer: OpenedDataset): VersionDiff['steps'] {
  const before = stepsOf(older.manifest);
  const after = stepsOf(newer.manifest);
  const names = [...new Set([...after.map((step) => step.name), ...before.map((step) => step.name)])];
  return names.map((name) => {
    const from = before.find((step) => step.name === name);
    const to = after.find((step) => step.name === name);
    return { name, kind: (to ?? from)!.kind, ...(from ? { from } : {}), ...(to ? { to } : {}) };
  });
}
