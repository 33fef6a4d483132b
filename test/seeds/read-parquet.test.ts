import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataRecord } from '../../src/domain.js';
import { SeedError } from '../../src/seeds/errors.js';
import { normalizeParquetValue } from '../../src/seeds/normalize-parquet-value.js';
import { openSeeds } from '../../src/seeds/open-seeds.js';
import type { SeedSourceSpec } from '../../src/seeds/seed-source.js';

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'synthforge-parquet-'));
  file = join(dir, 'seeds.parquet');
  // Row groups of 2 rows, so reading crosses row-group boundaries.
  parquetWriteFile({
    filename: file,
    rowGroupSize: 2,
    columnData: [
      { name: 'topic', data: ['billing', 'wifi', null, 'tv', 'phone'], type: 'STRING' },
      { name: 'count', data: [1, 2, 3, 4, 5], type: 'INT32' },
      { name: 'big', data: [1n, 2n, 3n, 2n ** 60n + 1n, 5n], type: 'INT64' },
      { name: 'score', data: [0.5, 1, 1.5, 2, 2.5], type: 'DOUBLE' },
      { name: 'ok', data: [true, false, true, false, true], type: 'BOOLEAN' },
      { name: 'at', data: [0, 1, 2, 3, 4].map((n) => new Date(Date.UTC(2024, 0, n + 1))), type: 'TIMESTAMP' },
      { name: 'meta', data: [{ tags: ['a'] }, null, { tags: [] }, { tags: ['b', 'c'] }, {}], type: 'JSON' },
    ],
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(spec: Partial<SeedSourceSpec> = {}): Promise<DataRecord[]> {
  const records: DataRecord[] = [];
  const source = { kind: 'parquet', path: 'seeds.parquet', ...spec } as SeedSourceSpec;
  for await (const record of openSeeds([source], { baseDir: dir })) records.push(record);
  return records;
}

describe('parquet seeds', () => {
  it('reads every row across row groups as JSON-safe fields', async () => {
    const records = await collect();
    expect(records.map((record) => record.id)).toEqual(['s0-000000', 's0-000001', 's0-000002', 's0-000003', 's0-000004']);
    expect(records[0]!.fields).toEqual({
      topic: 'billing',
      count: 1,
      big: 1,
      score: 0.5,
      ok: true,
      at: '2024-01-01T00:00:00.000Z',
      meta: { tags: ['a'] },
    });
    expect(records[2]!.fields['topic']).toBeNull();
    // Beyond 2^53 an INT64 keeps every digit as a string.
    expect(records[3]!.fields['big']).toBe('1152921504606846977');
    expect(() => JSON.stringify(records)).not.toThrow();
  });

  it('applies limit, sample and idField like any source', async () => {
    expect((await collect({ limit: 3 })).map((record) => record.fields['count'])).toEqual([1, 2, 3]);
    const sampled = await collect({ sample: { n: 2, seed: 11 } });
    expect(sampled).toHaveLength(2);
    expect(sampled.map((record) => record.fields['count'])).toEqual(
      [...sampled.map((record) => record.fields['count'] as number)].sort((a, b) => a - b),
    );
    expect((await collect({ idField: 'count', limit: 2 })).map((record) => record.id)).toEqual(['1', '2']);
  });

  it('names the row of a missing id', async () => {
    await expect(collect({ idField: 'topic' })).rejects.toThrow(`${file} row 3: seeds[0]: missing id field "topic"`);
  });

  it('rejects a file that is not Parquet', async () => {
    const fake = join(dir, 'fake.parquet');
    await writeFile(fake, 'not parquet at all');
    const error = await collect({ path: fake }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SeedError);
    expect((error as SeedError).message).toContain(`${fake}: seeds[0]: not a readable Parquet file`);
    expect((error as SeedError).details).toMatchObject({ file: fake, sourceIndex: 0 });
  });
});

describe('normalizeParquetValue', () => {
  it('turns bigint, Date and bytes into JSON values, recursively', () => {
    expect(
      normalizeParquetValue({ a: 5n, b: [new Date(0), new Uint8Array([104, 105])], c: { d: -(2n ** 63n) } }),
    ).toEqual({ a: 5, b: ['1970-01-01T00:00:00.000Z', 'aGk='], c: { d: '-9223372036854775808' } });
  });
});
