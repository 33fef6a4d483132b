import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataRecord } from '../../src/domain.js';
import { SeedError } from '../../src/seeds/errors.js';
import { openSeeds } from '../../src/seeds/open-seeds.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'synthforge-jsonl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readJsonl(content: string, options: { limit?: number } = {}): Promise<DataRecord[]> {
  const file = join(dir, `f${Math.random().toString(36).slice(2)}.jsonl`);
  await writeFile(file, content);
  const records: DataRecord[] = [];
  for await (const record of openSeeds([{ kind: 'jsonl', path: file, ...options }], { baseDir: dir })) {
    records.push(record);
  }
  return records;
}

async function jsonlError(content: string): Promise<{ error: SeedError; file: string }> {
  const file = join(dir, `bad${Math.random().toString(36).slice(2)}.jsonl`);
  await writeFile(file, content);
  try {
    for await (const record of openSeeds([{ kind: 'jsonl', path: file }], { baseDir: dir })) void record;
  } catch (error) {
    expect(error).toBeInstanceOf(SeedError);
    return { error: error as SeedError, file };
  }
  throw new Error('expected a SeedError');
}

describe('jsonl seeds', () => {
  it('reads one object per line, keeping JSON types', async () => {
    const records = await readJsonl('{"a":1,"b":[true,null],"c":{"d":"x"}}\n{"a":2}\n');
    expect(records.map((record) => record.fields)).toEqual([{ a: 1, b: [true, null], c: { d: 'x' } }, { a: 2 }]);
  });

  it('skips blank lines without counting them as records', async () => {
    const records = await readJsonl('\n{"a":1}\n   \n\n{"a":2}\n\n');
    expect(records.map((record) => [record.id, record.fields['a']])).toEqual([
      ['s0-000000', 1],
      ['s0-000001', 2],
    ]);
  });

  it('tolerates a byte order mark, CRLF endings and a missing final newline', async () => {
    const records = await readJsonl('\uFEFF{"a":"x"}\r\n{"a":"y"}\r\n{"a":"z"}');
    expect(records.map((record) => record.fields['a'])).toEqual(['x', 'y', 'z']);
  });

  it('keeps multi-byte characters split across read chunks intact', async () => {
    const text = 'é漢😀'.repeat(30_000);
    const records = await readJsonl(`${JSON.stringify({ text })}\n${JSON.stringify({ text })}\n`);
    expect(records.map((record) => record.fields['text'])).toEqual([text, text]);
  });

  it('stops reading at the limit', async () => {
    const records = await readJsonl('{"a":1}\n{"a":2}\nnot json at all\n', { limit: 2 });
    expect(records).toHaveLength(2);
  });

  it('reports a malformed line with file, line and column', async () => {
    const { error, file } = await jsonlError('{"a":1}\n\n{"a": 2,}\n');
    expect(error.message).toMatch(new RegExp(`^${escape(file)}:3(:\\d+)?: seeds\\[0\\]: malformed JSON: `));
    expect(error.details).toMatchObject({ file, line: 3, sourceIndex: 0 });
    expect(error.code).toBe('seed_invalid');
  });

  it('reports a line that is valid JSON but not an object', async () => {
    for (const [line, found] of [
      ['[1,2]', 'an array'],
      ['"text"', 'a string'],
      ['null', 'null'],
      ['42', 'a number'],
    ]) {
      const { error, file } = await jsonlError(`{"a":1}\r\n${line}\r\n`);
      expect(error.message).toBe(`${file}:2: seeds[0]: expected a JSON object on each line, found ${found}`);
    }
  });

  it('reports bytes that are not UTF-8 at their line instead of replacing them', async () => {
    const file = join(dir, `latin1${Math.random().toString(36).slice(2)}.jsonl`);
    await writeFile(file, Buffer.concat([Buffer.from('{"a":"ok"}\n{"a":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
    const failure = (async () => {
      for await (const record of openSeeds([{ kind: 'jsonl', path: file }], { baseDir: dir })) void record;
    })();
    await expect(failure).rejects.toThrow(`${file}:2: seeds[0]: not valid UTF-8`);
    await expect(failure).rejects.toBeInstanceOf(SeedError);
  });

  it('reports a record nested deeper than 100 levels at its line, however deep', async () => {
    for (const depth of [101, 200_000]) {
      const { error, file } = await jsonlError(`{"a":1}\n{"a":${'['.repeat(depth)}${']'.repeat(depth)}}\n`);
      expect(error.message).toBe(`${file}:2: seeds[0]: the record nests deeper than 100 levels (lists and objects); flatten it`);
    }
    const ok = await readJsonl(`{"a":${'['.repeat(99)}${']'.repeat(99)}}\n`);
    expect(ok).toHaveLength(1);
  });

  it('keeps a __proto__ key as data instead of changing the prototype', async () => {
    const [record] = await readJsonl('{"__proto__":{"polluted":true},"a":1}\n');
    expect(Object.getPrototypeOf(record!.fields)).toBe(Object.prototype);
    expect(Object.hasOwn(record!.fields, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('unreadable files', () => {
  // root reads files whatever their mode, so the check only means something for other users.
  it.skipIf(process.getuid?.() === 0)('wraps a read failure in a SeedError naming the file', async () => {
    const file = join(dir, 'locked.jsonl');
    await writeFile(file, '{"a":1}\n');
    await chmod(file, 0o000);
    const failure = (async () => {
      for await (const record of openSeeds([{ kind: 'jsonl', path: file }], { baseDir: dir })) void record;
    })();
    await expect(failure).rejects.toThrow(`${file}: seeds[0]: cannot read seed file: `);
    await expect(failure).rejects.toBeInstanceOf(SeedError);
  });
});

describe('jsonl streaming', () => {
  it('iterates a 200k-line file without holding it in memory', async () => {
    const file = join(dir, 'big.jsonl');
    const padding = 'x'.repeat(300);
    const handle = openSync(file, 'w');
    for (let block = 0; block < 200; block += 1) {
      let chunk = '';
      for (let line = 0; line < 1000; line += 1) {
        chunk += `{"n":${block * 1000 + line},"text":"${padding}"}\n`;
      }
      writeSync(handle, chunk);
    }
    closeSync(handle);
    const fileSize = statSync(file).size;

    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let count = 0;
    let lastN = -1;
    for await (const record of openSeeds([{ kind: 'jsonl', path: file }], { baseDir: dir })) {
      lastN = record.fields['n'] as number;
      count += 1;
      if (count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(count).toBe(200_000);
    expect(lastN).toBe(199_999);
    expect(fileSize).toBeGreaterThan(60_000_000);
    // Reading the file whole would add at least its size plus 200k parsed objects (≈ 2× its size) to
    // the heap; a stream adds a chunk and whatever garbage the collector has not reclaimed yet, which
    // on a busy machine (three test files on two cores) reached 36 MB, over half the file.
    expect(peak - baseline).toBeLessThan(fileSize);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
