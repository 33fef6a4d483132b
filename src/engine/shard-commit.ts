/**
 * What collecting a shard stores, in one transaction: a cache row per valid answer, the shard's
 * ledger entry and its `collected` mark with the outcome byte of every line. Plain data (typed arrays
 * and a ledger row), so the transaction runs the same on the calling thread or on the commit thread
 * (shard-commit-thread.ts), each with its own connection to the store.
 */
import type { CachedAnswer } from '../store/response-cache.js';
import { CACHE_KEY_BYTES } from '../store/response-cache.js';
import type { LedgerRow, RunStore } from '../store/run-store.js';

/** Where each line's valid answer lies in the shard's answers file, with its tokens; offset −1: none. */
export interface ShardAnswers {
  shardSeq: number;
  /** The round's attempt: a request is in one shard per round it was sent in. */
  attempt: number;
  offsets: Float64Array;
  sizes: Uint32Array;
  /** Input, output and cached input tokens of each valid line. */
  tokens: Float64Array;
}

export interface ShardCommit {
  shardId: string;
  answers: ShardAnswers;
  /** One byte per line (RESPONSE_OUTCOMES index, FINAL_OUTCOME_BIT when final). */
  outcomes: Uint8Array;
  ledger: LedgerRow;
}

/**
 * The cache row of each valid line, by its 16-byte key, in key order: keys are random, and rows put
 * in key order walk the cache's B-tree from page to page instead of jumping (6–9% less CPU per
 * request in the store bench; bench/README.md, "Ninth session"). Lines with equal keys keep their
 * line order, so the last one wins as before. One object refilled per row (`take` must not keep it):
 * a shard has thousands.
 */
export function forEachValidAnswer(answers: ShardAnswers, keys: Buffer, take: (key: Buffer, answer: CachedAnswer) => void): void {
  const { offsets, sizes, tokens } = answers;
  const usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  const answer: CachedAnswer = { shardSeq: answers.shardSeq, offset: 0, bytes: 0, attempt: answers.attempt, usage };
  for (const line of validLinesInKeyOrder(offsets, keys)) {
    answer.offset = offsets[line]!;
    answer.bytes = sizes[line]!;
    usage.inputTokens = tokens[line * 3]!;
    usage.outputTokens = tokens[line * 3 + 1]!;
    usage.cachedInputTokens = tokens[line * 3 + 2]!;
    take(keys.subarray(line * CACHE_KEY_BYTES, (line + 1) * CACHE_KEY_BYTES), answer);
  }
}

/** Lines a shard holds at most for `validLinesInKeyOrder`'s packing (batch APIs take far fewer per batch). */
const LINE_BITS = 21;

/**
 * The valid lines, ordered by their key's first 32 bits, then by line. Each is packed with its line
 * number into one float (prefix · 2^21 + line, exact below 2^53), so one native numeric sort orders
 * them with no comparator called per pair. Keys that share 32 bits stay in line order: the B-tree
 * walk is barely worse for it, and equal keys keep the order that decides which row wins.
 */
function validLinesInKeyOrder(offsets: Float64Array, keys: Buffer): Iterable<number> {
  const lines = offsets.length;
  if (lines >= 2 ** LINE_BITS) return Array.from({ length: lines }, (_, line) => line).filter((line) => offsets[line]! >= 0);
  const packed = new Float64Array(lines);
  let valid = 0;
  for (let line = 0; line < lines; line++) {
    if (offsets[line]! >= 0) packed[valid++] = keys.readUInt32BE(line * CACHE_KEY_BYTES) * 2 ** LINE_BITS + line;
  }
  const order = packed.subarray(0, valid).sort();
  const result = new Uint32Array(valid);
  for (let index = 0; index < valid; index++) result[index] = order[index]! % 2 ** LINE_BITS;
  return result;
}

/** Stores a collected shard: its cache rows (merging the cache's tables when due), ledger entry and mark, or nothing. */
export function commitShard(store: RunStore, commit: ShardCommit, keys: Buffer): void {
  store.transaction(() => {
    forEachValidAnswer(commit.answers, keys, (key, answer) => store.responses.put(key, answer));
    store.responses.mergeIfDue();
    store.addLedgerEntry(commit.ledger);
    store.markShardCollected(commit.shardId, commit.outcomes);
  });
}
