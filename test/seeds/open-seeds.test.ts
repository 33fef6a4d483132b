import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataRecord } from '../../src/domain.js';
import { SynthforgeError } from '../../src/errors.js';
import { SeedError } from '../../src/seeds/errors.js';
import { countSeeds, openSeeds } from '../../src/seeds/open-seeds.js';
import { formatSeedId } from '../../src/seeds/seed-ids.js';
import type { SeedSourceSpec } from '../../src/seeds/seed-source.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'seeds');

async function collect(sources: SeedSourceSpec[], baseDir = fixtures): Promise<DataRecord[]> {
  const records: DataRecord[] = [];
  for await (const record of openSeeds(sources, { baseDir })) records.push(record);
  return records;
}

async function failure(sources: SeedSourceSpec[], baseDir = fixtures): Promise<SeedError> {
  try {
    await collect(sources, baseDir);
  } catch (error) {
    expect(error).toBeInstanceOf(SeedError);
    return error as SeedError;
  }
  throw new Error('expected openSeeds to fail');
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'synthforge-seeds-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('inline seeds', () => {
  it('emits each record with a positional id, seedId, its source and empty lineage', async () => {
    const records = await collect([{ kind: 'inline', records: [{ q: 'a' }, { q: 'b' }] }]);
    expect(records).toEqual([
      { id: 's0-000000', fields: { q: 'a' }, seedId: 's0-000000', source: 'seeds[0] (inline) record 1', lineage: [] },
      { id: 's0-000001', fields: { q: 'b' }, seedId: 's0-000001', source: 'seeds[0] (inline) record 2', lineage: [] },
    ]);
  });

  it('copies records so later steps cannot edit the recipe', async () => {
    const original = { q: 'a' };
    const [record] = await collect([{ kind: 'inline', records: [original] }]);
    record!.fields['q'] = 'changed';
    expect(original.q).toBe('a');
  });

  it('rejects a record that is not an object, pointing at the recipe entry', async () => {
    const error = await failure([
      { kind: 'inline', records: [{ q: 'a' }, 'oops' as never], location: { file: 'r.yaml', line: 4, column: 5 } },
    ]);
    expect(error.message).toBe('r.yaml:4:5: seeds[0]: inline record 2 is not an object of fields');
    expect(error.details).toMatchObject({ file: 'r.yaml', line: 4, column: 5, sourceIndex: 0 });
    expect(error.code).toBe('seed_invalid');
    expect(error.exitCode).toBe(2);
    expect(SynthforgeError.isInstance(error)).toBe(true);
  });
});

describe('product seeds', () => {
  it('varies the last key fastest, keys in written order', async () => {
    const records = await collect([
      { kind: 'product', attributes: { product: ['router', 'modem'], persona: ['novice', 'expert', 'admin'] } },
    ]);
    expect(records.map((record) => record.fields)).toEqual([
      { product: 'router', persona: 'novice' },
      { product: 'router', persona: 'expert' },
      { product: 'router', persona: 'admin' },
      { product: 'modem', persona: 'novice' },
      { product: 'modem', persona: 'expert' },
      { product: 'modem', persona: 'admin' },
    ]);
    expect(Object.keys(records[0]!.fields)).toEqual(['product', 'persona']);
    expect(records.map((record) => record.id)).toEqual([0, 1, 2, 3, 4, 5].map((n) => `s0-00000${n}`));
  });

  it('streams a huge product lazily', async () => {
    const lists = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`k${index}`, [...'abcdefghij']]));
    const records = await collect([{ kind: 'product', attributes: lists, limit: 3 }]);
    expect(records.map((record) => record.fields['k9'])).toEqual(['a', 'b', 'c']);
  });

  it('rejects an empty attribute list, naming the attribute and the recipe line', async () => {
    const error = await failure([
      { kind: 'product', attributes: { product: ['router'], persona: [] }, location: { file: 'r.yaml', line: 3, column: 5 } },
    ]);
    expect(error.message).toContain('r.yaml:3:5: seeds[0]: product attribute "persona" is an empty list');
    expect(error.details).toMatchObject({ file: 'r.yaml', line: 3 });
  });

  it('rejects a product with no attributes and an attribute that is not a list', async () => {
    expect((await failure([{ kind: 'product', attributes: {} }])).message).toContain('at least one attribute');
    const notList = await failure([{ kind: 'product', attributes: { a: 'x' as never } }]);
    expect(notList.message).toContain('product attribute "a" must be a list');
  });
});

describe('concatenation and ids', () => {
  it('concatenates sources in order, numbering ids per source', async () => {
    const records = await collect([
      { kind: 'inline', records: [{ n: 1 }] },
      { kind: 'jsonl', path: 'tickets.jsonl' },
      { kind: 'csv', path: 'people.csv' },
    ]);
    expect(records.map((record) => record.id)).toEqual(['s0-000000', 's1-000000', 's1-000001', 's2-000000', 's2-000001']);
    expect(records[3]!.fields).toEqual({ name: 'Ada', age: '36' });
  });

  it('pads ordinals to at least six digits and keeps longer ones whole', () => {
    expect(formatSeedId(3, 17)).toBe('s3-000017');
    expect(formatSeedId(0, 999_999)).toBe('s0-999999');
    expect(formatSeedId(0, 1_234_567)).toBe('s0-1234567');
  });

  it('resolves relative paths against baseDir, not the working directory', async () => {
    expect(process.cwd()).not.toBe(fixtures);
    const records = await collect([{ kind: 'jsonl', path: 'tickets.jsonl' }], fixtures);
    expect(records).toHaveLength(2);
  });

  it('accepts absolute paths', async () => {
    const records = await collect([{ kind: 'jsonl', path: join(fixtures, 'tickets.jsonl') }], '/nonexistent');
    expect(records[1]!.fields).toEqual({ topic: 'wifi', tone: 'calm' });
  });
});

describe('idField', () => {
  it('uses the field value as id and seedId', async () => {
    const records = await collect([{ kind: 'inline', records: [{ key: 'a-1' }, { key: 7 }], idField: 'key' }]);
    expect(records.map((record) => [record.id, record.seedId])).toEqual([
      ['a-1', 'a-1'],
      ['7', '7'],
    ]);
  });

  it('rejects a duplicate across sources, naming both places', async () => {
    const file = join(dir, 'dup.jsonl');
    await writeFile(file, '{"key":"x1"}\n{"key":"x2"}\n\n{"key":"x1"}\n');
    const error = await failure([{ kind: 'jsonl', path: file, idField: 'key' }]);
    expect(error.message).toBe(`${file}:4: seeds[0]: duplicate id "x1" (first used at ${file}:1)`);
    expect(error.details).toMatchObject({ file, line: 4 });

    const across = await failure([
      { kind: 'inline', records: [{ key: 'x2' }], idField: 'key', location: { file: 'r.yaml', line: 2, column: 3 } },
      { kind: 'jsonl', path: file, idField: 'key' },
    ]);
    expect(across.message).toBe(`${file}:2: seeds[1]: duplicate id "x2" (first used at r.yaml:2:3 record 1)`);
  });

  it('rejects an idField value that collides with a positional id', async () => {
    const error = await failure([
      { kind: 'inline', records: [{ q: 1 }] },
      { kind: 'inline', records: [{ key: 's0-000000' }], idField: 'key' },
    ]);
    expect(error.message).toContain('duplicate id "s0-000000"');
  });

  it('rejects a missing, empty or structured id value with file and line', async () => {
    const file = join(dir, 'noid.jsonl');
    await writeFile(file, '{"key":"a"}\n{"other":1}\n');
    const missing = await failure([{ kind: 'jsonl', path: file, idField: 'key' }]);
    expect(missing.message).toBe(`${file}:2: seeds[0]: missing id field "key"`);
    expect(missing.details).toMatchObject({ file, line: 2, sourceIndex: 0 });

    const empty = await failure([{ kind: 'inline', records: [{ key: '' }], idField: 'key' }]);
    expect(empty.message).toContain('id field "key" is empty');
    const structured = await failure([{ kind: 'inline', records: [{ key: { a: 1 } }], idField: 'key' }]);
    expect(structured.message).toContain('must be a string or a number');
  });
});

describe('limit and sample', () => {
  const hundred: SeedSourceSpec = { kind: 'product', attributes: { n: Array.from({ length: 100 }, (_, i) => i) } };
  const numbers = (records: DataRecord[]) => records.map((record) => record.fields['n'] as number);

  it('keeps the first N records and their positional ids', async () => {
    const records = await collect([{ ...hundred, limit: 3 }]);
    expect(numbers(records)).toEqual([0, 1, 2]);
    expect(records.map((record) => record.id)).toEqual(['s0-000000', 's0-000001', 's0-000002']);
    expect(await collect([{ ...hundred, limit: 0 }])).toEqual([]);
  });

  it('samples n distinct records in original order, the same for the same seed', async () => {
    const first = numbers(await collect([{ ...hundred, sample: { n: 10, seed: 7 } }]));
    const again = numbers(await collect([{ ...hundred, sample: { n: 10, seed: 7 } }]));
    const other = numbers(await collect([{ ...hundred, sample: { n: 10, seed: 8 } }]));
    expect(first).toHaveLength(10);
    expect(new Set(first).size).toBe(10);
    expect(first).toEqual([...first].sort((a, b) => a - b));
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('picks the same records on any machine (golden values)', async () => {
    // Pinned output of xoshiro128** + Algorithm R; a change here changes every sampled dataset.
    expect(numbers(await collect([{ ...hundred, sample: { n: 5, seed: 7 } }]))).toEqual(GOLDEN_SEED_7);
  });

  it('ids keep the position in the source before limit and sampling', async () => {
    const records = await collect([{ ...hundred, sample: { n: 4, seed: 3 } }]);
    for (const record of records) expect(record.id).toBe(`s0-${String(record.fields['n']).padStart(6, '0')}`);
  });

  it('applies limit before sample', async () => {
    const records = numbers(await collect([{ ...hundred, limit: 20, sample: { n: 5, seed: 1 } }]));
    expect(records).toHaveLength(5);
    expect(Math.max(...records)).toBeLessThan(20);
  });

  it('returns the whole source when n is larger than it', async () => {
    expect(numbers(await collect([{ ...hundred, limit: 4, sample: { n: 50, seed: 1 } }]))).toEqual([0, 1, 2, 3]);
  });

  it('is uniform: every record is picked about n/N of the time', async () => {
    const counts = new Array<number>(10).fill(0);
    const ten: SeedSourceSpec = { kind: 'product', attributes: { n: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] } };
    for (let seed = 0; seed < 2000; seed += 1) {
      for (const n of numbers(await collect([{ ...ten, sample: { n: 3, seed } }]))) counts[n]! += 1;
    }
    // Expected 600 each; binomial sd ≈ 20.5, so ±120 is beyond 5 sd.
    for (const count of counts) expect(Math.abs(count - 600)).toBeLessThan(120);
  });

  it('rejects invalid limit and sample options before reading', async () => {
    expect((await failure([{ ...hundred, limit: -1 }])).message).toContain('limit must be a non-negative integer');
    expect((await failure([{ ...hundred, sample: { n: 1.5, seed: 1 } }])).message).toContain('sample.n');
    expect((await failure([{ ...hundred, sample: { n: 1, seed: 0.5 } }])).message).toContain('sample.seed');
  });
});

describe('missing files', () => {
  it('names the resolved path and how relative paths resolve', async () => {
    const error = await failure([
      { kind: 'inline', records: [{ a: 1 }] },
      { kind: 'csv', path: 'data/missing.csv', location: { file: '/r/recipe.yaml', line: 9, column: 5 } },
    ], '/r');
    expect(error.message).toBe(
      "/r/recipe.yaml:9:5: seeds[1]: seed file not found: /r/data/missing.csv (relative paths resolve against the recipe's folder, /r)",
    );
    expect(error.details).toMatchObject({ file: '/r/recipe.yaml', line: 9, column: 5, sourceIndex: 1 });
  });

  it('fails before emitting any record when a later source is missing', async () => {
    const iterator = openSeeds(
      [{ kind: 'inline', records: [{ a: 1 }] }, { kind: 'jsonl', path: 'nope.jsonl' }],
      { baseDir: dir },
    )[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toThrow(/seed file not found/);
  });

  it('rejects a directory', async () => {
    const error = await failure([{ kind: 'parquet', path: dir }]);
    expect(error.message).toContain(`seed path is not a file: ${dir}`);
  });
});

describe('record sources', () => {
  it('names where each record was read: file relative to the recipe and its line, or the seed entry and record number', async () => {
    await mkdir(join(dir, 'sources', 'seeds'), { recursive: true });
    await writeFile(join(dir, 'sources', 'seeds', 'a.jsonl'), '{"q":1}\n\n{"q":2}\n');
    await writeFile(join(dir, 'sources', 'seeds', 'b.csv'), 'q,note\n1,"two\nlines"\n2,x\n');
    const records = await collect(
      [
        { kind: 'jsonl', path: 'seeds/a.jsonl' },
        { kind: 'csv', path: 'seeds/b.csv', sample: { n: 5, seed: 1 } },
        { kind: 'product', attributes: { a: [1, 2] } },
      ],
      join(dir, 'sources'),
    );
    expect(records.map((record) => record.source)).toEqual([
      'seeds/a.jsonl:1',
      'seeds/a.jsonl:3',
      'seeds/b.csv:2',
      'seeds/b.csv:4',
      'seeds[2] (product) record 1',
      'seeds[2] (product) record 2',
    ]);
  });
});

describe('countSeeds', () => {
  it('counts per source after limit and sampling', async () => {
    const counts = await countSeeds(
      [
        { kind: 'product', attributes: { a: [1, 2, 3], b: [1, 2] } },
        { kind: 'jsonl', path: 'tickets.jsonl', limit: 1 },
        { kind: 'csv', path: 'people.csv', sample: { n: 10, seed: 1 } },
      ],
      { baseDir: fixtures },
    );
    expect(counts).toEqual({ total: 9, perSource: [6, 1, 2] });
  });
});

const GOLDEN_SEED_7 = [1, 21, 53, 70, 96];
