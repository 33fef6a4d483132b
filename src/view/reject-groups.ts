/**
 * Why samples did not make it, grouped: the version's `rejects.jsonl` (bad input, filtered,
 * duplicates) by step and reason, and the run's invalid answers (every `.invalid.jsonl` of its
 * shards) by step and outcome; and the dedup steps' clusters, what was kept and what was dropped
 * as a duplicate of it, with how similar. All streamed, keeping a few examples per group.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpenedDataset } from '../dataset/open-dataset.js';
import { stepsOf } from '../dataset/manifest-views.js';
import { jsonLines } from './json-lines.js';
import { runDirOf, type ViewRoots } from './view-paths.js';

const EXAMPLES_PER_GROUP = 5;

export interface RejectGroup {
  step: string;
  kind: string;
  /** The reason with ids and numbers taken out, so one rule or failure is one group. */
  reason: string;
  count: number;
  examples: { id: string; source?: string; reason: string }[];
}

export interface InvalidGroup {
  step: string;
  outcome: string;
  reason: string;
  count: number;
  examples: { shard: string; line: number; reason: string; excerpt?: string }[];
}

export interface DuplicateReason {
  measure?: 'Jaccard' | 'cosine';
  how: string;
  of: string;
  similarity?: number;
}

export interface DedupCluster {
  step: string;
  kept: { id: string; fields?: unknown };
  dropped: { id: string; source?: string; how: string; measure?: string; similarity?: number; fields?: unknown }[];
}

/** `near duplicate of s0-000003.0 (Jaccard 0.867)`, as the dedup step words it (engine/dedup-step.ts). */
export function parseDuplicateReason(reason: string): DuplicateReason | undefined {
  const match = /^(exact|near|semantic) duplicate of (\S+)(?: \((Jaccard|cosine) (-?[\d.]+)\))?$/.exec(reason);
  if (!match) return undefined;
  return { how: match[1]!, of: match[2]!, ...(match[3] ? { measure: match[3] as 'Jaccard' | 'cosine', similarity: Number(match[4]) } : {}) };
}

export function reasonPattern(reason: string): string {
  return reason
    .replace(/\b(v\d+:)?s\d+-\d+(\.\d+)*\b/g, '…')
    .replace(/-?\d+(\.\d+)?/g, '#')
    .slice(0, 300);
}

export async function rejectGroups(opened: OpenedDataset): Promise<RejectGroup[]> {
  const groups = new Map<string, RejectGroup>();
  for await (const { value } of jsonLines(join(opened.dir, 'rejects.jsonl'))) {
    const step = String(value.step ?? '?');
    const kind = String(value.kind ?? '?');
    const full = String(value.reason ?? '');
    const reason = reasonPattern(full);
    const key = `${step}\u0000${kind}\u0000${reason}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { step, kind, reason, count: 0, examples: [] }));
    group.count++;
    if (group.examples.length < EXAMPLES_PER_GROUP) group.examples.push({ id: String(value.id), ...(typeof value.source === 'string' ? { source: value.source } : {}), reason: full });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** Invalid answers of the run that wrote the version, from its shards' files. */
export async function invalidGroups(roots: ViewRoots, opened: OpenedDataset): Promise<InvalidGroup[]> {
  const runId = typeof opened.manifest.run_id === 'string' ? opened.manifest.run_id : undefined;
  if (!runId) return [];
  const shardsDir = join(runDirOf(roots, runId), 'shards');
  const files = (await readdir(shardsDir).catch(() => [] as string[])).filter((name) => name.endsWith('.invalid.jsonl')).sort();
  const stepNames = stepsOf(opened.manifest).map((step) => step.name);
  const groups = new Map<string, InvalidGroup>();
  for (const file of files) {
    const stepIndex = Number(/^step(\d+)-/.exec(file)?.[1]);
    const step = stepNames[stepIndex] ?? `step ${Number.isNaN(stepIndex) ? '?' : stepIndex}`;
    for await (const { value } of jsonLines(join(shardsDir, file))) {
      const outcome = String(value.outcome ?? '?');
      const full = String(value.reason ?? '');
      const reason = reasonPattern(full);
      const key = `${step}\u0000${outcome}\u0000${reason}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { step, outcome, reason, count: 0, examples: [] }));
      group.count++;
      if (group.examples.length < EXAMPLES_PER_GROUP) {
        group.examples.push({ shard: file.replace(/\.invalid\.jsonl$/, ''), line: Number(value.line), reason: full, ...(typeof value.excerpt === 'string' ? { excerpt: value.excerpt } : {}) });
      }
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/**
 * Clusters of the version's dedup steps, largest first. Dropped records are listed only when the
 * run kept them (`--keep-rejects`); the kept record's compared fields come from the step's
 * references file, which every version has.
 */
export async function dedupClusters(opened: OpenedDataset, limit: number): Promise<{ clusters: DedupCluster[]; total: number; keptRejects: boolean }> {
  const clusters = new Map<string, DedupCluster>();
  let keptRejects = false;
  for await (const { value } of jsonLines(join(opened.dir, 'rejects.jsonl'), 'duplicate of')) {
    if (value.kind !== 'duplicate' || typeof value.reason !== 'string') continue;
    const parsed = parseDuplicateReason(value.reason);
    if (!parsed) continue;
    keptRejects = true;
    const step = String(value.step);
    const key = `${step}\u0000${parsed.of}`;
    let cluster = clusters.get(key);
    if (!cluster) clusters.set(key, (cluster = { step, kept: { id: parsed.of }, dropped: [] }));
    cluster.dropped.push({
      id: String(value.id),
      ...(typeof value.source === 'string' ? { source: value.source } : {}),
      how: parsed.how,
      ...(parsed.measure ? { measure: parsed.measure, similarity: parsed.similarity! } : {}),
      fields: value.fields,
    });
  }
  const shown = [...clusters.values()].sort((a, b) => b.dropped.length - a.dropped.length).slice(0, limit);
  await addKeptFields(opened, shown);
  return { clusters: shown, total: clusters.size, keptRejects };
}

async function addKeptFields(opened: OpenedDataset, clusters: DedupCluster[]): Promise<void> {
  const byStep = new Map<string, Map<string, DedupCluster>>();
  for (const cluster of clusters) {
    const ids = byStep.get(cluster.step) ?? new Map<string, DedupCluster>();
    ids.set(cluster.kept.id, cluster);
    byStep.set(cluster.step, ids);
  }
  for (const [step, ids] of byStep) {
    if (!/^[A-Za-z0-9_-]+$/.test(step)) continue;
    for await (const { value } of jsonLines(join(opened.dir, `dedup-references-${step}.jsonl`))) {
      const cluster = ids.get(String(value.id));
      if (cluster) cluster.kept.fields = value.fields;
    }
  }
}
