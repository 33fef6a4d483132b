import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAnswerPositions, shardPositionsPath, writeAnswerPositions } from '../../src/engine/shard-files.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

describe("a shard's answer positions file", () => {
  it('reads back what was written, and nothing is left under the temporary name', async () => {
    const shard = join(tempDir(), 'step0-round0-x-0000.jsonl');
    const offsets = Float64Array.from([0, -1, 120, 5_000_000_000]);
    const sizes = Uint32Array.from([119, 0, 40, 7]);
    await writeAnswerPositions(shard, { offsets, sizes });
    expect(shardPositionsPath(shard)).toBe(shard.replace(/\.jsonl$/, '.answers.pos'));
    expect(existsSync(`${shardPositionsPath(shard)}.partial`)).toBe(false);
    const read = readAnswerPositions(shard, 4)!;
    expect([...read.offsets]).toEqual([...offsets]);
    expect([...read.sizes]).toEqual([...sizes]);
  });

  it('is not used when missing, of another line count, cut short, or written in another byte order', async () => {
    const shard = join(tempDir(), 'step0-round0-x-0001.jsonl');
    expect(readAnswerPositions(shard, 2)).toBeUndefined();
    await writeAnswerPositions(shard, { offsets: Float64Array.from([0, 10]), sizes: Uint32Array.from([9, 9]) });
    expect(readAnswerPositions(shard, 3)).toBeUndefined();
    const content = readFileSync(shardPositionsPath(shard));
    writeFileSync(shardPositionsPath(shard), content.subarray(0, content.length - 1));
    expect(readAnswerPositions(shard, 2)).toBeUndefined();
    const swapped = Buffer.from(content);
    swapped.subarray(0, 4).reverse();
    writeFileSync(shardPositionsPath(shard), swapped);
    expect(readAnswerPositions(shard, 2)).toBeUndefined();
  });
});
