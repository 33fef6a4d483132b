import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/api/run-recipe.js';
import { openDataset } from '../../src/dataset/open-dataset.js';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const LEAKED = 'A farmer has seventeen sheep and all but nine run away through a gap in the fence how many sheep are left';
const texts = [
  'Explain why the sky looks blue at noon and red at sunset using the idea of light scattering by small particles',
  `Quiz time. ${LEAKED}?`,
  'Write a short poem about a lighthouse keeper who counts the ships that pass during one long winter night alone',
  'List four habits that help a student remember vocabulary in a new language over the course of one semester',
];

async function publishV1(dir: string): Promise<void> {
  writeFileSync(
    join(dir, 'r.yaml'),
    `name: corpus
seeds:
  - inline:
${texts.map((text, index) => `      - { text: "${text}", n: ${index} }`).join('\n')}
steps:
  - filter: { field: n, gte: 0 }
output:
  format: raw
  splits: { train: 0.5, test: 0.5 }
  files: [jsonl, parquet]
`,
  );
  await runRecipe('r.yaml', { cwd: dir, env: {} });
  mkdirSync(join(dir, 'evals', 'riddles', 'data'), { recursive: true });
  writeFileSync(join(dir, 'evals', 'riddles', 'data', 'test.jsonl'), `${JSON.stringify({ question: 'Unrelated riddle about a clock that strikes thirteen times in the middle of an ordinary night' })}\n${JSON.stringify({ question: LEAKED, answer: 'nine' })}\n`);
}

describe('synthforge decontaminate', () => {
  it('writes a new version without the contaminated row, same format and splits, with the match in rejects.jsonl', async () => {
    const dir = tempDir();
    await publishV1(dir);
    const result = await runCli(['decontaminate', 'corpus@v1', '--against', 'evals/riddles', '--fields', 'text'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('corpus@v1 → corpus@v2: 4 rows checked against 2 evaluation items, 1 removed, 3 kept');

    const v1 = await openDataset(join(dir, 'outputs'), 'corpus@v1');
    const v2 = await openDataset(join(dir, 'outputs'), 'corpus@v2');
    const rowsOf = async (opened: typeof v1, split: string) => {
      const found: Record<string, unknown>[] = [];
      for await (const row of opened.rows(split)) found.push(row as Record<string, unknown>);
      return found;
    };
    const leakedId = (await rowsOf(v1, 'train')).concat(await rowsOf(v1, 'test')).find((row) => String(row.text).includes('farmer'))!.id;
    for (const split of ['train', 'test']) {
      expect(await rowsOf(v2, split)).toEqual((await rowsOf(v1, split)).filter((row) => row.id !== leakedId));
    }
    expect(v2.format).toBe('raw');
    expect(v2.manifest.files.map((file) => file.format).sort()).toEqual(v1.manifest.files.map((file) => file.format).sort());
    expect(v2.manifest.derived_from).toEqual({ version: 'v1', operation: 'decontaminate', against: ['evals/riddles'], ngram: 13, fields: ['text'], eval_items: 2 });
    const rejects = readFileSync(join(v2.dir, 'rejects.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ id: leakedId, kind: 'contaminated', match: { eval_item: 'evals/riddles/data/test.jsonl:2', ngram: 'a farmer has seventeen sheep and all but nine run away through a' } });
  });

  it('refuses a missing evaluation set with exit code 2, naming the path', async () => {
    const dir = tempDir();
    await publishV1(dir);
    const result = await runCli(['decontaminate', 'corpus', '--against', 'evals/nope.jsonl'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, 'evals', 'nope.jsonl')}: evaluation set not found`);
  });
});
