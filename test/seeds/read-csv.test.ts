import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fields } from '../../src/domain.js';
import { SeedError } from '../../src/seeds/errors.js';
import { openSeeds } from '../../src/seeds/open-seeds.js';

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'synthforge-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeCsv(content: string | Buffer): Promise<string> {
  counter += 1;
  const file = join(dir, `f${counter}.csv`);
  await writeFile(file, content);
  return file;
}

async function readCsv(content: string, options: { delimiter?: string; limit?: number } = {}): Promise<Fields[]> {
  const file = await writeCsv(content);
  const fields: Fields[] = [];
  for await (const record of openSeeds([{ kind: 'csv', path: file, ...options }], { baseDir: dir })) {
    fields.push(record.fields);
  }
  return fields;
}

async function csvError(content: string, options: { delimiter?: string } = {}): Promise<{ error: SeedError; file: string }> {
  const file = await writeCsv(content);
  try {
    for await (const record of openSeeds([{ kind: 'csv', path: file, ...options }], { baseDir: dir })) void record;
  } catch (error) {
    expect(error).toBeInstanceOf(SeedError);
    return { error: error as SeedError, file };
  }
  throw new Error('expected a SeedError');
}

describe('csv seeds', () => {
  it('names fields from the header and keeps every value a string', async () => {
    expect(await readCsv('id,score,flag,zip\n1,0.5,true,007\n2,1e3,,02134\n')).toEqual([
      { id: '1', score: '0.5', flag: 'true', zip: '007' },
      { id: '2', score: '1e3', flag: '', zip: '02134' },
    ]);
  });

  it('handles quoted fields with delimiters, quotes and newlines', async () => {
    expect(await readCsv('a,b\n"x, y","say ""hi""\nthere"\n')).toEqual([{ a: 'x, y', b: 'say "hi"\nthere' }]);
  });

  it('keeps a stray quote inside an unquoted field literally', async () => {
    expect(await readCsv('item,size\nscreen,27" wide\n')).toEqual([{ item: 'screen', size: '27" wide' }]);
  });

  it('tolerates a byte order mark, CRLF and blank lines', async () => {
    expect(await readCsv('\uFEFFa,b\r\n1,2\r\n\r\n3,4\r\n')).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
    ]);
  });

  it('accepts another delimiter', async () => {
    expect(await readCsv('a\tb\n1\t2\n', { delimiter: '\t' })).toEqual([{ a: '1', b: '2' }]);
    expect(await readCsv('a;b\n1;2\n', { delimiter: ';' })).toEqual([{ a: '1', b: '2' }]);
  });

  it('gives zero records for an empty file or a lone header', async () => {
    expect(await readCsv('')).toEqual([]);
    expect(await readCsv('a,b\n')).toEqual([]);
    expect(await readCsv('a,b')).toEqual([]);
  });

  it('stops reading at the limit', async () => {
    expect(await readCsv('a\n1\n2\n3\n', { limit: 2 })).toEqual([{ a: '1' }, { a: '2' }]);
  });

  it('reports a row with too many or too few fields at the line where it starts', async () => {
    const extra = await csvError('a,b\n1,2\n\n"multi\nline",2,3\n');
    expect(extra.error.message).toBe(`${extra.file}:4: seeds[0]: expected 2 fields (as in the header), found 3`);
    expect(extra.error.details).toMatchObject({ file: extra.file, line: 4, sourceIndex: 0 });

    const fewer = await csvError('a,b,c\r\n1,2,3\r\n4,5\r\n');
    expect(fewer.error.message).toBe(`${fewer.file}:3: seeds[0]: expected 3 fields (as in the header), found 2`);
  });

  it('reports an unterminated quote at the line of the row that opens it', async () => {
    const { error, file } = await csvError('a,b\n1,2\n\n\n3,"open\n4,5\n');
    expect(error.message).toBe(`${file}:5: seeds[0]: unterminated quoted field: the file ends before its closing quote`);
    expect(error.details).toMatchObject({ file, line: 5 });
  });

  it('reports a broken quote that would merge the rows after it, at the line where the quote opens', async () => {
    const merged = await csvError('id,text\n1,"hello\n2,"world"\n3,fine\n');
    expect(merged.error.message).toBe(
      `${merged.file}:2: seeds[0]: the quoted field opened on this line is closed on line 3 by a quote followed by "w" instead of "," or the end of the line; a missing or stray quote would merge lines 2-3 into one record`,
    );
    expect(merged.error.details).toMatchObject({ file: merged.file, line: 2 });

    const later = await csvError('id,text,n\n1,"a,b",1\n2,"unterminated,2\n3,z,3\n4,"q",4\n');
    expect(later.error.message).toContain(`${later.file}:3: seeds[0]: the quoted field opened on this line is closed on line 5`);
  });

  it('still reads quoted fields that span lines or hold escaped quotes', async () => {
    expect(await readCsv('id,text\n1,"""hi""\nthere"\n2,"a ""b""\nc"\n3,"x" y\n')).toEqual([
      { id: '1', text: '"hi"\nthere' },
      { id: '2', text: 'a "b"\nc' },
      { id: '3', text: '"x" y' },
    ]);
  });

  it('reports bytes that are not UTF-8 at their line instead of replacing them', async () => {
    const file = await writeCsv(Buffer.concat([Buffer.from('a,b\n1,2\n3,caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const failure = (async () => {
      for await (const record of openSeeds([{ kind: 'csv', path: file }], { baseDir: dir })) void record;
    })();
    await expect(failure).rejects.toThrow(`${file}:3: seeds[0]: not valid UTF-8`);
    await expect(failure).rejects.toBeInstanceOf(SeedError);
  });

  it('reports a duplicate header name', async () => {
    const { error, file } = await csvError('a,b,a\n1,2,3\n');
    expect(error.message).toBe(`${file}:1: seeds[0]: duplicate column "a" in the header`);
  });

  it('reports an invalid delimiter', async () => {
    const { error } = await csvError('a,b\n1,2\n', { delimiter: '' });
    expect(error.message).toContain('invalid CSV options');
  });
});
