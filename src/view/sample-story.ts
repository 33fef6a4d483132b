/**
 * One sample end to end, put together from what the run left behind: its lineage line (which
 * request of which step made each field), the seed record it grew from (stage 0 of its run, with
 * the seed file's line), every attempt at each request (the shard line sent, the answer or why it
 * was invalid), what dedup and filters decided, and what it cost. Each source may be gone (a state
 * directory cleaned after publishing); the story then says what could not be read instead of failing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenedDataset } from '../dataset/open-dataset.js';
import { stepsOf } from '../dataset/manifest-views.js';
import { AnswerReader, keyAt, lineCount, readShardKeys, shardInvalidPath } from '../engine/shard-files.js';
import { shardLedgers } from '../store/ledger-breakdown.js';
import { RunStore, type ShardRow } from '../store/run-store.js';
import { FINAL_OUTCOME_BIT, RESPONSE_OUTCOMES } from '../store/store-schema.js';
import { CACHE_KEY_BYTES } from '../store/response-cache.js';
import { findJsonLine, jsonLines, linesAt } from './json-lines.js';
import { parseDuplicateReason, type DuplicateReason } from './reject-groups.js';
import { runDirOf, shardPathOf, type ViewRoots } from './view-paths.js';

export interface Attempt {
  round: number;
  shard: string;
  line: number;
  batchId?: string;
  /** The request line as submitted, its custom_id left out. */
  request?: unknown;
  outcome: string;
  final: boolean;
  reason?: string;
  excerpt?: string;
  answer?: Record<string, unknown>;
  usage?: { inputTokens: number; outputTokens: number };
  /** This request's share of its batch's cost, by tokens. */
  costUsd?: number;
}

export interface StepStory {
  step: string;
  provider?: string;
  model?: string;
  requestKey: string;
  attempts: Attempt[];
  /** The answer came from the response cache, written by an earlier run. */
  cachedFrom?: { run: string; shard: string };
}

export interface Decision {
  step: string;
  kind: string;
  verdict: 'kept' | 'passed' | 'removed' | 'rejected';
  detail: string;
  /** Records a dedup step dropped as duplicates of this one. */
  duplicates?: (DuplicateReason & { id: string; source?: string })[];
}

export interface SampleStory {
  id: string;
  dataset: string;
  version: string;
  split?: string;
  row?: Record<string, unknown>;
  /** When the sample did not make it into the version: its line of rejects.jsonl. */
  rejected?: Record<string, unknown>;
  seed?: { id: string; source?: string; fields?: unknown };
  steps: StepStory[];
  decisions: Decision[];
  cost: { usd: number; inputTokens: number; outputTokens: number };
  notes: string[];
}

export async function sampleStory(roots: ViewRoots, opened: OpenedDataset, id: string): Promise<SampleStory | undefined> {
  const lineage = await findJsonLine(join(opened.dir, 'lineage.jsonl'), 'id', id);
  const rejected = lineage ? undefined : await findJsonLine(join(opened.dir, 'rejects.jsonl'), 'id', id);
  const found = lineage ? await findRow(opened, id, typeof lineage.split === 'string' ? lineage.split : undefined) : undefined;
  if (!lineage && !rejected && !found) return undefined;
  const story: SampleStory = {
    id,
    dataset: opened.dataset,
    version: opened.version,
    ...(found ? { split: found.split, row: found.row } : {}),
    ...(rejected ? { rejected } : {}),
    steps: [],
    decisions: [],
    cost: { usd: 0, inputTokens: 0, outputTokens: 0 },
    notes: [],
  };
  const runId = typeof opened.manifest.run_id === 'string' ? opened.manifest.run_id : undefined;
  const seedId = typeof lineage?.seed_id === 'string' ? lineage.seed_id : undefined;
  if (runId && seedId) {
    const seed = await findJsonLine(join(runDirOf(roots, runId), 'stage-00.jsonl'), 'id', seedId);
    if (seed) story.seed = { id: seedId, ...(typeof seed.source === 'string' ? { source: seed.source } : {}), fields: seed.fields };
    else story.notes.push(`the seed record ${seedId} is no longer in the run folder (${runId})`);
  } else if (rejected && typeof rejected.source === 'string') {
    story.seed = { id, source: rejected.source, fields: rejected.fields };
  }
  if (lineage && runId) await addAttempts(roots, opened, runId, lineage, story);
  story.decisions = await decisionsOf(opened, id, rejected);
  return story;
}

/** Streams the version's rows for the id; a known split narrows the read to its files. */
async function findRow(opened: OpenedDataset, id: string, split: string | undefined): Promise<{ split: string; row: Record<string, unknown> } | undefined> {
  for (const name of split !== undefined && opened.splits.includes(split) ? [split] : opened.splits) {
    for await (const row of opened.rows(name) as AsyncIterable<Record<string, unknown>>) {
      if (row.id === id) return { split: name, row };
    }
  }
  return undefined;
}

async function addAttempts(roots: ViewRoots, opened: OpenedDataset, runId: string, lineage: Record<string, unknown>, story: SampleStory): Promise<void> {
  if (!existsSync(join(roots.stateDir, 'synthforge.db'))) {
    story.notes.push(`no run state in ${roots.stateDir}: prompts, answers and retries are not available (pass --state)`);
    return;
  }
  const stepIndexes = new Map(stepsOf(opened.manifest).map((step, index) => [step.name, index]));
  const store = new RunStore(roots.stateDir);
  const answers = new AnswerReader();
  try {
    for (const entry of Array.isArray(lineage.steps) ? (lineage.steps as Record<string, unknown>[]) : []) {
      const requestKey = typeof entry.requestKey === 'string' ? entry.requestKey : undefined;
      const stepIndex = stepIndexes.get(String(entry.step));
      if (!requestKey || stepIndex === undefined) continue;
      const stepStory: StepStory = {
        step: String(entry.step),
        ...(typeof entry.provider === 'string' ? { provider: entry.provider } : {}),
        ...(typeof entry.model === 'string' ? { model: entry.model } : {}),
        requestKey,
        attempts: await attemptsOf(roots, store, answers, runId, stepIndex, requestKey),
      };
      const cached = store.responses.get(requestKey);
      const cachedShard = cached ? store.shardBySeq(cached.shardSeq) : undefined;
      if (cached && cachedShard && cachedShard.runId !== runId) {
        stepStory.cachedFrom = { run: cachedShard.runId, shard: cachedShard.id };
        const answer = parsedAnswer(answers.read(shardPathOf(roots, cachedShard.runId, cachedShard.inputPath), cached.offset, cached.bytes));
        stepStory.attempts.push({ round: cachedShard.round, shard: cachedShard.id, line: -1, outcome: 'valid', final: true, ...(answer ? { answer } : {}) });
      }
      story.steps.push(stepStory);
    }
  } finally {
    answers.close();
    store.close();
  }
  await priceAttempts(roots, story);
}

/** Every line of this step's shards that asked this request, in round order. */
async function attemptsOf(roots: ViewRoots, store: RunStore, answers: AnswerReader, runId: string, stepIndex: number, requestKey: string): Promise<Attempt[]> {
  const wanted = requestKey.slice(0, CACHE_KEY_BYTES * 2);
  const attempts: Attempt[] = [];
  const shards = store.shardsOfStep(runId, stepIndex).sort((a, b) => a.round - b.round || a.seq - b.seq);
  for (const shard of shards) {
    const path = shardPathOf(roots, runId, shard.inputPath);
    let keys: Buffer;
    try {
      keys = readShardKeys(path);
    } catch {
      continue;
    }
    const lines = new Set<number>();
    for (let line = 0; line < lineCount(keys); line++) if (keyAt(keys, line) === wanted) lines.add(line);
    if (lines.size === 0) continue;
    const requests = await linesAt(path, lines);
    const invalid = await invalidLines(path, lines);
    const outcomes = store.shardOutcomes(shard.id);
    for (const line of lines) {
      attempts.push(await attemptOf(shard, line, requests.get(line), invalid.get(line), outcomes?.[line], store, answers, path, requestKey));
    }
  }
  return attempts;
}

async function attemptOf(
  shard: ShardRow,
  line: number,
  request: Record<string, unknown> | undefined,
  invalid: Record<string, unknown> | undefined,
  outcomeByte: number | undefined,
  store: RunStore,
  answers: AnswerReader,
  path: string,
  requestKey: string,
): Promise<Attempt> {
  const { custom_id: _custom, ...sent } = request ?? {};
  const outcome = outcomeByte === undefined ? (shard.status === 'collected' ? 'unknown' : `not collected (${shard.status})`) : (RESPONSE_OUTCOMES[outcomeByte & ~FINAL_OUTCOME_BIT] ?? 'unknown');
  const attempt: Attempt = {
    round: shard.round,
    shard: shard.id,
    line,
    ...(shard.batchId ? { batchId: shard.batchId } : {}),
    ...(request ? { request: sent } : {}),
    outcome,
    final: outcomeByte !== undefined && (outcomeByte & FINAL_OUTCOME_BIT) !== 0,
  };
  if (invalid) {
    if (typeof invalid.reason === 'string') attempt.reason = invalid.reason;
    if (typeof invalid.excerpt === 'string') attempt.excerpt = invalid.excerpt;
    const usage = invalid.usage as { inputTokens?: number; outputTokens?: number } | undefined;
    if (usage) attempt.usage = { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 };
  }
  if (outcome === 'valid') {
    const cached = store.responses.get(requestKey);
    if (cached && cached.shardSeq === shard.seq) {
      const answer = parsedAnswer(answers.read(path, cached.offset, cached.bytes));
      if (answer) attempt.answer = answer;
      attempt.usage = { inputTokens: cached.usage.inputTokens, outputTokens: cached.usage.outputTokens };
    }
  }
  return attempt;
}

async function invalidLines(shardPath: string, lines: ReadonlySet<number>): Promise<Map<number, Record<string, unknown>>> {
  const found = new Map<number, Record<string, unknown>>();
  for await (const { value } of jsonLines(shardInvalidPath(shardPath), '"line"')) {
    if (typeof value.line === 'number' && lines.has(value.line)) found.set(value.line, value);
  }
  return found;
}

/** A batch's cost is known per shard; each request gets the share its tokens are of the shard's. */
async function priceAttempts(roots: ViewRoots, story: SampleStory): Promise<void> {
  const attempts = story.steps.flatMap((step) => step.attempts);
  const ledgers = new Map(shardLedgers(roots.stateDir, [...new Set(attempts.map((attempt) => attempt.shard))]).map((ledger) => [ledger.shardId, ledger]));
  for (const attempt of attempts) {
    if (!attempt.usage || attempt.line < 0) continue;
    story.cost.inputTokens += attempt.usage.inputTokens;
    story.cost.outputTokens += attempt.usage.outputTokens;
    const ledger = ledgers.get(attempt.shard);
    const shardTokens = ledger ? ledger.inputTokens + ledger.outputTokens : 0;
    if (ledger?.costUsd !== null && ledger !== undefined && shardTokens > 0) {
      attempt.costUsd = (ledger.costUsd * (attempt.usage.inputTokens + attempt.usage.outputTokens)) / shardTokens;
      story.cost.usd += attempt.costUsd;
    }
  }
}

async function decisionsOf(opened: OpenedDataset, id: string, rejected: Record<string, unknown> | undefined): Promise<Decision[]> {
  const steps = stepsOf(opened.manifest).filter((step) => step.kind === 'dedup' || step.kind === 'filter');
  const duplicates = new Map<string, NonNullable<Decision['duplicates']>>();
  for await (const { value } of jsonLines(join(opened.dir, 'rejects.jsonl'), JSON.stringify(id).slice(1, -1))) {
    const parsed = typeof value.reason === 'string' ? parseDuplicateReason(value.reason) : undefined;
    if (!parsed || parsed.of !== id) continue;
    const list = duplicates.get(String(value.step)) ?? [];
    list.push({ ...parsed, id: String(value.id), ...(typeof value.source === 'string' ? { source: value.source } : {}) });
    duplicates.set(String(value.step), list);
  }
  // A record rejected by one step never reached the steps after it.
  const reachedSteps = rejected ? steps.slice(0, steps.findIndex((step) => step.name === rejected.step) + 1) : steps;
  return reachedSteps.map((step): Decision => {
    if (rejected && rejected.step === step.name) {
      return { step: step.name, kind: step.kind, verdict: rejected.kind === 'error' ? 'rejected' : 'removed', detail: String(rejected.reason ?? '') };
    }
    const dropped = duplicates.get(step.name);
    if (step.kind === 'dedup') {
      return { step: step.name, kind: step.kind, verdict: 'kept', detail: dropped ? `kept; ${dropped.length} duplicate(s) of it dropped` : 'kept: no duplicate found', ...(dropped ? { duplicates: dropped } : {}) };
    }
    return { step: step.name, kind: step.kind, verdict: 'passed', detail: 'passed every rule' };
  });
}

/** An answers-file line as the object it holds; undefined when the file is gone or cut short. */
function parsedAnswer(text: string | undefined): Record<string, unknown> | undefined {
  return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
}
