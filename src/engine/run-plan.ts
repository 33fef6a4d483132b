/**
 * What \`plan\` reports: the shape only, in a module of its own so the public types never reach the
 * state store's (and its SQLite binding's) declarations.
 */
import type { StructuredOutputMode } from '../providers/batch-provider.js';
import type { RecipeIssue } from '../recipe/recipe-error.js';

export interface StepPlan {
  name: string;
  kind: string;
  provider?: string;
  model?: string;
  outputMode?: StructuredOutputMode;
  /** Records entering the step (an upper bound after the first generate step). */
  inputRecords: number;
  requests?: number;
  /** Of `requests`, those the response cache already answers (sent by no run, free). */
  cached?: number;
  shards?: number;
  /** False when the counts are upper bounds. */
  exact: boolean;
  /** Estimated tokens and cost of the requests to send (generate steps); `null` USD when the model has no known price. */
  estimate?: StepEstimate;
  /** The provider queue the step's shards wait in (providers that cap queued work). */
  queue?: StepQueuePlan;
}

/** A step's share of a provider's batch queue: whether its shards can all be queued at once. */
export interface StepQueuePlan {
  /** `openai/gpt-4o-mini`, or `anthropic` for a queue all of a provider's models share. */
  name: string;
  unit: 'input_tokens' | 'requests';
  /** The configured limit; absent when none is set (a run then learns the room from refusals). */
  limit?: number;
  /** What a run keeps queued at most: the limit less the margin kept for token counts. */
  room?: number;
  source: 'environment' | 'recipe' | 'default';
  /** What the step's requests to send put in the queue, in `unit` (estimated tokens as the run counts them). */
  queued: number;
  /** How many times the queue fills before the step is sent in full (1: everything fits at once). */
  waves?: number;
}

export interface StepEstimate {
  inputTokens: number;
  outputTokens: number;
  batchUsd: number | null;
  syncUsd: number | null;
  savingsUsd: number | null;
  /** What the output estimate rests on: `observed: 20 answers from a preview`, or `schema estimate`. */
  basis: string;
  outputTokensPerRequest: number;
  /** 95% interval of the output tokens and the costs (observed estimates only). */
  range?: EstimateRange;
}

export interface EstimateRange {
  outputTokens: [number, number];
  batchUsd: [number, number] | null;
  syncUsd: [number, number] | null;
}

export interface RunPlan {
  version: 1;
  dataset: string;
  seedRecords: number;
  steps: StepPlan[];
  /** Totals over the generate steps; USD is null if any model has no known price. */
  estimate: { inputTokens: number; outputTokens: number; batchUsd: number | null; syncUsd: number | null; savingsUsd: number | null; range?: EstimateRange };
  budgetUsd?: number;
  /** What compiling the recipe warned about (deprecated or unlisted models, …), with file:line. */
  warnings: RecipeIssue[];
}
