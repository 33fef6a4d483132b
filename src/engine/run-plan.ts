/**
 * What \`plan\` reports: the shape only, in a module of its own so the public types never reach the
 * state store's (and its SQLite binding's) declarations.
 */
import type { StructuredOutputMode } from '../providers/batch-provider.js';

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
}
