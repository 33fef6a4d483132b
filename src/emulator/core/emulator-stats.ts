/** Counters the emulator exposes through `stats()` and `GET /_emulator/stats`. */

/** How many times each fault was really injected (a decided fault that could not apply is not counted). */
export interface FaultTally {
  malformedJson: number;
  schemaInvalid: number;
  lineError: number;
  refusal: number;
  truncation: number;
  nearDuplicate: number;
  /** Repair turns (core/repair-turns.ts) answered with valid JSON. */
  repairValid: number;
  /** Repair turns answered invalidly again. */
  repairInvalid: number;
  /** Answers cut because the request's own max_tokens was too small (not a fault option: real behaviour). */
  maxTokensCutoff: number;
  /** Lines that did not run because their batch expired. */
  expiredLines: number;
  /** Lines that did not run because their batch was cancelled. */
  cancelledLines: number;
  expiredBatches: number;
  failedValidationBatches: number;
  createErrors: number;
  listErrors: number;
  /** API calls refused by the `authError` fault. */
  authErrors: number;
  syncErrors: number;
}

export interface EmulatorStats {
  /** OpenAI multipart uploads and finished Gemini resumable uploads. */
  filesUploaded: number;
  batchesCreated: { openai: number; anthropic: number; gemini: number };
  /** Every batch-create call, including rejected and fault-injected ones. */
  createAttempts: { openai: number; anthropic: number; gemini: number };
  /** Requests in batches that passed validation (OpenAI and Gemini file jobs: lines of the input file). */
  requestsReceived: { openai: number; anthropic: number; gemini: number };
  /** Synchronous completions: `POST /v1/chat/completions` and `POST /v1/messages`. */
  chatCompletions: number;
  /** Accepted cancel calls of any provider. */
  cancels: number;
  /** Distinct custom_ids this server (and earlier servers on the same dataDir) has run. */
  seenCustomIds: number;
  /** Faults injected so far; batch faults are added when the batch reaches its end state. */
  faultsInjected: FaultTally;
  /** What the queue limits saw (EmulatorLimits' queue limits); empty while none is set. */
  queue: QueueStats;
}

export interface QueueStats {
  /** Batches refused for a full queue: OpenAI failed with token_limit_exceeded, Anthropic and Gemini creates answered 429. */
  refused: { openai: number; anthropic: number; gemini: number };
  /** The most queued at once per queue (`openai/<model>` and `gemini/<model>` in tokens, `anthropic` in requests), accepted batches only. */
  peak: Record<string, number>;
}

export function emptyFaultTally(): FaultTally {
  return {
    malformedJson: 0,
    schemaInvalid: 0,
    lineError: 0,
    refusal: 0,
    truncation: 0,
    nearDuplicate: 0,
    repairValid: 0,
    repairInvalid: 0,
    maxTokensCutoff: 0,
    expiredLines: 0,
    cancelledLines: 0,
    expiredBatches: 0,
    failedValidationBatches: 0,
    createErrors: 0,
    listErrors: 0,
    authErrors: 0,
    syncErrors: 0,
  };
}

export function addFaultTally(target: FaultTally, addition: Partial<FaultTally>): void {
  for (const [key, value] of Object.entries(addition) as [keyof FaultTally, number][]) target[key] += value;
}

export function emptyStats(): Omit<EmulatorStats, 'seenCustomIds'> {
  return {
    filesUploaded: 0,
    batchesCreated: { openai: 0, anthropic: 0, gemini: 0 },
    createAttempts: { openai: 0, anthropic: 0, gemini: 0 },
    requestsReceived: { openai: 0, anthropic: 0, gemini: 0 },
    chatCompletions: 0,
    cancels: 0,
    faultsInjected: emptyFaultTally(),
    queue: { refused: { openai: 0, anthropic: 0, gemini: 0 }, peak: {} },
  };
}
