import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/api/run-recipe.js';
import { renderRunSummary } from '../../src/cli/render/summary.js';
import { pairwiseVerdict } from '../../src/engine/judge-verdicts.js';
import type { EmulatorOptions } from '../../src/emulator/core/emulator-options.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const FAST = { validatingMs: 5, inProgressMs: 10, finalizingMs: 5 };

const QUESTIONS = Array.from({ length: 24 }, (_, index) => ({
  question: `What is ${index} plus ${index + 1}?`,
  answer: `It is ${2 * index + 1}.`,
  answer_a: `The sum is ${2 * index + 1}, since ${index} + ${index + 1} = ${2 * index + 1}.`,
  answer_b: `Maybe ${2 * index}.`,
}));

const RUBRIC = {
  correctness: { scale: [1, 5], description: 'Is the answer right?', weight: 2 },
  clarity: { scale: [1, 5], description: 'Is it easy to follow?' },
};

function readLines(path: string): Record<string, any>[] {
  return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

async function run(steps: unknown[], options: { emulator?: Partial<EmulatorOptions>; keepRejects?: boolean; output?: unknown } = {}) {
  const dir = tempDir();
  const summary = await runRecipe(
    { name: 'judged', seeds: [{ inline: QUESTIONS }], steps: steps as never, ...(options.output ? { output: options.output as never } : {}) },
    {
      cwd: dir,
      offline: true,
      env: {},
      emulator: { ...options.emulator, faults: { ...options.emulator?.faults, timing: FAST } },
      pollIntervalMs: { initial: 5, max: 20 },
      ...(options.keepRejects ? { keepRejects: true } : {}),
    },
  );
  const data = join(dir, 'outputs', 'judged', 'v1', 'data', 'train-00000-of-00001.jsonl');
  const rejects = join(dir, 'outputs', 'judged', 'v1', 'rejects.jsonl');
  return { summary, rows: existsSync(data) ? readLines(data) : [], rejects: existsSync(rejects) ? readLines(rejects) : [] };
}

describe('judge step, rubric', () => {
  it('merges integer scores in range, reasons and the weighted total into the record', async () => {
    const { summary, rows } = await run([{ judge: 'quality', model: 'openai/gpt-4o-mini', target: '{{ question }}\n\n{{ answer }}', rubric: RUBRIC }]);
    expect(summary.status).toBe('completed');
    expect(summary.steps[0]).toMatchObject({ kind: 'generate', counts: { input: 24, output: 24, requested: 24, succeeded: 24, judge: { mode: 'rubric', judged: 24, kept: 24 } } });
    expect(rows).toHaveLength(24);
    for (const row of rows) {
      const { correctness, clarity, total } = row.quality;
      for (const criterion of [correctness, clarity]) {
        expect(Number.isInteger(criterion.score)).toBe(true);
        expect(criterion.score).toBeGreaterThanOrEqual(1);
        expect(criterion.score).toBeLessThanOrEqual(5);
        expect(typeof criterion.reason).toBe('string');
      }
      expect(total).toBeCloseTo((2 * correctness.score + clarity.score) / 3, 3);
      expect(row.question).toBeTypeOf('string');
    }
  });

  it('drops records below keep_if, counts them per threshold and writes each to rejects with its reason', async () => {
    const steps = [{ judge: 'quality', model: 'openai/gpt-4o-mini', target: '{{ answer }}', rubric: RUBRIC, keep_if: { correctness: '>= 4', total: '>= 3.5' } }];
    const { summary, rows, rejects } = await run(steps, { keepRejects: true });
    const counts = summary.steps[0]!.counts;
    const judge = counts.judge!;
    // Every kept record meets both thresholds; every dropped one misses at least one, counted under each it misses.
    for (const row of rows) {
      expect(row.quality.correctness.score).toBeGreaterThanOrEqual(4);
      expect(row.quality.total).toBeGreaterThanOrEqual(3.5);
    }
    expect(judge.kept).toBe(rows.length);
    expect(counts.output).toBe(rows.length);
    expect(rejects).toHaveLength(24 - rows.length);
    expect(rejects.length).toBeGreaterThan(0);
    let belowCorrectness = 0;
    let belowTotal = 0;
    for (const reject of rejects) {
      expect(reject).toMatchObject({ step: 'quality', kind: 'filtered' });
      const { correctness, total } = reject.fields.quality;
      if (correctness.score < 4) {
        belowCorrectness++;
        expect(reject.reason).toContain(`correctness ${correctness.score}, needs >= 4`);
      }
      if (total < 3.5) {
        belowTotal++;
        expect(reject.reason).toContain(`total ${total}, needs >= 3.5`);
      }
    }
    expect(judge.below).toEqual({ correctness: belowCorrectness, total: belowTotal });
  });
});

describe('judge step, pairwise', () => {
  const pairwise = { judge: 'preference', model: 'openai/gpt-4o-mini', mode: 'pairwise', target: '{{ question }}', a: '{{ answer_a }}', b: '{{ answer_b }}' };
  const output = { format: 'preference', fields: { prompt: '{{ question }}', chosen: '{{ chosen }}', rejected: '{{ rejected }}' } };

  it('asks both orders in the same batch and keeps only verdicts that agree, as chosen/rejected', async () => {
    const { summary, rows, rejects } = await run([pairwise], { keepRejects: true, output });
    expect(summary.status).toBe('completed');
    const counts = summary.steps[0]!.counts;
    // Two requests per record, one round, one shard: the orders travel together.
    expect(counts).toMatchObject({ input: 24, requested: 48, succeeded: 48, sent: 48 });
    const judge = counts.judge!;
    expect(judge.judged).toBe(24);
    expect(judge.kept + judge.disagreed!).toBe(24);
    expect(judge.kept).toBeGreaterThan(0);
    expect(judge.disagreed).toBeGreaterThan(0);
    expect(rows).toHaveLength(judge.kept);
    expect(rejects).toHaveLength(judge.disagreed!);
    expect(renderRunSummary(summary)).toContain(`judged 24, kept ${judge.kept}; orders disagreed ${judge.disagreed}`);
    for (const row of rows) {
      const source = QUESTIONS.find((question) => question.question === row.prompt)!;
      expect([source.answer_a, source.answer_b]).toContain(row.chosen);
      expect([source.answer_a, source.answer_b]).toContain(row.rejected);
      expect(row.chosen).not.toBe(row.rejected);
    }
    for (const reject of rejects) {
      const verdict = reject.fields.preference;
      expect(pairwiseVerdict(verdict.a_first.better, verdict.b_first.better)).toBeUndefined();
      expect(reject.reason).toMatch(/^preference: the orders disagree/);
      expect(reject.fields.chosen).toBeUndefined();
    }
  });

  it('a record with one order still invalid after its attempts is counted incomplete, never kept on half a verdict', async () => {
    const { summary, rows } = await run([{ ...pairwise, max_attempts: 1 }], { emulator: { faults: { lineErrorRate: 0.3 } }, output });
    const counts = summary.steps[0]!.counts;
    const judge = counts.judge!;
    expect(judge.incomplete).toBeGreaterThan(0);
    // A judged record holds two valid samples, an incomplete one one.
    expect(2 * judge.judged + judge.incomplete!).toBe(counts.succeeded);
    expect(rows).toHaveLength(judge.kept);
  });

  it('a judge that always picks the answer shown first agrees on nothing: every pair is dropped as position bias', async () => {
    await expect(run([pairwise], { emulator: { firstChoiceRate: 1 } })).rejects.toThrow(/no record to publish.*preference: 24 in, 0 out/);
  });
});

describe('judge step, cached', () => {
  it('a re-run sends nothing and writes the same records; a changed keep_if is applied to the cached scores', async () => {
    const dir = tempDir();
    const judge = { judge: 'quality', model: 'openai/gpt-4o-mini', target: '{{ answer }}', rubric: RUBRIC, keep_if: { total: '>= 3' } };
    const once = async (step: Record<string, unknown>) =>
      runRecipe({ name: 'judged', seeds: [{ inline: QUESTIONS }], steps: [step as never] }, { cwd: dir, offline: true, env: {}, emulator: { faults: { timing: FAST } }, pollIntervalMs: { initial: 5, max: 20 } });
    const data = (summary: Awaited<ReturnType<typeof once>>) => readFileSync(join(summary.output!.path, 'data', 'train-00000-of-00001.jsonl'), 'utf8');
    const first = await once(judge);
    const second = await once(judge);
    expect(second.steps[0]!.counts).toMatchObject({ sent: 0, cached: 24 });
    expect(data(second)).toBe(data(first));
    const stricter = await once({ ...judge, keep_if: { total: '>= 4' } });
    expect(stricter.steps[0]!.counts).toMatchObject({ sent: 0, cached: 24 });
    const kept = data(stricter).trim().split('\n').map((line) => JSON.parse(line));
    expect(kept.length).toBeLessThan(first.steps[0]!.counts.judge!.kept);
    for (const row of kept) expect(row.quality.total).toBeGreaterThanOrEqual(4);
  });
});

describe('pairwiseVerdict', () => {
  it('keeps a verdict only when both orders pick the same answer', () => {
    expect(pairwiseVerdict('A', 'B')).toBe('a');
    expect(pairwiseVerdict('B', 'A')).toBe('b');
    expect(pairwiseVerdict('A', 'A')).toBeUndefined();
    expect(pairwiseVerdict('B', 'B')).toBeUndefined();
  });
});

describe('judge step in a preview and a plan', () => {
  it('a preview shows the pair a run would keep, from both orders asked synchronously', async () => {
    const { previewRecipe } = await import('../../src/api/preview-recipe.js');
    const { createProviderCatalog } = await import('../../src/providers/registry.js');
    const { startEmulator } = await import('../../src/emulator/emulator.js');
    const emulator = await startEmulator({ faults: { timing: FAST } });
    try {
      const providers = createProviderCatalog({ env: {}, offline: { openaiBaseURL: emulator.openaiBaseURL, openaiCompatibleBaseURL: emulator.openaiCompatibleBaseURL, anthropicBaseURL: emulator.anthropicBaseURL, geminiBaseURL: emulator.geminiBaseURL } });
      const events: { type: string; sampleIndex?: number; messages?: { content: string }[]; row?: Record<string, unknown> }[] = [];
      const steps = [{ judge: 'preference', model: 'openai/gpt-4o-mini', mode: 'pairwise', a: '{{ answer_a }}', b: '{{ answer_b }}' }];
      await previewRecipe(
        { name: 'judged', seeds: [{ inline: QUESTIONS.slice(0, 4) }], steps: steps as never },
        { cwd: tempDir(), providers, records: 4, onEvent: (event) => events.push(event as never) },
      );
      const requests = events.filter((event) => event.type === 'preview-request');
      expect(requests.map((event) => event.sampleIndex)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
      // Sample 1 shows b first.
      const [first, second] = requests.map((event) => event.messages!.at(-1)!.content);
      expect(first!.indexOf(QUESTIONS[0]!.answer_a)).toBeLessThan(first!.indexOf(QUESTIONS[0]!.answer_b));
      expect(second!.indexOf(QUESTIONS[0]!.answer_b)).toBeLessThan(second!.indexOf(QUESTIONS[0]!.answer_a));
      for (const row of events.filter((event) => event.type === 'preview-row')) expect(row.row).toHaveProperty('preference.winner');
    } finally {
      await emulator.close();
    }
  });
});
