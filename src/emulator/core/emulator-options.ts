/**
 * Options of the emulator. Everything here maps one-to-one onto flags of `synthforge emulator`
 * (camelCase → kebab-case: `malformedJsonRate` → `--malformed-json-rate`, `timing.validatingMs` →
 * `--validating-ms`, `createErrors` → `--create-errors 429,500`, `limits.openaiMaxRequests` →
 * `--openai-max-requests`).
 */
import { UsageError } from '../../errors.js';
import type { AnswerLength } from './sentence-builder.js';

export type { AnswerLength } from './sentence-builder.js';

/**
 * Fault injection, per server. All rates are fractions in [0, 1] and default to 0 (off). Every decision is a
 * pure function of (`seed`, an id, how many times this server has seen that id before), so a fresh emulator
 * with the same options makes the same decisions, and a retried request can succeed the second time.
 */
export interface FaultOptions {
  /** Mixed into every fault decision and into the order of result lines. */
  seed: number;
  /** Succeeded lines whose JSON text is cut off (not parseable). */
  malformedJsonRate: number;
  /** Succeeded lines whose JSON parses but violates the schema (a required key dropped or a wrong type). */
  schemaInvalidRate: number;
  /** Lines that fail at run time: OpenAI error-file line with status_code 500; Anthropic `errored`/api_error; Gemini `error` INTERNAL. */
  lineErrorRate: number;
  /** OpenAI: `message.refusal` set and content null. Anthropic: `stop_reason: 'refusal'`. Gemini: `finishReason: SAFETY`. */
  refusalRate: number;
  /** `finish_reason: 'length'` / `stop_reason: 'max_tokens'` / `finishReason: MAX_TOKENS` with the text cut off. */
  truncationRate: number;
  /** The answer copies an earlier answer of this server (same schema) with one word changed. */
  nearDuplicateRate: number;
  /**
   * HTTP statuses for the next batch-create calls of any provider, consumed one per call in order. A 429
   * carries `retry-after-ms: 10` (Gemini: a RetryInfo detail of 0.010s).
   */
  createErrors: number[];
  /**
   * Batches that expire instead of completing: about half of their lines finish (OpenAI output file /
   * Anthropic `succeeded` / Gemini responses), the rest are `batch_expired` error lines / `expired` results /
   * absent from a Gemini job's output.
   */
  expireRate: number;
  /**
   * OpenAI batches that go validating → failed with `token_limit_exceeded` (line null); Gemini jobs that go
   * PENDING → FAILED (RESOURCE_EXHAUSTED, enqueued-token quota).
   */
  failValidationRate: number;
  /**
   * The share of repair turns (a last user turn asking for the corrected JSON, core/repair-turns.ts)
   * answered with valid JSON; the rest get a schema-invalid answer again. Default 1.
   */
  repairSuccessRate: number;
  /** Synchronous `/v1/chat/completions` answered 429 (with a small retry-after-ms) or 500, alternating. */
  syncErrorRate: number;
  /**
   * HTTP statuses for the next batch-list calls of any provider, consumed one per call in order (a
   * lookup after a crash lists batches). Each carries `retry-after-ms: 10`, so the SDKs' own retries of
   * a list are quick.
   */
  listErrors: number[];
  /**
   * 401 or 403: every API call of every provider is refused as a bad key (401) or a key without
   * permission (403), with the vendor's error body; 0 (default) is off.
   */
  authError: number;
  /**
   * The HTTP status of the lines `lineErrorRate` fails (default 500). 401 and 403 give each vendor's
   * authentication / permission error line; other 4xx an invalid-request line.
   */
  lineErrorStatus: number;
  /**
   * A careless server: every error reply and every failed result line quotes the credentials the call
   * (for lines: the batch create) came with (`Authorization`, `x-api-key`, `x-goog-api-key`, `?key=`).
   */
  echoCredentials: boolean;
  /**
   * How long the reply to a successful batch create waits after the batch was recorded (a slow link):
   * creates sent together all take effect before the first reply arrives, as a client killed right
   * after its first create would leave them. Default 0.
   */
  createReplyDelayMs: number;
  /**
   * The state machine's clock, read at batch creation. OpenAI: validating for `validatingMs`, in_progress for
   * `inProgressMs`, finalizing for `finalizingMs`; cancelling lasts `finalizingMs`. Anthropic: in_progress for
   * `inProgressMs`, canceling for `finalizingMs`. Gemini: PENDING for `validatingMs`, RUNNING for
   * `inProgressMs + finalizingMs` (it shows no finalizing state); a cancel takes effect after `finalizingMs`.
   * Phases also wait for the work itself (large batches).
   */
  timing: { validatingMs: number; inProgressMs: number; finalizingMs: number };
}

/** The sum of these line rates must stay ≤ 1: each line gets at most one content fault. */
export const LINE_FAULT_RATES = [
  'lineErrorRate',
  'refusalRate',
  'truncationRate',
  'malformedJsonRate',
  'schemaInvalidRate',
  'nearDuplicateRate',
] as const;

const OTHER_RATES = ['expireRate', 'failValidationRate', 'syncErrorRate', 'repairSuccessRate'] as const;

/** Provider limits. The defaults are the real ones; tests lower them to exercise the checks cheaply. */
export interface EmulatorLimits {
  /** OpenAI requests per batch input file (real: 50,000). */
  openaiMaxRequests: number;
  /** OpenAI batch input file size in bytes (real: 200 MB). */
  openaiMaxInputBytes: number;
  /** OpenAI embedding inputs across a batch (real: 50,000). */
  openaiMaxEmbeddingInputs: number;
  /** OpenAI upload size in bytes for any purpose (real: 512 MB). */
  openaiMaxUploadBytes: number;
  /** Anthropic requests per batch (real: 100,000). */
  anthropicMaxRequests: number;
  /** Anthropic create-request body in bytes (real: 256 MB; above it 413 request_too_large). */
  anthropicMaxBodyBytes: number;
  /** Gemini create-request body with inline requests, in bytes (real: 20 MB). */
  geminiMaxInlineBytes: number;
  /** Gemini Files API upload size in bytes (real: 2 GB). */
  geminiMaxFileBytes: number;
  /**
   * OpenAI enqueued input tokens per model across batches not yet ended; a batch that would pass it is
   * created, then fails validation with `token_limit_exceeded`. 0 (default): no limit. The real value
   * depends on the account (2,000,000 for gpt-4o-mini at tier 1).
   */
  openaiMaxEnqueuedTokens: number;
  /** Anthropic requests in the processing queue (batches not ended, all models); a create past it is a 429. 0: no limit. */
  anthropicMaxQueuedRequests: number;
  /** Gemini enqueued input tokens per model across jobs not ended; a create past it is a 429 RESOURCE_EXHAUSTED. 0: no limit. */
  geminiMaxEnqueuedTokens: number;
}

/** Queue limits, which 0 turns off (every other limit must be positive). */
const QUEUE_LIMIT_KEYS = ['openaiMaxEnqueuedTokens', 'anthropicMaxQueuedRequests', 'geminiMaxEnqueuedTokens'] as const;

/**
 * Environment variables that set the queue limits, for an emulator started by `synthforge emulator` or by
 * `--offline` (explicit options win over them).
 */
export const QUEUE_LIMIT_VARIABLES: Readonly<Record<(typeof QUEUE_LIMIT_KEYS)[number], string>> = {
  openaiMaxEnqueuedTokens: 'SYNTHFORGE_EMULATOR_OPENAI_ENQUEUED_TOKENS',
  anthropicMaxQueuedRequests: 'SYNTHFORGE_EMULATOR_ANTHROPIC_QUEUED_REQUESTS',
  geminiMaxEnqueuedTokens: 'SYNTHFORGE_EMULATOR_GEMINI_ENQUEUED_TOKENS',
};

/** The queue limits set in `env`; UsageError naming the variable for a value that is not a whole number ≥ 0. */
export function queueLimitsFromEnv(env: Record<string, string | undefined>): Partial<EmulatorLimits> {
  const limits: Partial<EmulatorLimits> = {};
  for (const key of QUEUE_LIMIT_KEYS) {
    const variable = QUEUE_LIMIT_VARIABLES[key];
    const text = env[variable]?.trim();
    if (!text) continue;
    if (!/^\d+$/.test(text)) throw invalid(`${variable} must be a whole number of ${key === 'anthropicMaxQueuedRequests' ? 'requests' : 'tokens'} ≥ 0 (0: no limit), got "${text}"`);
    limits[key] = Number(text);
  }
  return limits;
}

export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /**
   * Directory for uploaded files, batch records and generated results. A new emulator on the same directory
   * serves the earlier files and batches. Default: a fresh temp directory removed on close.
   */
  dataDir?: string;
  faults?: Partial<FaultOptions>;
  limits?: Partial<EmulatorLimits>;
  /**
   * Models served besides the model catalogue's, as `provider/model` (`openai/ft:gpt-4o-mini:acme::x1`)
   * or `provider/*` for any name; `SYNTHFORGE_EMULATOR_MODELS` adds more (comma-separated).
   */
  extraModels?: string[];
  /**
   * Words per free-text answer and per plain string field, drawn (seeded) from a normal distribution
   * of this mean and spread. Default: the environment's `SYNTHFORGE_EMULATOR_ANSWER_WORDS`
   * (`mean[,spread]`), else one to four sentences as the schema allows.
   */
  answerLength?: AnswerLength;
  /**
   * The share of answers whose enum-valued fields take the enum's first value instead of a drawn one:
   * a judge with a position bias, picking "A" whatever was shown first. Seeded per request, like
   * every other answer decision. Default 0 (enum values drawn uniformly).
   */
  firstChoiceRate?: number;
  /** Milliseconds since the epoch. Tests inject a manual clock to step the state machine; default Date.now. */
  clock?: () => number;
  /** Where the queue-limit variables are read (QUEUE_LIMIT_VARIABLES; default `process.env`). */
  env?: Record<string, string | undefined>;
}

export const DEFAULT_TIMING: FaultOptions['timing'] = { validatingMs: 30, inProgressMs: 60, finalizingMs: 30 };

export const DEFAULT_FAULTS: FaultOptions = {
  seed: 0,
  malformedJsonRate: 0,
  schemaInvalidRate: 0,
  lineErrorRate: 0,
  refusalRate: 0,
  truncationRate: 0,
  nearDuplicateRate: 0,
  createErrors: [],
  expireRate: 0,
  failValidationRate: 0,
  syncErrorRate: 0,
  repairSuccessRate: 1,
  listErrors: [],
  authError: 0,
  lineErrorStatus: 500,
  echoCredentials: false,
  createReplyDelayMs: 0,
  timing: DEFAULT_TIMING,
};

const MB = 1024 * 1024;
export const DEFAULT_LIMITS: EmulatorLimits = {
  openaiMaxRequests: 50_000,
  openaiMaxInputBytes: 200 * MB,
  openaiMaxEmbeddingInputs: 50_000,
  openaiMaxUploadBytes: 512 * MB,
  anthropicMaxRequests: 100_000,
  anthropicMaxBodyBytes: 256 * MB,
  geminiMaxInlineBytes: 20 * MB,
  geminiMaxFileBytes: 2048 * MB,
  openaiMaxEnqueuedTokens: 0,
  anthropicMaxQueuedRequests: 0,
  geminiMaxEnqueuedTokens: 0,
};

function invalid(message: string): UsageError {
  return new UsageError('emulator_options_invalid', message);
}

/** `base` with `change` applied (timing merged key by key), checked; throws UsageError when out of range. */
export function mergeFaultOptions(base: FaultOptions, change: Partial<FaultOptions> = {}): FaultOptions {
  if (typeof change !== 'object' || change === null) throw invalid('fault options must be an object');
  const known = new Set(Object.keys(DEFAULT_FAULTS));
  for (const key of Object.keys(change)) {
    if (!known.has(key)) throw invalid(`unknown fault option "${key}"`);
  }
  const merged: FaultOptions = {
    ...base,
    ...change,
    createErrors: [...(change.createErrors ?? base.createErrors)],
    listErrors: [...(change.listErrors ?? base.listErrors)],
    timing: { ...base.timing, ...change.timing },
  };
  if (!Number.isInteger(merged.seed)) throw invalid(`seed must be an integer, got ${String(merged.seed)}`);
  for (const key of [...LINE_FAULT_RATES, ...OTHER_RATES]) {
    const rate = merged[key];
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw invalid(`${key} must be in [0, 1], got ${String(rate)}`);
  }
  const lineTotal = LINE_FAULT_RATES.reduce((sum, key) => sum + merged[key], 0);
  if (lineTotal > 1 + 1e-9) throw invalid(`the line fault rates add up to ${lineTotal}; their sum must be ≤ 1`);
  if (merged.expireRate + merged.failValidationRate > 1 + 1e-9) {
    throw invalid('expireRate + failValidationRate must be ≤ 1');
  }
  for (const key of ['createErrors', 'listErrors'] as const) {
    if (!Array.isArray(merged[key])) throw invalid(`${key} must be a list of HTTP error statuses`);
    for (const status of merged[key]) {
      if (!Number.isInteger(status) || status < 400 || status > 599) {
        throw invalid(`${key} must hold HTTP error statuses (400..599), got ${String(status)}`);
      }
    }
  }
  if (![0, 401, 403].includes(merged.authError)) throw invalid(`authError must be 0 (off), 401 or 403, got ${String(merged.authError)}`);
  if (!Number.isInteger(merged.lineErrorStatus) || merged.lineErrorStatus < 400 || merged.lineErrorStatus > 599) {
    throw invalid(`lineErrorStatus must be an HTTP error status (400..599), got ${String(merged.lineErrorStatus)}`);
  }
  if (typeof merged.createReplyDelayMs !== 'number' || !(merged.createReplyDelayMs >= 0) || !Number.isFinite(merged.createReplyDelayMs)) {
    throw invalid(`createReplyDelayMs must be a non-negative number of milliseconds, got ${String(merged.createReplyDelayMs)}`);
  }
  if (typeof merged.echoCredentials !== 'boolean') throw invalid(`echoCredentials must be true or false, got ${String(merged.echoCredentials)}`);
  for (const [key, value] of Object.entries(merged.timing)) {
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
      throw invalid(`timing.${key} must be a non-negative number of milliseconds, got ${String(value)}`);
    }
  }
  return merged;
}

export function mergeLimits(change: Partial<EmulatorLimits> = {}): EmulatorLimits {
  const merged = { ...DEFAULT_LIMITS, ...change };
  for (const [key, value] of Object.entries(merged)) {
    const least = (QUEUE_LIMIT_KEYS as readonly string[]).includes(key) ? 0 : 1;
    if (!Number.isInteger(value) || value < least) throw invalid(`limits.${key} must be ${least === 0 ? 'a whole number ≥ 0 (0: no limit)' : 'a positive integer'}, got ${String(value)}`);
  }
  return merged;
}

/** The variable that sets `answerLength` of every emulator this process starts (`--offline` runs too). */
export const ANSWER_WORDS_VARIABLE = 'SYNTHFORGE_EMULATOR_ANSWER_WORDS';

/** `mean[,spread]` words (`--answer-words 25,8`, SYNTHFORGE_EMULATOR_ANSWER_WORDS=25,8). */
export function parseAnswerWords(text: string, source: string): AnswerLength {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:,\s*(\d+(?:\.\d+)?)\s*)?$/.exec(text);
  if (!match) throw invalid(`${source} expects "mean[,spread]" in words (e.g. 25,8), got ${JSON.stringify(text)}`);
  return checkAnswerLength({ meanWords: Number(match[1]), spreadWords: Number(match[2] ?? 0) }, source);
}

/** Throws UsageError unless the mean is ≥ 1 and the spread ≥ 0 (finite numbers). */
export function checkAnswerLength(length: AnswerLength, source = 'answerLength'): AnswerLength {
  const { meanWords, spreadWords } = length ?? ({} as AnswerLength);
  if (typeof meanWords !== 'number' || !Number.isFinite(meanWords) || meanWords < 1) throw invalid(`${source}: the mean must be a number of words ≥ 1, got ${String(meanWords)}`);
  if (typeof spreadWords !== 'number' || !Number.isFinite(spreadWords) || spreadWords < 0) throw invalid(`${source}: the spread must be a number of words ≥ 0, got ${String(spreadWords)}`);
  return { meanWords, spreadWords };
}

/** The answer length an emulator starts with: its option, else the environment variable, else none. */
export function resolveAnswerLength(option: AnswerLength | undefined, env: Record<string, string | undefined> = process.env): AnswerLength | undefined {
  if (option !== undefined) return checkAnswerLength(option);
  const text = env[ANSWER_WORDS_VARIABLE];
  return text ? parseAnswerWords(text, ANSWER_WORDS_VARIABLE) : undefined;
}

/** Throws UsageError unless the rate is a number in [0, 1]; absent means 0. */
export function checkFirstChoiceRate(rate: number | undefined): number {
  if (rate === undefined) return 0;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw invalid(`firstChoiceRate must be a number in [0, 1], got ${String(rate)}`);
  return rate;
}
