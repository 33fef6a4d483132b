/**
 * The requests of a repair round. A request whose answer in the round before was invalid in a way a
 * second look can fix is not sent again as it was:
 *
 * - not JSON, or a schema violation: the original messages, then the model's invalid answer as an
 *   assistant turn, then a repair turn (prompt/repair-turn.ts) listing the validator's findings and
 *   asking for the corrected JSON only. Each provider's `encodeRequest` writes the assistant turn in
 *   its own form. The turn is built from the last invalid answer alone, so a request repaired twice
 *   carries one repair turn, not a growing conversation.
 * - truncated: the same messages with twice the tokens (the cut answer's own count, or the step's
 *   `max_tokens` if higher), never more than the model's limit when its capabilities know it. The
 *   answer was cut, not wrong, so no repair turn. Without a step `max_tokens` and without a known
 *   limit, the model's own limit cut it and the request is sent again unchanged.
 *
 * Anything else (an error, an expired batch, a missing line, a refusal) is sent again unchanged.
 *
 * A repair request keeps the original request's key in the shard's `.keys` file: its valid answer is a
 * valid answer to the original prompt, so it is cached under that key, emitted like any other, and
 * served from the cache to a later run that renders the same request. Its own wire body differs
 * (more turns, or more tokens), so it is budgeted, billed and ledgered like any request of its shard.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { TokenUsage } from '../domain.js';
import type { ProviderRequest } from '../providers/batch-provider.js';
import { renderRepairTurn } from '../prompt/repair-turn.js';
import type { RunStore } from '../store/run-store.js';
import { FINAL_OUTCOME_BIT, RESPONSE_OUTCOMES, type ResponseOutcome } from '../store/store-schema.js';
import type { CompiledBatchStep, CompiledGenerateStep } from './compile-recipe.js';
import type { RepairEvidence } from './repair-evidence.js';
import { failpoint } from './failpoints.js';
import { keyAt, readShardKeys, shardInvalidPath } from './shard-files.js';

/** The outcomes a repair round answers differently from a plain resample. */
export const REPAIRED_OUTCOMES: ReadonlySet<ResponseOutcome> = new Set(['not_json', 'schema_violation', 'truncated']);

/** Whether a step asks its invalid answers again with repair requests. */
export function stepRepairs(step: CompiledBatchStep): step is CompiledGenerateStep {
  return step.kind === 'generate' && step.repair;
}

/** A line of a shard's invalid file, as repairing reads it. */
interface InvalidLine {
  outcome: ResponseOutcome;
  usage?: TokenUsage;
  repair?: RepairEvidence;
}

interface Location {
  path: string;
  offset: number;
  bytes: number;
}

export class RepairRequests {
  private readonly files = new Map<string, number>();
  private built = 0;

  private constructor(
    private readonly step: CompiledGenerateStep,
    /** Cache key → where its invalid line lies; only the failures a repair changes are held. */
    private readonly located: Map<string, Location>,
  ) {}

  /**
   * The repairs of round `round` (> 0): read from the invalid files of the round before. Undefined
   * for round 0 and for steps that do not repair (`repair: false`, embed steps).
   */
  static async open(store: RunStore, runId: string, step: CompiledBatchStep, round: number): Promise<RepairRequests | undefined> {
    if (round === 0 || !stepRepairs(step)) return undefined;
    const located = new Map<string, Location>();
    for (const shard of store.shardsOfStep(runId, step.step.index)) {
      if (shard.round !== round - 1 || shard.status !== 'collected') continue;
      const outcomes = store.shardOutcomes(shard.id);
      if (!outcomes) continue;
      const wanted = new Set<number>();
      outcomes.forEach((byte, line) => {
        if ((byte & FINAL_OUTCOME_BIT) === 0 && REPAIRED_OUTCOMES.has(RESPONSE_OUTCOMES[byte]!)) wanted.add(line);
      });
      if (wanted.size === 0) continue;
      const keys = readShardKeys(shard.inputPath);
      const path = shardInvalidPath(shard.inputPath);
      let offset = 0;
      for await (const text of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
        const bytes = Buffer.byteLength(text);
        if (text !== '') {
          const { line } = JSON.parse(text) as { line: number };
          if (wanted.has(line)) located.set(keyAt(keys, line), { path, offset, bytes });
        }
        offset += bytes + 1;
      }
    }
    return new RepairRequests(step, located);
  }

  /** How many requests of the round are repaired rather than resampled. */
  get size(): number {
    return this.located.size;
  }

  /** What to send for `key` in this round: `request` as rendered, repaired when its last answer can be. */
  requestFor(key: string, request: ProviderRequest): ProviderRequest {
    const location = this.located.get(key.slice(0, 32));
    if (!location) return request;
    const failed = this.read(location);
    if (++this.built === Math.ceil(this.located.size / 2)) failpoint('repairing');
    if (failed.outcome === 'truncated') return withMoreTokens(this.step, request, failed.usage);
    if (failed.repair && (failed.outcome === 'not_json' || failed.outcome === 'schema_violation')) {
      return {
        ...request,
        messages: [
          ...request.messages,
          { role: 'assistant', content: failed.repair.answer },
          { role: 'user', content: renderRepairTurn({ reason: failed.outcome, errors: failed.repair.errors }) },
        ],
      };
    }
    return request;
  }

  close(): void {
    for (const fd of this.files.values()) closeSync(fd);
    this.files.clear();
  }

  private read(location: Location): InvalidLine {
    let fd = this.files.get(location.path);
    if (fd === undefined) {
      fd = openSync(location.path, 'r');
      this.files.set(location.path, fd);
    }
    const buffer = Buffer.alloc(location.bytes);
    readSync(fd, buffer, 0, location.bytes, location.offset);
    return JSON.parse(buffer.toString('utf8')) as InvalidLine;
  }
}

/** `request` with twice the output tokens its cut answer got (or the step asked for), within the model's limit. */
export function withMoreTokens(step: CompiledGenerateStep, request: ProviderRequest, usage: TokenUsage | undefined): ProviderRequest {
  const asked = request.params.max_tokens;
  const limit = step.capabilities.maxOutputTokens?.(request.model);
  if (asked === undefined && limit === undefined) return request;
  const raised = 2 * Math.max(asked ?? 0, usage?.outputTokens ?? 0);
  const tokens = limit === undefined ? raised : Math.min(raised, limit);
  if (tokens <= (asked ?? 0)) return request;
  return { ...request, params: { ...request.params, max_tokens: tokens } };
}
