/**
 * What `synthforge preview` reports, as a stream of typed events (the CLI prints them as they come,
 * or as NDJSON with `--json`): per record, every request with its prompt, answer and judgment, what
 * dedup and filters decided, and the row the output format would write.
 */
import type { ChatMessage, TokenUsage } from '../domain.js';
import type { ResponseOutcome } from '../store/response-outcomes.js';

export interface PreviewSummary {
  /** The preview's run id in the store (its shards hold the answers now cached). */
  runId: string;
  status: 'completed' | 'interrupted' | 'budget_exceeded' | 'failed';
  records: number;
  /** Requests sent through the synchronous APIs, and those the cache answered. */
  sent: number;
  cached: number;
  valid: number;
  invalid: number;
  /** Rows the output format would write for the previewed records. */
  rows: number;
  inputTokens: number;
  outputTokens: number;
  /** What the preview cost, at synchronous prices; null when a model has no known price. */
  costUsd: number | null;
  /** The estimate announced before the first call. */
  estimateUsd: number | null;
  stateDir: string;
}

export type PreviewEvent =
  | {
      type: 'preview-start';
      runId: string;
      recipe: string;
      records: number;
      /** Requests the preview will send (first generate step exact, later ones an upper bound), and those cached. */
      requests: number;
      cached: number;
      /** The preview's estimated cost at synchronous prices (null: a model has no known price). */
      estimateUsd: number | null;
      budgetUsd?: number;
      offline: boolean;
    }
  | { type: 'preview-record'; index: number; record: string; source?: string }
  | {
      type: 'preview-request';
      index: number;
      step: string;
      record: string;
      sampleIndex: number;
      /** The rendered prompt (generate steps) or the text embedded (embed steps). */
      messages?: ChatMessage[];
      input?: string;
      cached: boolean;
      outcome: ResponseOutcome;
      reason?: string;
      /** The answer as the model wrote it (absent for a cached answer and for embeddings). */
      text?: string;
      /** The validated value merged into the record (valid answers). */
      value?: Record<string, unknown>;
      usage?: TokenUsage;
      costUsd?: number;
    }
  | { type: 'preview-rejected'; index: number; step: string; record: string; reason: string }
  | { type: 'preview-dedup'; index: number; step: string; record: string; keep: boolean; reason?: string; duplicateOf?: string; similarity?: number }
  | { type: 'preview-filter'; index: number; step: string; record: string; keep: boolean; rule?: string; detail?: string }
  | { type: 'preview-row'; index: number; record: string; row?: Record<string, unknown>; problems?: string[] }
  | { type: 'preview-end'; summary: PreviewSummary };

export type PreviewEventListener = (event: PreviewEvent) => void;
