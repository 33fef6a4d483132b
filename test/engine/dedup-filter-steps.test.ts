import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/api/run-recipe.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu'.split(' ');

/** A 60-word text that shares nothing with another seed's text. */
function text(seed: number): string {
  return Array.from({ length: 60 }, (_, index) => `${WORDS[(seed * 7 + index * 3) % WORDS.length]}${(seed * 31 + index) % 97}`).join(' ');
}

function nearCopy(original: string): string {
  const words = original.split(' ');
  words[30] = 'changed';
  return words.join(' ');
}

function recipe(name: string, texts: string[]): string {
  return `name: ${name}
seeds:
  - inline:
${texts.map((item) => `      - { text: "${item}", length: ${item.length} }`).join('\n')}
steps:
  - dedup: { fields: [text], near: { threshold: 0.8 }, against: previous }
  - filter: { field: length, gte: 0 }
output:
  format: raw
`;
}

const rows = (path: string) => readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('dedup and filter steps in a run', () => {
  it('drops near-duplicates within a run and of earlier versions, counting and keeping the rejects', async () => {
    const dir = tempDir();
    const first = Array.from({ length: 6 }, (_, index) => text(index));
    writeFileSync(join(dir, 'v1.yaml'), recipe('corpus', [...first, nearCopy(first[0]!), first[1]!]));
    const one = await runRecipe('v1.yaml', { cwd: dir, env: {}, keepRejects: true });
    expect(one.steps[0]!.counts).toMatchObject({ input: 8, output: 6, duplicates: { exact: 1, near: 1 } });
    const v1 = join(dir, 'outputs', 'corpus', 'v1');
    expect(rows(join(v1, 'data', 'train-00000-of-00001.jsonl')).map((row) => row.text)).toEqual(first);
    const rejects = rows(join(v1, 'rejects.jsonl'));
    expect(rejects.map((reject) => reject.id)).toEqual(['s0-000006', 's0-000007']);
    expect(rejects[0]!.reason).toMatch(/^near duplicate of s0-000000 \(Jaccard 0\.\d+\)$/);
    expect(rejects[1]!.reason).toBe('exact duplicate of s0-000001');

    const fresh = Array.from({ length: 3 }, (_, index) => text(100 + index));
    writeFileSync(join(dir, 'v2.yaml'), recipe('corpus', [...fresh, nearCopy(first[2]!), first[3]!]));
    const two = await runRecipe('v2.yaml', { cwd: dir, env: {}, keepRejects: true });
    expect(two.output!.version).toBe('v2');
    expect(two.steps[0]!.counts).toMatchObject({ input: 5, output: 3, duplicates: { exact: 1, near: 1 } });
    const againstV1 = rows(join(dir, 'outputs', 'corpus', 'v2', 'rejects.jsonl'));
    expect(againstV1.map((reject) => reject.reason)).toEqual([expect.stringMatching(/^near duplicate of v1:s0-000002/), 'exact duplicate of v1:s0-000003']);
  });

  it('counts every record a filter removes by the rule that removed it', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'f.yaml'),
      `name: filtered
seeds:
  - inline: [{ q: short, n: 1 }, { q: "a long enough question here", n: 5 }, { q: "another long enough question", n: 0 }, { q: "as an AI I cannot answer that", n: 3 }]
steps:
  - filter: { all: [ { field: q, min_chars: 10 }, { field: q, not_matches: "(?i)as an ai" }, { field: n, gte: 1 } ] }
`,
    );
    const summary = await runRecipe('f.yaml', { cwd: dir, env: {} });
    expect(summary.steps[0]!.counts).toMatchObject({ input: 4, output: 1 });
    expect(summary.steps[0]!.counts.filtered).toEqual(
      expect.arrayContaining([
        { rule: 'q min_chars 10', removed: 1 },
        { rule: 'q not_matches "(?i)as an ai"', removed: 1 },
        { rule: 'n gte 1', removed: 1 },
      ]),
    );
  });
});
