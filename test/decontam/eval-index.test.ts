import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecontamSourceError } from '../../src/decontam/errors.js';
import { EvalIndex } from '../../src/decontam/eval-index.js';
import { NgramHashSet } from '../../src/decontam/ngram-hash-set.js';
import { forEachNgramHash } from '../../src/decontam/ngram-hashes.js';
import { NormalizedText, normalizeInto } from '../../src/dedup/normalize.js';

const QUESTION_1 = 'Which planet in our solar system has the longest day measured in Earth hours and why does it rotate so slowly';
const QUESTION_2 = 'A train leaves the station at nine in the morning travelling at sixty miles per hour toward the coast city';
const QUESTION_3 = 'Name the chemical element whose symbol is derived from the Latin word for gold and give its atomic number';
const CLEAN = 'Write a friendly note to a neighbour asking them to water the tomato plants while the family is away on holiday next week';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'synthforge-decontam-'));
  await writeFile(join(dir, 'eval.jsonl'), `${JSON.stringify({ id: 'q1', question: QUESTION_1, answer: 'Venus' })}\n\n${JSON.stringify({ id: 'q2', question: QUESTION_2, answer: '3' })}\n`);
  await writeFile(join(dir, 'eval.csv'), `question,answer\n"${QUESTION_3}",Au\n`);
  await mkdir(join(dir, 'hf', 'data'), { recursive: true });
  await writeFile(join(dir, 'hf', 'dataset_info.json'), '{"features": {}}');
  await writeFile(join(dir, 'hf', 'README.md'), `# card that quotes ${QUESTION_1}`);
  parquetWriteFile({
    filename: join(dir, 'hf', 'data', 'test-00000-of-00001.parquet'),
    columnData: [
      { name: 'prompt', data: [QUESTION_2, QUESTION_3], type: 'STRING' },
      { name: 'label', data: [1, 2], type: 'INT32' },
    ],
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('EvalIndex', () => {
  it('finds a planted evaluation item inside a longer record, naming the item (file:line) and the 13-gram', async () => {
    const index = await EvalIndex.build({ against: ['eval.jsonl'], baseDir: dir });
    expect(index.items).toBe(2);
    const match = index.match([`Here is a puzzle for you. ${QUESTION_2.toUpperCase()}! Think step by step.`]);
    expect(match).toEqual({ eval_item: 'eval.jsonl:3', ngram: 'a train leaves the station at nine in the morning travelling at sixty' });
  });

  it('keeps clean text', async () => {
    const index = await EvalIndex.build({ against: ['eval.jsonl', 'eval.csv'], baseDir: dir });
    expect(index.match([CLEAN, 'Venus', 'which planet in our solar system'])).toBeUndefined();
  });

  it('still finds an edited item through the 13-grams the edit left intact', async () => {
    const index = await EvalIndex.build({ against: ['eval.jsonl'], baseDir: dir });
    const edited = QUESTION_1.replace('slowly', 'gradually');
    expect(index.match([edited])?.eval_item).toBe('eval.jsonl:1');
  });

  it('reads CSV with the named eval_fields only', async () => {
    const index = await EvalIndex.build({ against: ['eval.csv'], evalFields: ['question'], baseDir: dir });
    expect(index.match([QUESTION_3])).toMatchObject({ eval_item: 'eval.csv:2' });
  });

  it('reads a Hugging Face dataset folder: the data files inside, not the card or dataset_info', async () => {
    const index = await EvalIndex.build({ against: ['hf'], baseDir: dir });
    expect(index.items).toBe(2);
    expect(index.match([QUESTION_3])).toMatchObject({ eval_item: 'hf/data/test-00000-of-00001.parquet:2' });
    expect(index.match([QUESTION_1])).toBeUndefined();
  });

  it('matches each field on its own: an n-gram never spans two fields', async () => {
    const index = await EvalIndex.build({ against: ['eval.jsonl'], baseDir: dir, ngram: 4 });
    const words = QUESTION_1.split(' ');
    expect(index.match([words.slice(0, 2).join(' '), words.slice(2, 4).join(' ')])).toBeUndefined();
    expect(index.match([words.slice(0, 4).join(' ')])).toMatchObject({ ngram: 'which planet in our' });
  });

  it('a text shorter than n words matches only the same text; one under 5 words (an answer, an id) is not compared', async () => {
    await writeFile(join(dir, 'short.jsonl'), `${JSON.stringify({ q: 'What is the capital of France?', a: 'Paris' })}\n`);
    const index = await EvalIndex.build({ against: ['short.jsonl'], baseDir: dir });
    expect(index.match(['what is the capital of FRANCE'])).toEqual({ eval_item: 'short.jsonl:1', ngram: 'what is the capital of france' });
    expect(index.match(['So what is the capital of France?'])).toBeUndefined();
    expect(index.match(['Paris'])).toBeUndefined();
  });

  it('refuses a missing path, a folder without data files, an unknown file kind and fields no item has', async () => {
    await mkdir(join(dir, 'empty'), { recursive: true });
    await writeFile(join(dir, 'eval.txt'), 'x');
    const failure = (options: Parameters<typeof EvalIndex.build>[0]) => EvalIndex.build(options).then(() => undefined, (error: unknown) => error);
    const missing = await failure({ against: ['nope.jsonl'], baseDir: dir });
    expect(missing).toBeInstanceOf(DecontamSourceError);
    expect((missing as DecontamSourceError).exitCode).toBe(2);
    expect((missing as Error).message).toBe(`${join(dir, 'nope.jsonl')}: evaluation set not found (relative paths resolve against ${dir})`);
    expect((await failure({ against: ['empty'], baseDir: dir }) as Error).message).toMatch(/empty: expected a dataset folder with \.jsonl, \.csv or \.parquet data files/);
    expect((await failure({ against: ['eval.txt'], baseDir: dir }) as Error).message).toMatch(/eval\.txt: expected an evaluation set file ending in \.jsonl, \.csv or \.parquet/);
    expect((await failure({ against: ['eval.jsonl'], evalFields: ['qestion'], baseDir: dir }) as Error).message).toMatch(/eval\.jsonl: no item has the field\(s\) qestion to compare; its items have: answer, id, question/);
  });

  it('names the line of a malformed evaluation file', async () => {
    await writeFile(join(dir, 'bad.jsonl'), `${JSON.stringify({ q: 'fine' })}\n{"q": oops}\n`);
    const error = await EvalIndex.build({ against: ['bad.jsonl'], baseDir: dir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DecontamSourceError);
    expect((error as Error).message).toMatch(new RegExp(`^${join(dir, 'bad.jsonl').replace(/[.]/g, '\\.')}:2(:\\d+)?: evaluation set: malformed JSON`));
  });
});

describe('NgramHashSet', () => {
  it('keeps the first item of a hash and survives growth', () => {
    const set = new NgramHashSet();
    for (let item = 0; item < 5000; item++) set.add(item * 7919 + 1, item, item);
    set.add(1, 0, 99);
    expect(set.size).toBe(5000);
    expect(set.find(1, 0)).toBe(0);
    expect(set.find(4999 * 7919 + 1, 4999)).toBe(4999);
    expect(set.find(2, 0)).toBe(-1);
  });
});

describe('forEachNgramHash', () => {
  it('rolls to the same hash the n words give on their own, at every position', () => {
    const words = Array.from({ length: 40 }, (_, index) => `w${(index * 7) % 11}x${index % 5}`);
    const hashesOf = (text: string, n: number): string[] => {
      const normalized = new NormalizedText();
      normalizeInto(text, { foldDigits: false }, normalized);
      const found: string[] = [];
      forEachNgramHash(normalized, n, (high, low) => {
        found.push(`${high}:${low}`);
      });
      return found;
    };
    for (const n of [5, 13]) {
      const rolled = hashesOf(words.join(' '), n);
      expect(rolled).toHaveLength(words.length - n + 1);
      expect(rolled).toEqual(words.slice(0, words.length - n + 1).map((_, start) => hashesOf(words.slice(start, start + n).join(' '), n)[0]));
      expect(new Set(rolled).size).toBe(rolled.length);
    }
  });
});
