import type { ResponseOutcome } from '../store/store-schema.js';

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
  /** dedup: removed as exact / near (MinHash) / semantic (embedding cosine) duplicates. */
  duplicates?: { exact: number; near: number; semantic: number };
  /** filter: removed, by rule. */
  filtered?: { rule: string; removed: number }[];
}

const MAX_EXAMPLES = 3;

export function countInvalid(counts: StepCounts, outcome: Exclude<ResponseOutcome, 'valid'>, example: string | undefined): void {
  counts.invalid ??= {};
  const entry = (counts.invalid[outcome] ??= { count: 0, examples: [] });
  entry.count++;
  if (example && entry.examples.length < MAX_EXAMPLES) entry.examples.push(example);
}

export function totalInvalid(counts: StepCounts): number {
  return Object.values(counts.invalid ?? {}).reduce((sum, entry) => sum + (entry?.count ?? 0), 0);
}
