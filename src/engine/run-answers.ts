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
 *
 * Keys are held as the shards' binary keys in one open-addressing table of typed arrays on shared
 * memory, not as hex strings in a Map: built from the `.keys` files without making a string per
 * line, and handed to the emit pool's workers (`shared`, `fromShared`) without a copy or a rebuild.
 */
import { statSync } from 'node:fs';
import { readFileLines } from '../dataset/read-file-lines.js';
import { CACHE_KEY_BYTES } from '../store/response-cache.js';
import type { RunStore, ShardRow } from '../store/run-store.js';
import { FINAL_OUTCOME_BIT, RESPONSE_OUTCOMES, type ResponseOutcome } from '../store/store-schema.js';
import { readAnswerPositions, readShardKeys, shardInvalidPath, shardKeysPath, type AnswerPositions } from './shard-files.js';

export interface InvalidAnswer {
  outcome: Exclude<ResponseOutcome, 'valid'>;
  reason?: string;
}

const VALID_CODE = RESPONSE_OUTCOMES.indexOf('valid');

/** A RunAnswers as it crosses to a worker thread: its table on shared memory, the rest cloned. */
export interface SharedRunAnswers {
  table: SharedKeyTable;
  failures: InvalidAnswer[];
  lineSpan: number;
  shards: { shard: ShardRow; positions: AnswerPositions }[];
}

export class RunAnswers {
  private constructor(
    /** Cache key → this run's last judgment of it when that was not valid (an index of `failures`), and where its valid answer lies. */
    private readonly table: KeyTable,
    private readonly failures: InvalidAnswer[],
    /** More than the lines of any of the step's shards. */
    private readonly lineSpan: number,
    private readonly shards: readonly { shard: ShardRow; positions: AnswerPositions }[],
  ) {}

  /**
   * Reads the outcomes of the step's shards: invalid ones in the order the shards were recorded (a later
   * round's answer replaces an earlier one's), valid ones in the order their cache rows were written
   * (the ledger's), as the cache kept them. Only failures' reasons and the positions of shards that
   * can stand for the cache are held besides the table.
   */
  static async of(store: RunStore, runId: string, stepIndex: number): Promise<RunAnswers> {
    // A shard's keys (16 B per request) are read in each pass rather than held for both: the table
    // is what stays, and all the step's keys at once were as much again at the pass's peak.
    const collected: { shard: ShardRow; outcomes: Uint8Array; order: number }[] = [];
    const order = store.collectOrder(runId, stepIndex);
    for (const shard of store.shardsOfStep(runId, stepIndex)) {
      const outcomes = store.shardOutcomes(shard.id);
      if (outcomes) collected.push({ shard, outcomes, order: order.shards.get(shard.id) ?? 0 });
    }
    const table = KeyTable.sized(collected.reduce((lines, { shard }) => lines + shardKeyCount(shard.inputPath), 0));
    const failures: InvalidAnswer[] = [];
    for (const { shard, outcomes } of collected) {
      const keys = readShardKeys(shard.inputPath);
      const failedLines = new Set<number>();
      outcomes.forEach((byte, line) => {
        if ((byte & ~FINAL_OUTCOME_BIT) !== VALID_CODE) failedLines.add(line);
        else {
          const slot = table.find(keys, line);
          if (slot >= 0) table.invalid[slot] = NONE;
        }
      });
      if (failedLines.size === 0) continue;
      for await (const text of readFileLines(shardInvalidPath(shard.inputPath))) {
        if (text === '') continue;
        const entry = JSON.parse(text) as { line: number } & InvalidAnswer;
        if (!failedLines.has(entry.line)) continue;
        table.invalid[table.add(keys, entry.line)] = failures.push({ outcome: entry.outcome, ...(entry.reason ? { reason: entry.reason } : {}) }) - 1;
      }
    }
    const lineSpan = collected.reduce((most, { outcomes }) => Math.max(most, outcomes.length), 1);
    const shards: { shard: ShardRow; positions: AnswerPositions }[] = [];
    // In the order the shards stored their cache rows, lines ascending as each stored them: the last set wins, as the last put did.
    for (const { shard, outcomes, order: written } of collected.sort((a, b) => a.order - b.order)) {
      const keys = readShardKeys(shard.inputPath);
      const positions = written > 0 && written > order.latestElsewhere ? readAnswerPositions(shard.inputPath, outcomes.length) : undefined;
      const index = positions ? shards.push({ shard, positions }) - 1 : -1;
      outcomes.forEach((byte, line) => {
        if ((byte & ~FINAL_OUTCOME_BIT) !== VALID_CODE) return;
        // Stored by a shard whose positions cannot stand for the cache: the cache answers for it.
        if (index < 0 || positions!.offsets[line]! < 0) {
          const slot = table.find(keys, line);
          if (slot >= 0) table.valid[slot] = NONE;
        } else table.valid[table.add(keys, line)] = index * lineSpan + line;
      });
    }
    return new RunAnswers(table, failures, lineSpan, shards);
  }

  /** The same answers in a worker thread, from `shared()`. */
  static fromShared(shared: SharedRunAnswers): RunAnswers {
    return new RunAnswers(KeyTable.fromShared(shared.table), shared.failures, shared.lineSpan, shared.shards);
  }

  /** What `fromShared` takes, to post to a worker: the table is not copied. */
  shared(): SharedRunAnswers {
    return { table: this.table.shared(), failures: this.failures, lineSpan: this.lineSpan, shards: [...this.shards] };
  }

  /** This run's last judgment of a cache key (32 hex digits) when that was not valid. */
  invalidOf(cacheKey: string): InvalidAnswer | undefined {
    const slot = this.table.lookup(cacheKey);
    const failure = slot < 0 ? NONE : this.table.invalid[slot]!;
    return failure === NONE ? undefined : this.failures[failure];
  }

  /**
   * Where this run's shard stored the valid answer of a cache key (32 hex digits), as the cache row
   * says it, or undefined where the cache must be asked: a number the other methods take.
   */
  positionOf(cacheKey: string): number | undefined {
    const slot = this.table.lookup(cacheKey);
    const position = slot < 0 ? NONE : this.table.valid[slot]!;
    return position === NONE ? undefined : position;
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

/** Requests in a shard's keys file, from its size (what lineCount of its bytes gives). */
function shardKeyCount(shardPath: string): number {
  return statSync(shardKeysPath(shardPath)).size / CACHE_KEY_BYTES;
}

/** No value in a slot's column (and, in `valid`, a slot no key took yet: see EMPTY). */
const NONE = -1;
/** `valid` of a slot no key took. */
const EMPTY = -2;

const KEY_WORDS = CACHE_KEY_BYTES / 4;

export interface SharedKeyTable {
  keys: Int32Array<SharedArrayBuffer>;
  valid: Float64Array<SharedArrayBuffer>;
  invalid: Int32Array<SharedArrayBuffer>;
}

/** The most of a KeyTable's slots keys take: linear probing stays short (≈ 2 probes to find a key). */
const MAX_LOAD = 0.7;

/**
 * Cache keys (16 bytes, as four big-endian int32 words) → two columns, by open addressing with
 * linear probing, at most MAX_LOAD full. Request keys are hashes, so their first word, scaled to the
 * slot count, spreads the slots; the count is not rounded up to a power of two (at 1M keys that
 * would leave the table half empty: 59 MiB instead of 40).
 */
class KeyTable {
  private readonly slots: number;

  private constructor(
    private readonly keys: Int32Array<SharedArrayBuffer>,
    readonly valid: Float64Array<SharedArrayBuffer>,
    readonly invalid: Int32Array<SharedArrayBuffer>,
  ) {
    this.slots = valid.length;
  }

  /** A table with room for `keys` keys. */
  static sized(keys: number): KeyTable {
    const slots = Math.max(16, Math.ceil(keys / MAX_LOAD));
    const valid = new Float64Array(new SharedArrayBuffer(slots * 8)).fill(EMPTY);
    const invalid = new Int32Array(new SharedArrayBuffer(slots * 4)).fill(NONE);
    return new KeyTable(new Int32Array(new SharedArrayBuffer(slots * CACHE_KEY_BYTES)), valid, invalid);
  }

  static fromShared({ keys, valid, invalid }: SharedKeyTable): KeyTable {
    return new KeyTable(keys, valid, invalid);
  }

  shared(): SharedKeyTable {
    return { keys: this.keys, valid: this.valid, invalid: this.invalid };
  }

  /** The slot of the key on line `line` of a shard's `.keys` bytes, or -1. */
  find(keys: Buffer, line: number): number {
    const at = line * CACHE_KEY_BYTES;
    return this.probe(keys.readInt32BE(at), keys.readInt32BE(at + 4), keys.readInt32BE(at + 8), keys.readInt32BE(at + 12), false);
  }

  /** Its slot, taken for it when it has none (both columns NONE). */
  add(keys: Buffer, line: number): number {
    const at = line * CACHE_KEY_BYTES;
    return this.probe(keys.readInt32BE(at), keys.readInt32BE(at + 4), keys.readInt32BE(at + 8), keys.readInt32BE(at + 12), true);
  }

  /** The slot of a cache key given as 32 hex digits, or -1. */
  lookup(cacheKey: string): number {
    return this.probe(word(cacheKey, 0), word(cacheKey, 8), word(cacheKey, 16), word(cacheKey, 24), false);
  }

  private probe(k0: number, k1: number, k2: number, k3: number, add: boolean): number {
    const { keys, valid } = this;
    const { slots } = this;
    for (let slot = Math.floor(((k0 >>> 0) * slots) / 2 ** 32); ; slot = slot + 1 === slots ? 0 : slot + 1) {
      if (valid[slot] === EMPTY) {
        if (!add) return -1;
        const at = slot * KEY_WORDS;
        keys[at] = k0;
        keys[at + 1] = k1;
        keys[at + 2] = k2;
        keys[at + 3] = k3;
        valid[slot] = NONE;
        return slot;
      }
      const at = slot * KEY_WORDS;
      if (keys[at] === k0 && keys[at + 1] === k1 && keys[at + 2] === k2 && keys[at + 3] === k3) return slot;
    }
  }
}

/** Each hex digit's value by its char code (a key is our own lowercase hex; uppercase is read too). */
const HEX_DIGIT = new Int8Array(128).fill(0);
for (let digit = 0; digit < 16; digit++) {
  HEX_DIGIT['0123456789abcdef'.charCodeAt(digit)] = digit;
  HEX_DIGIT['0123456789ABCDEF'.charCodeAt(digit)] = digit;
}

/**
 * The big-endian int32 of 8 hex digits from `start`: `parseInt(slice, 16) | 0` without the slice
 * (looked up once per sample, it was emit's largest single item after the join itself).
 */
function word(hex: string, start: number): number {
  let value = 0;
  for (let index = start; index < start + 8; index++) value = (value << 4) | HEX_DIGIT[hex.charCodeAt(index) & 127]!;
  return value;
}
