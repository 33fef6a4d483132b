import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyAt, lineCount, lineOfCustomId, readShardKeys } from '../../src/engine/shard-files.js';
import { ShardWriter, type ShardFile } from '../../src/engine/shard-writer.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

/** A request key: 64 hex digits, distinct per index. */
function keyOf(index: number): string {
  return index.toString(16).padStart(8, '0').repeat(8);
}

async function writeAll(lines: string[], limits: { maxRequests: number; maxBytes: number }, customIds: string[] = []): Promise<ShardFile[]> {
  const shards: ShardFile[] = [];
  const writer = new ShardWriter({ directory: tempDir(), prefix: 't', shardId: (index) => `run-x-s0-${index}`, ...limits, onShard: (shard) => void shards.push(shard) });
  for (const [index, line] of lines.entries()) {
    await writer.add(keyOf(index), (customId) => {
      customIds[index] = customId;
      return line;
    }, 1);
  }
  await writer.close();
  return shards;
}

describe('ShardWriter', () => {
  it('never exceeds the request limit and loses nothing', async () => {
    const lines = Array.from({ length: 23 }, (_, index) => JSON.stringify({ n: index }));
    const shards = await writeAll(lines, { maxRequests: 5, maxBytes: 1_000_000 });
    expect(shards.map((shard) => shard.requestCount)).toEqual([5, 5, 5, 5, 3]);
    const keys = shards.flatMap((shard) => {
      const file = readShardKeys(shard.path);
      return Array.from({ length: lineCount(file) }, (_, line) => keyAt(file, line));
    });
    expect(keys).toEqual(lines.map((_, index) => keyOf(index).slice(0, 32)));
    const written = shards.flatMap((shard) => readFileSync(shard.path, 'utf8').trim().split('\n'));
    expect(written).toEqual(lines);
    expect(shards.every((shard) => shard.inputTokens === shard.requestCount)).toBe(true);
  });

  it('never exceeds the byte limit', async () => {
    const lines = Array.from({ length: 40 }, (_, index) => 'x'.repeat(10 + (index % 7) * 13));
    const shards = await writeAll(lines, { maxRequests: 1000, maxBytes: 200 });
    for (const shard of shards) {
      expect(shard.bytes).toBeLessThanOrEqual(200);
      expect(readFileSync(shard.path).length).toBe(shard.bytes);
    }
    expect(shards.reduce((sum, shard) => sum + shard.requestCount, 0)).toBe(40);
  });

  it("names each line's shard and position in its custom_id, encoding a line again when it starts the next shard", async () => {
    const lines = Array.from({ length: 7 }, (_, index) => JSON.stringify({ n: index }));
    const customIds: string[] = [];
    const shards = await writeAll(lines, { maxRequests: 3, maxBytes: 1_000_000 }, customIds);
    expect(shards.map((shard) => shard.id)).toEqual(['run-x-s0-0', 'run-x-s0-1', 'run-x-s0-2']);
    expect(customIds).toEqual(['run-x-s0-0-0', 'run-x-s0-0-1', 'run-x-s0-0-2', 'run-x-s0-1-0', 'run-x-s0-1-1', 'run-x-s0-1-2', 'run-x-s0-2-0']);
    expect(lineOfCustomId('run-x-s0-1', 'run-x-s0-1-2', 3)).toBe(2);
    // Another shard's id, a line past the end, and a malformed number are not this shard's lines.
    expect(lineOfCustomId('run-x-s0-1', 'run-x-s0-10-2', 3)).toBeUndefined();
    expect(lineOfCustomId('run-x-s0-1', 'run-x-s0-1-3', 3)).toBeUndefined();
    expect(lineOfCustomId('run-x-s0-1', 'run-x-s0-1-01', 3)).toBeUndefined();
    expect(lineOfCustomId('run-x-s0-1', 'run-x-s0-1-', 3)).toBeUndefined();
  });

  it("gathers lines into chunks, yet each shard's sha256, bytes and content are its file's, multi-byte text included", async () => {
    // ≈ 300 KB per shard: several 64K chunks written before each shard ends, and one cut mid-chunk.
    const lines = Array.from({ length: 3000 }, (_, index) => JSON.stringify({ n: index, text: `é✓😀 ${'x'.repeat(index % 200)}` }));
    const shards = await writeAll(lines, { maxRequests: 1300, maxBytes: 1_000_000 });
    expect(shards.map((shard) => shard.requestCount)).toEqual([1300, 1300, 400]);
    for (const shard of shards) {
      const bytes = readFileSync(shard.path);
      expect(shard.bytes).toBe(bytes.length);
      expect(shard.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    expect(shards.flatMap((shard) => readFileSync(shard.path, 'utf8').trim().split('\n'))).toEqual(lines);
  });

  it('counts bytes, not characters, against the byte limit', async () => {
    // 11 characters and 21 bytes with the newline: counted as characters, six would fit.
    const lines = Array.from({ length: 9 }, () => 'é'.repeat(10));
    const shards = await writeAll(lines, { maxRequests: 1000, maxBytes: 66 });
    expect(shards.map((shard) => shard.requestCount)).toEqual([3, 3, 3]);
    expect(shards.every((shard) => readFileSync(shard.path).length === shard.bytes && shard.bytes === 63)).toBe(true);
  });

  it('returns a promise only when the caller must wait: a new shard or a full stream', async () => {
    const shards: ShardFile[] = [];
    const writer = new ShardWriter({ directory: tempDir(), prefix: 't', shardId: (index) => `run-x-s0-${index}`, maxRequests: 2, maxBytes: 1_000_000, onShard: (shard) => void shards.push(shard) });
    const waited: boolean[] = [];
    for (let index = 0; index < 5; index++) {
      const added = writer.add(keyOf(index), () => `{"n":${index}}`);
      waited.push(added !== undefined);
      if (added) await added;
    }
    // The first line of shards 1 and 2 waits for the shard before it to be finished and recorded.
    expect(waited).toEqual([false, false, true, false, true]);
    await writer.close();
    expect(shards.map((shard) => shard.requestCount)).toEqual([2, 2, 1]);
  });

  it('refuses a single request larger than the byte limit', async () => {
    await expect(writeAll(['x'.repeat(300)], { maxRequests: 10, maxBytes: 100 })).rejects.toThrow(/more than the provider's 100-byte/);
  });
});
