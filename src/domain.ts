/**
 * Domain types shared by every module. Kept free of imports so any module may use them without
 * breaking the one-way import rule (ARCHITECTURE.md).
 */

/** Field values of one record: what templates see and what a generate step merges its output into. */
export type Fields = Record<string, unknown>;

/** One request that contributed to a record, kept for lineage. */
export interface LineageEntry {
  step: string;
  /** The request key (see engine/request-key.ts). */
  requestKey: string;
  provider: string;
  model: string;
  /** Provider batch id that answered, when the answer did not come from the cache. */
  batchId?: string;
  /** True when the response was served from the response cache. */
  cached?: boolean;
  attempt?: number;
}

/**
 * A record flowing through the steps of a recipe. `id` is stable across runs: it is derived from the
 * seed source and position (or a chosen id field), and a generate step with `n > 1` appends `.k`.
 */
export interface DataRecord {
  id: string;
  fields: Fields;
  /** The seed record this one descends from. */
  seedId: string;
  /**
   * Where the seed record was read, for people: `seeds/x.jsonl:57` (recipe-relative path, 1-based
   * line), `data.parquet row 5`, or `seeds[1] (product) record 5` for sources without a file.
   * Messages about a bad record name this, never the internal id. Absent in stage files written
   * before it existed.
   */
  source?: string;
  lineage: LineageEntry[];
}

export type ProviderId = 'openai' | 'anthropic' | 'gemini' | 'openai-compatible';
export const PROVIDER_IDS: readonly ProviderId[] = ['openai', 'anthropic', 'gemini', 'openai-compatible'];

/** `openai/gpt-4o-mini` → { provider: 'openai', model: 'gpt-4o-mini' }. */
export interface ModelRef {
  provider: ProviderId;
  model: string;
}

export type ChatRole = 'system' | 'user' | 'assistant';
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** Token usage reported for one answered request. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
}
