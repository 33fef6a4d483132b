/**
 * Writes encoded requests into shard files that respect a provider's limits (requests and bytes per
 * batch) and the recipe's `max_requests_per_batch`, with each line's request key in the `.keys` file
 * next to it (shard-files.ts). Each finished shard is handed to `onShard` with its sha256, which the
 * store records before anything is submitted.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { BatchLimits, ProviderCapabilities } from '../providers/batch-provider.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { RequestTooLargeError } from './errors.js';
import { CACHE_KEY_BYTES } from '../store/response-cache.js';
import { customIdOf, shardKeysPath } from './shard-files.js';
import { STREAM_CHUNK_BYTES } from './stage-files.js';

export interface ShardLimits extends BatchLimits {
  /** A shard's estimated input tokens stay within the room of its provider queue (a token-counted queue). */
  maxInputTokens?: number;
}

/**
 * A step's shard limits: the provider's, lowered by the recipe's `max_requests_per_batch` and by the
 * room of the step's queue, so that every shard fits the queue alone (queue-limits.ts).
 */
export function shardLimits(capabilities: ProviderCapabilities, step: CompiledBatchStep): ShardLimits {
  const limits = capabilities.limits(step.step.modelRef.model);
  const queue = step.queue?.limit === undefined ? undefined : step.queue;
  const queueRequests = queue?.unit === 'requests' ? queue.room : Infinity;
  return {
    maxRequests: Math.min(limits.maxRequests, step.step.max_requests_per_batch ?? Infinity, queueRequests),
    maxBytes: limits.maxBytes,
    ...(queue?.unit === 'input_tokens' ? { maxInputTokens: queue.room } : {}),
  };
}

/**
 * The one rule for when a shard is full, so that what `plan` estimates is what a run writes: a new
 * shard starts when the current one holds `maxRequests` lines, or the next line would pass
 * `maxBytes`, or its tokens would pass `maxInputTokens` (a single request over it gets a shard alone).
 */
export class ShardRotation {
  private shards = 0;
  private requests = 0;
  private bytes = 0;
  private tokens = 0;

  constructor(private readonly limits: ShardLimits) {}

  get shardCount(): number {
    return this.shards;
  }

  /** Whether a line of `bytes` (newline included) and `tokens` estimated input tokens would start a new shard. */
  startsNew(bytes: number, tokens = 0): boolean {
    return (
      this.shards === 0 ||
      this.requests >= this.limits.maxRequests ||
      this.bytes + bytes > this.limits.maxBytes ||
      (this.limits.maxInputTokens !== undefined && this.tokens + tokens > this.limits.maxInputTokens)
    );
  }

  /** Counts one line of `bytes` (newline included); true when it starts a new shard. */
  add(bytes: number, tokens = 0): boolean {
    const rotate = this.startsNew(bytes, tokens);
    this.push(bytes, rotate, tokens);
    return rotate;
  }

  /** Counts one line whose `startsNew` answer the caller already has. */
  push(bytes: number, rotate: boolean, tokens = 0): void {
    if (rotate) {
      this.shards++;
      this.requests = 0;
      this.bytes = 0;
      this.tokens = 0;
    }
    this.requests++;
    this.bytes += bytes;
    this.tokens += tokens;
  }
}

export interface ShardFile {
  index: number;
  id: string;
  path: string;
  sha256: string;
  requestCount: number;
  bytes: number;
  /** Sum of the estimated input tokens of its requests (the cost estimate, the queue's count). */
  inputTokens: number;
}

interface OpenShard {
  index: number;
  id: string;
  path: string;
  stream: WriteStream;
  hash: Hash;
  /** Lines not yet hashed and written: one UTF-8 conversion, hash update and stream write per chunk, not per line. */
  pending: string;
  requestCount: number;
  bytes: number;
  /** 16 bytes per line, grown by doubling. */
  keys: Buffer;
  inputTokens: number;
}

export class ShardWriter {
  private current: OpenShard | undefined;
  private nextIndex = 0;
  private readonly rotation: ShardRotation;

  get shardCount(): number {
    return this.nextIndex;
  }

  constructor(
    private readonly options: {
      directory: string;
      /** File name prefix; the shard index is appended. */
      prefix: string;
      /** The id of the shard with this index (its lines' custom_ids start with it). */
      shardId: (index: number) => string;
      maxRequests: number;
      maxBytes: number;
      maxInputTokens?: number;
      onShard: (shard: ShardFile) => void | Promise<void>;
    },
  ) {
    this.rotation = new ShardRotation(options);
  }

  /**
   * Adds one request. `encode` turns a custom_id into the request's line: the id names the shard and
   * line, so a line that does not fit the current shard is encoded again for the next one. Returns a
   * promise only when the caller must wait (a shard finished, or the stream asked to drain), so a
   * planner adding a million requests does not pay a microtask turn for each.
   */
  add(requestKey: string, encode: (customId: string) => string, inputTokens = 0): Promise<void> | undefined {
    const current = this.current;
    const line = encode(customIdOf(current?.id ?? this.options.shardId(this.nextIndex), current?.requestCount ?? 0));
    const bytes = Buffer.byteLength(line) + 1;
    const rotate = this.rotation.startsNew(bytes, inputTokens);
    if (rotate && current) return this.addToNextShard(requestKey, encode, inputTokens);
    return this.append(requestKey, line, bytes, inputTokens, rotate);
  }

  private async addToNextShard(requestKey: string, encode: (customId: string) => string, inputTokens: number): Promise<void> {
    await this.finishCurrent();
    const line = encode(customIdOf(this.options.shardId(this.nextIndex), 0));
    await this.append(requestKey, line, Buffer.byteLength(line) + 1, inputTokens, true);
  }

  private append(requestKey: string, line: string, bytes: number, inputTokens: number, rotate: boolean): Promise<void> | undefined {
    if (bytes > this.options.maxBytes) throw new RequestTooLargeError(bytes, this.options.maxBytes);
    this.rotation.push(bytes, rotate, inputTokens);
    const shard = this.current ?? this.open();
    shard.bytes += bytes;
    if ((shard.requestCount + 1) * CACHE_KEY_BYTES > shard.keys.length) {
      const grown = Buffer.alloc(shard.keys.length * 2);
      shard.keys.copy(grown);
      shard.keys = grown;
    }
    shard.keys.write(requestKey.slice(0, CACHE_KEY_BYTES * 2), shard.requestCount * CACHE_KEY_BYTES, 'hex');
    shard.requestCount++;
    shard.inputTokens += inputTokens;
    shard.pending += `${line}\n`;
    return shard.pending.length >= PENDING_CHARS ? flush(shard) : undefined;
  }

  /** Finishes the last, partly filled shard. */
  async close(): Promise<void> {
    if (this.current) await this.finishCurrent();
  }

  private open(): OpenShard {
    const index = this.nextIndex++;
    const path = join(this.options.directory, `${this.options.prefix}-${String(index).padStart(4, '0')}.jsonl`);
    const id = this.options.shardId(index);
    this.current = { index, id, path, stream: createWriteStream(path, { highWaterMark: STREAM_CHUNK_BYTES }), hash: createHash('sha256'), pending: '', requestCount: 0, bytes: 0, keys: Buffer.alloc(1024 * CACHE_KEY_BYTES), inputTokens: 0 };
    return this.current;
  }

  private async finishCurrent(): Promise<void> {
    const shard = this.current!;
    this.current = undefined;
    await flush(shard);
    shard.stream.end();
    await once(shard.stream, 'finish');
    writeFileSync(shardKeysPath(shard.path), shard.keys.subarray(0, shard.requestCount * CACHE_KEY_BYTES));
    await this.options.onShard({
      index: shard.index,
      id: shard.id,
      path: shard.path,
      sha256: shard.hash.digest('hex'),
      requestCount: shard.requestCount,
      bytes: shard.bytes,
      inputTokens: shard.inputTokens,
    });
  }
}

/** Lines gathered before a write: large enough that per-write costs vanish, small enough to stay in cache. */
const PENDING_CHARS = 64 * 1024;

/** Hashes and writes the shard's pending lines as one buffer. */
function flush(shard: OpenShard): Promise<void> | undefined {
  if (shard.pending.length === 0) return undefined;
  const chunk = Buffer.from(shard.pending);
  shard.pending = '';
  shard.hash.update(chunk);
  return shard.stream.write(chunk) ? undefined : once(shard.stream, 'drain').then(() => undefined);
}
