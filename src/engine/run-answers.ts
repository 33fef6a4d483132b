/**
 * This run's own judgments of a generate step's requests, for emitting it: the requests whose last
 * answer was not valid (with the reason from the shard's invalid file), and where the valid answers
 * its shards collected lie, joined by position (the shards' `.keys` and `.answers.pos` files) instead
 * of one response-cache lookup per sample.
 *
 * The cache stays the source of truth. A shard's positions are used only where they are what its
 * cache rows say: the shard was the last to store each of those keys (later shards of the step take
 * over a key; see `positionOf`) and no shard of another run or step was collected after it (its
 * ledger entry is the latest outside the step: a `--no-cache` run between a crash and its resume
 * could have replaced the rows). Anything else (answers cached by earlier runs, a shard without a
 * positions file) is looked up in the cache as before.
 */
import { readFileLines } from '../dataset/read-file-lines.js';
import { CACHE_KEY_BYTES } from '../store/response-cache.js';
import type { RunStore, ShardRow } from '../store/run-store.js';
import { FINAL_OUTCOME_BIT, RESPONSE_OUTCOMES, type ResponseOutcome } from '../store/store-schema.js';
import { readAnswerPositions, readShardKeys, shardInvalidPath, type AnswerPositions } from './shard-files.js';

export interface InvalidAnswer {
  outcome: Exclude<ResponseOutcome, 'valid'>;
  reason?: string;
}

const VALID_CODE = RESPONSE_OUTCOMES.indexOf('valid');

export class RunAnswers {
  private constructor(
    /** Cache key (32 hex digits) → this run's last judgment of it, when that was not valid. */
    readonly invalid: Map<string, InvalidAnswer>,
    /**
     * Cache key → shard index × `lineSpan` + line of the valid answer its cache row points at (one
     * small integer per key, not an object).
     */
    private readonly valid: Map<string, number>,
    /** More than the lines of any of the step's shards. */
    private readonly lineSpan: number,
    private readonly shards: readonly { shard: ShardRow; positions: AnswerPositions }[],
  ) {}

  /**
   * Reads the outcomes of the step's shards: invalid ones in the order the shards were recorded (a later
   * round's answer replaces an earlier one's), valid ones in the order their cache rows were written
   * (the ledger's), as the cache kept them. Only failures and the valid keys of shards whose positions
   * can stand for the cache are held in memory.
   */
  static async of(store: RunStore, runId: string, stepIndex: number): Promise<RunAnswers> {
    const invalid = new Map<string, InvalidAnswer>();
    const collected: { shard: ShardRow; keys: HexKeys; outcomes: Uint8Array; order: number }[] = [];
    const order = store.collectOrder(runId, stepIndex);
    for (const shard of store.shardsOfStep(runId, stepIndex)) {
      const outcomes = store.shardOutcomes(shard.id);
      if (!outcomes) continue;
      const keys = hexKeysOf(readShardKeys(shard.inputPath));
      collected.push({ shard, keys, outcomes, order: order.shards.get(shard.id) ?? 0 });
      const failedLines = new Set<number>();
      outcomes.forEach((byte, line) => {
        if ((byte & ~FINAL_OUTCOME_BIT) === VALID_CODE) invalid.delete(keys.at(line));
        else failedLines.add(line);
      });
      if (failedLines.size === 0) continue;
      for await (const text of readFileLines(shardInvalidPath(shard.inputPath))) {
        if (text === '') continue;
        const entry = JSON.parse(text) as { line: number } & InvalidAnswer;
        if (!failedLines.has(entry.line)) continue;
        invalid.set(keys.at(entry.line), { outcome: entry.outcome, ...(entry.reason ? { reason: entry.reason } : {}) });
      }
    }
    const valid = new Map<string, number>();
    const lineSpan = collected.reduce((most, { outcomes }) => Math.max(most, outcomes.length), 1);
    const shards: { shard: ShardRow; positions: AnswerPositions }[] = [];
    // In the order the shards stored their cache rows, lines ascending as each stored them: the last set wins, as the last put did.
    for (const { shard, keys, outcomes, order: written } of collected.sort((a, b) => a.order - b.order)) {
      const positions = written > 0 && written > order.latestElsewhere ? readAnswerPositions(shard.inputPath, outcomes.length) : undefined;
      const index = positions ? shards.push({ shard, positions }) - 1 : -1;
      outcomes.forEach((byte, line) => {
        if ((byte & ~FINAL_OUTCOME_BIT) !== VALID_CODE) return;
        const key = keys.at(line);
        // Stored by a shard whose positions cannot stand for the cache: the cache answers for it.
        if (index < 0 || positions!.offsets[line]! < 0) valid.delete(key);
        else valid.set(key, index * lineSpan + line);
      });
    }
    return new RunAnswers(invalid, valid, lineSpan, shards);
  }

  /**
   * Where this run's shard stored the valid answer of a cache key (32 hex digits), as the cache row
   * says it, or undefined where the cache must be asked: a number the other methods take.
   */
  positionOf(cacheKey: string): number | undefined {
    return this.valid.get(cacheKey);
  }

  /** The shard an answer's position lies in. */
  shardAt(position: number): ShardRow {
    return this.shards[Math.floor(position / this.lineSpan)]!.shard;
  }

  /** Its offset in that shard's answers file. */
  offsetAt(position: number): number {
    return this.shards[Math.floor(position / this.lineSpan)]!.positions.offsets[position % this.lineSpan]!;
  }

  /** Its length in bytes. */
  bytesAt(position: number): number {
    return this.shards[Math.floor(position / this.lineSpan)]!.positions.sizes[position % this.lineSpan]!;
  }

  /** As collecting stored it: a request is in one shard per round, so its attempt is the round's number + 1. */
  attemptAt(position: number): number {
    return this.shardAt(position).round + 1;
  }
}

/** A shard's keys as hex cache keys: the file's bytes turned to hex once, each key a slice of that text. */
interface HexKeys {
  at(line: number): string;
}

function hexKeysOf(keys: Buffer): HexKeys {
  const hex = keys.toString('hex');
  const digits = CACHE_KEY_BYTES * 2;
  return { at: (line) => hex.slice(line * digits, (line + 1) * digits) };
}
