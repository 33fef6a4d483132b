/**
 * The shard a preview writes for each generate step it sent requests for: the same four files as a
 * batch shard (requests, keys, answers, invalid) and, in one transaction, the same store rows as a
 * collected batch shard (the shard, a cache row per valid answer, the outcome bytes, a ledger entry
 * at synchronous prices). The batch run that follows finds its answers in the cache under the same
 * request keys and sends none of them again; `plan` reads their tokens as observations of the step.
 *
 * Lines are kept in memory until `commit` (a preview sends a few dozen requests): a preview killed
 * before it records nothing, and its answers are asked again.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenUsage } from '../domain.js';
import { cacheKey } from '../store/response-cache.js';
import type { RunStore } from '../store/run-store.js';
import { FINAL_OUTCOME_BIT, RESPONSE_OUTCOMES, type ResponseOutcome } from '../store/store-schema.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { customIdOf, shardAnswersPath, shardInvalidPath, shardKeysPath } from './shard-files.js';
import type { UsageTotals } from './shard-lifecycle.js';

interface PreviewLine {
  key: string;
  outcome: ResponseOutcome;
  /** Valid answers: the value written to the answers file. */
  value?: Record<string, unknown>;
  reason?: string;
  excerpt?: string;
  usage?: TokenUsage;
}

export class PreviewShard {
  readonly id: string;
  private readonly requests: string[] = [];
  private readonly lines: PreviewLine[] = [];

  constructor(
    private readonly runId: string,
    private readonly runDir: string,
    private readonly step: CompiledBatchStep,
  ) {
    this.id = `${runId}-s${step.step.index}-0000`;
  }

  get size(): number {
    return this.requests.length;
  }

  /** The custom_id the next request carries (`<shard id>-<line>`, as in a batch shard). */
  nextCustomId(): string {
    return customIdOf(this.id, this.requests.length);
  }

  /** Records one request as sent (`encoded`: its shard line) and what came of it. */
  add(encoded: string, line: PreviewLine): void {
    this.requests.push(encoded);
    this.lines.push(line);
  }

  /**
   * Writes the shard's files and records it as collected; returns its usage. `priceUsage` gives the
   * synchronous cost the ledger keeps (a preview pays synchronous prices).
   */
  commit(store: RunStore, priceUsage: (usage: UsageTotals) => { costUsd?: number; syncCostUsd?: number }): UsageTotals {
    const usage: UsageTotals = { requests: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
    if (this.requests.length === 0) return usage;
    const directory = join(this.runDir, 'shards');
    mkdirSync(directory, { recursive: true });
    const path = join(directory, `preview-step${this.step.step.index}.jsonl`);
    const requestText = this.requests.map((line) => `${line}\n`).join('');
    writeFileSync(path, requestText);
    writeFileSync(shardKeysPath(path), Buffer.concat(this.lines.map((line) => cacheKey(line.key))));
    const answers: string[] = [];
    const invalid: string[] = [];
    const placed: { key: string; offset: number; bytes: number; usage: TokenUsage | undefined }[] = [];
    let offset = 0;
    const outcomes = new Uint8Array(this.lines.length);
    this.lines.forEach((line, index) => {
      outcomes[index] = RESPONSE_OUTCOMES.indexOf(line.outcome) | FINAL_OUTCOME_BIT;
      if (line.usage) {
        usage.requests++;
        usage.inputTokens += line.usage.inputTokens;
        usage.outputTokens += line.usage.outputTokens;
        usage.cachedInputTokens += line.usage.cachedInputTokens ?? 0;
      }
      if (line.outcome === 'valid' && line.value) {
        const text = JSON.stringify(line.value);
        const bytes = Buffer.byteLength(text);
        placed.push({ key: line.key, offset, bytes, usage: line.usage });
        answers.push(`${text}\n`);
        offset += bytes + 1;
      } else {
        invalid.push(`${JSON.stringify({ line: index, outcome: line.outcome, ...(line.reason ? { reason: line.reason } : {}), ...(line.excerpt ? { excerpt: line.excerpt } : {}), ...(line.usage ? { usage: line.usage } : {}) })}\n`);
      }
    });
    writeFileSync(shardAnswersPath(path), answers.join(''));
    writeFileSync(shardInvalidPath(path), invalid.join(''));
    const { provider, model } = this.step.step.modelRef;
    store.transaction(() => {
      const seq = store.insertShard({
        id: this.id,
        runId: this.runId,
        stepIndex: this.step.step.index,
        round: 0,
        provider,
        model,
        endpoint: this.step.step.base_url ?? '',
        kind: this.step.kind === 'embed' ? 'embedding' : 'chat',
        inputPath: path,
        inputHash: createHash('sha256').update(requestText).digest('hex'),
        requestCount: this.requests.length,
        bytes: Buffer.byteLength(requestText),
      });
      store.responses.putAll(
        placed.map(({ key, offset, bytes, usage: tokens }) => [
          key,
          {
            shardSeq: seq,
            offset,
            bytes,
            attempt: 1,
            usage: { inputTokens: tokens?.inputTokens ?? 0, outputTokens: tokens?.outputTokens ?? 0, cachedInputTokens: tokens?.cachedInputTokens ?? 0 },
          },
        ]),
      );
      store.addLedgerEntry({ runId: this.runId, stepIndex: this.step.step.index, shardId: this.id, provider, model, ...usage, ...priceUsage(usage) });
      store.markShardCollected(this.id, outcomes);
    });
    return usage;
  }
}

