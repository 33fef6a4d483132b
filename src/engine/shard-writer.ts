/**
 * Writes encoded requests into shard files that respect a provider's limits (requests and bytes per
 * batch) and the recipe's `max_requests_per_batch`. Each finished file is handed to `onShard` with
 * its sha256, which the store records before anything is submitted.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

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
  ) {}

  async add(requestKey: string, encodedLine: string, inputTokens = 0): Promise<void> {
    const line = `${encodedLine}\n`;
    const bytes = Buffer.byteLength(line);
    if (bytes > this.options.maxBytes) {
      throw new UsageError(
        'request_too_large',
        `one request encodes to ${bytes} bytes, more than the provider's ${this.options.maxBytes}-byte batch limit`,
        { details: { requestKey, bytes, maxBytes: this.options.maxBytes } },
      );
    }
    if (this.current && (this.current.requestCount >= this.options.maxRequests || this.current.bytes + bytes > this.options.maxBytes)) {
      await this.finishCurrent();
    }
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
