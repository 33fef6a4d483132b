/** What a run reports when it ends: counts per step, samples, cost, output; the same object the CLI prints and `--json` emits. */
// Types only from the store, and none that name its SQLite driver: RunSummary is public, and the
// shipped declarations must not need a devDependency's types (summarize-run.ts reads the store).
import type { ResponseOutcome } from '../store/response-outcomes.js';

/** What a run produced: returned by `runRecipe`, printed by the CLI, stored with the run. */
export interface RunSummary {
  version: 1;
  runId: string;
  dataset: string;
  status: 'completed' | 'failed' | 'cancelled' | 'budget_exceeded' | 'interrupted';
  offline: boolean;
  steps: { name: string; kind: string; provider?: string; model?: string; outputMode?: string; counts: StepCounts }[];
  /** Samples of generate steps: asked for, valid, invalid by reason (all steps together). */
  samples: { requested: number; valid: number; invalid: Record<string, number>; sent: number; cached: number };
  batches: string[];
  /** usd/syncUsd: actual, from the ledger; estimateUsd: what the shards sent were estimated at before sending. */
  cost: { usd: number; syncUsd: number; savingsUsd: number; estimateUsd: number; inputTokens: number; outputTokens: number; unpriced: boolean };
  /**
   * Records rejected as bad input, every step together, plus those the output format could not
   * take (`output.unmapped`); `rejectsFile` lists those the steps rejected, with source and reason.
   */
  rejected: number;
  rejectsFile?: string;
  /**
   * `reusedExisting`: the data files equal the latest version's, so no version was added.
   * `unmapped`: records the output format could not take (listed in the version's unmapped.jsonl).
   */
  output?: {
    dataset: string;
    version: string;
    path: string;
    rows: number;
    contentHash: string;
    reusedExisting?: boolean;
    unmapped?: number;
    /** Splits the recipe declares that got no row; each is also a `warning` event. */
    emptySplits?: string[];
  };
  startedAt: string;
  durationMs: number;
  error?: { code: string; message: string };
}

/** Per-step counts, as the summary and the manifest report them. */
export interface StepCounts {
  /** Records entering the step. */
  input: number;
  /** Records leaving it. */
  output: number;
  /** generate: samples asked for (records × n). */
  requested?: number;
  /** generate: requests actually sent to the provider in this run (all attempts). */
  sent?: number;
  /** generate: samples served from the response cache. */
  cached?: number;
  /** generate: valid samples (first try + after retries). */
  succeeded?: number;
  firstTry?: number;
  retried?: number;
  /** generate: invalid samples by reason, with a few examples each. */
  invalid?: Partial<Record<Exclude<ResponseOutcome, 'valid'>, { count: number; examples: string[] }>>;
  /**
   * generate: valid first try / after a repair (by the reason repaired) / after a plain retry, and
   * still invalid by reason (repair-tally.ts).
   */
  repair?: RepairCounts;
  /** dedup: removed as exact / near (MinHash) / semantic (embedding cosine) duplicates. */
  duplicates?: { exact: number; near: number; semantic: number };
  /** decontaminate: removed for sharing an n-gram with the evaluation set. */
  contaminated?: number;
  /** filter: removed, by rule. */
  filtered?: { rule: string; removed: number }[];
  /**
   * Records the step could not process (a field it needs is missing, a template fails for the
   * record): quarantined in the rejects file, never passed on. Examples are `source: reason`.
   */
  rejected?: { count: number; examples: string[] };
  /** judge: records judged, kept, and why the others went (judge-records.ts). */
  judge?: JudgeCounts;
}

/** `counts.judge` of a judge step in the summary and the manifest. */
export interface JudgeCounts {
  mode: 'rubric' | 'pairwise';
  /** Records with a complete judgment (pairwise: both orders valid). */
  judged: number;
  kept: number;
  /** Rubric: records below each `keep_if` threshold (a record missing two counts under both). */
  below?: Record<string, number>;
  /** Pairwise: records whose two orders picked different answers (position bias). */
  disagreed?: number;
  /** Pairwise: records with only one valid order (the other is counted as invalid). */
  incomplete?: number;
}

/** `steps[].counts.repair` of a generate step in the summary and the manifest. */
export interface RepairCounts {
  valid_first_try: number;
  /** By the reason the answer before the repair was invalid for. */
  valid_after_repair: { total: number; by_reason: Partial<Record<ResponseOutcome, number>> };
  valid_after_retry: number;
  still_invalid: { total: number; by_reason: Partial<Record<ResponseOutcome, number>> };
}

const MAX_EXAMPLES = 3;

export function countInvalid(counts: StepCounts, outcome: Exclude<ResponseOutcome, 'valid'>, example: string | undefined): void {
  counts.invalid ??= {};
  const entry = (counts.invalid[outcome] ??= { count: 0, examples: [] });
  entry.count++;
  if (example && entry.examples.length < MAX_EXAMPLES) entry.examples.push(example);
}

/** Counts one rejected record; its example names the record by where it was read, never by internal id. */
export function countRejected(counts: StepCounts, example: string): void {
  counts.rejected ??= { count: 0, examples: [] };
  counts.rejected.count++;
  if (counts.rejected.examples.length < MAX_EXAMPLES) counts.rejected.examples.push(example);
}

/**
 * Adds the counts of a batch of records counted apart (the emit pool's workers) to `counts`, batches
 * in input order: members and reasons new to `counts` are added in the order the batch met them and
 * examples kept while there is room, so the result is what counting each record here would give.
 */
export function addStepCounts(counts: StepCounts, batch: StepCounts): void {
  const target = counts as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(batch) as [keyof StepCounts, unknown][]) {
    if (typeof value === 'number') target[name] = ((target[name] as number | undefined) ?? 0) + value;
    else if (name === 'invalid') {
      counts.invalid ??= {};
      for (const [outcome, entry] of Object.entries(value as NonNullable<StepCounts['invalid']>) as [Exclude<ResponseOutcome, 'valid'>, { count: number; examples: string[] }][]) {
        addExamples((counts.invalid[outcome] ??= { count: 0, examples: [] }), entry);
      }
    } else if (name === 'rejected') addExamples((counts.rejected ??= { count: 0, examples: [] }), value as { count: number; examples: string[] });
    else throw new Error(`addStepCounts: ${name} cannot be added`);
  }
}

function addExamples(into: { count: number; examples: string[] }, from: { count: number; examples: string[] }): void {
  into.count += from.count;
  for (const example of from.examples) if (into.examples.length < MAX_EXAMPLES) into.examples.push(example);
}
