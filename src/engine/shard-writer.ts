/**
 * Writes encoded requests into shard files that respect a provider's limits (requests and bytes per
 * batch) and the recipe's `max_requests_per_batch`. Each finished file is handed to `onShard` with
 * its sha256, which the store records before anything is submitted.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { BatchLimits, ProviderCapabilities } from '../providers/batch-provider.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { RequestTooLargeError } from './errors.js';

/** A step's shard limits: the provider's, lowered by the recipe's `max_requests_per_batch`. */
export function shardLimits(capabilities: ProviderCapabilities, step: CompiledBatchStep): BatchLimits {
  const limits = capabilities.limits(step.step.modelRef.model);
  return { maxRequests: Math.min(limits.maxRequests, step.step.max_requests_per_batch ?? Infinity), maxBytes: limits.maxBytes };
}

/**
 * The one rule for when a shard is full, so that what `plan` estimates is what a run writes: a new
 * shard starts when the current one holds `maxRequests` lines or the next line would pass `maxBytes`.
 */
export class ShardRotation {
  private shards = 0;
  private requests = 0;
  private bytes = 0;

  constructor(private readonly limits: BatchLimits) {}

  get shardCount(): number {
    return this.shards;
  }

  /** Counts one line of `bytes` (newline included); true when it starts a new shard. */
  add(bytes: number): boolean {
    const rotate = this.shards === 0 || this.requests >= this.limits.maxRequests || this.bytes + bytes > this.limits.maxBytes;
    if (rotate) {
      this.shards++;
      this.requests = 0;
      this.bytes = 0;
    }
    this.requests++;
    this.bytes += bytes;
    return rotate;
  }
}

export interface ShardFile {
  index: number;
  path: string;
  sha256: string;
  requestCount: number;
  bytes: number;
  requestKeys: string[];
  /** Sum of the estimated input tokens of its requests (for the cost estimate). */
  inputTokens: number;
}

interface OpenShard {
  index: number;
  path: string;
  stream: WriteStream;
  hash: Hash;
  requestCount: number;
  bytes: number;
  requestKeys: string[];
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
      maxRequests: number;
      maxBytes: number;
      onShard: (shard: ShardFile) => void | Promise<void>;
    },
  ) {
    this.rotation = new ShardRotation(options);
  }

  async add(requestKey: string, encodedLine: string, inputTokens = 0): Promise<void> {
    const line = `${encodedLine}\n`;
    const bytes = Buffer.byteLength(line);
    if (bytes > this.options.maxBytes) {
      throw new RequestTooLargeError(bytes, this.options.maxBytes);
    }
    if (this.rotation.add(bytes) && this.current) await this.finishCurrent();
    const shard = this.current ?? this.open();
    shard.hash.update(line);
    shard.bytes += bytes;
    shard.requestCount++;
    shard.requestKeys.push(requestKey);
    shard.inputTokens += inputTokens;
    if (!shard.stream.write(line)) await once(shard.stream, 'drain');
  }

  /** Finishes the last, partly filled shard. */
  async close(): Promise<void> {
    if (this.current) await this.finishCurrent();
  }

  private open(): OpenShard {
    const index = this.nextIndex++;
    const path = join(this.options.directory, `${this.options.prefix}-${String(index).padStart(4, '0')}.jsonl`);
    this.current = { index, path, stream: createWriteStream(path), hash: createHash('sha256'), requestCount: 0, bytes: 0, requestKeys: [], inputTokens: 0 };
    return this.current;
  }

  private async finishCurrent(): Promise<void> {
    const shard = this.current!;
    this.current = undefined;
    shard.stream.end();
    await once(shard.stream, 'finish');
    await this.options.onShard({
      index: shard.index,
      path: shard.path,
      sha256: shard.hash.digest('hex'),
      requestCount: shard.requestCount,
      bytes: shard.bytes,
      requestKeys: shard.requestKeys,
      inputTokens: shard.inputTokens,
    });
  }
}
