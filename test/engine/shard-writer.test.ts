import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ShardWriter, type ShardFile } from '../../src/engine/shard-writer.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

async function writeAll(lines: string[], limits: { maxRequests: number; maxBytes: number }): Promise<ShardFile[]> {
  const shards: ShardFile[] = [];
  const writer = new ShardWriter({ directory: tempDir(), prefix: 't', ...limits, onShard: (shard) => void shards.push(shard) });
  for (const [index, line] of lines.entries()) await writer.add(`k${index}`, line, 1);
  await writer.close();
  return shards;
}

describe('ShardWriter', () => {
  it('never exceeds the request limit and loses nothing', async () => {
    const lines = Array.from({ length: 23 }, (_, index) => JSON.stringify({ n: index }));
    const shards = await writeAll(lines, { maxRequests: 5, maxBytes: 1_000_000 });
    expect(shards.map((shard) => shard.requestCount)).toEqual([5, 5, 5, 5, 3]);
    expect(shards.flatMap((shard) => shard.requestKeys)).toEqual(lines.map((_, index) => `k${index}`));
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

  it('refuses a single request larger than the byte limit', async () => {
    await expect(writeAll(['x'.repeat(300)], { maxRequests: 10, maxBytes: 100 })).rejects.toThrow(/more than the provider's 100-byte/);
  });
});
