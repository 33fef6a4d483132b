// Calibrated cost: how close `plan` comes to what a run then costs (the ledger), before and after a
// preview, on the emulator configured with a known answer-length distribution (seeded).
//   before: `plan` on a fresh state directory, output tokens from the schema's shape; compared with a
//           run of the whole recipe in that directory (no preview).
//   after:  `preview -n 20` (synchronous calls, answers cached), then `plan` on the same state
//           directory (cached requests free, output tokens observed), compared with the run that follows.
// Cases: a one-sentence summary step on Gemini (the 48x case), and a question → answer
// recipe on OpenAI. Options: --records=N (default 200), --preview=N (default 20), --keep.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planRun } from '../src/api/plan-run.js';
import { previewRecipe } from '../src/api/preview-recipe.js';
import { runRecipe } from '../src/api/run-recipe.js';
import { startEmulator, type AnswerLength } from '../src/emulator/emulator.js';
import { createProviderCatalog } from '../src/providers/registry.js';
import { loadRecipe } from '../src/recipe/load-recipe.js';
import { removeTree } from '../test/helpers/remove-tree.js';
import { hasFlag, numberOption } from './bench-args.js';
import { printSummary, printTable } from './bench-table.js';

interface Case {
  name: string;
  answerLength: AnswerLength;
  recipe: (records: number) => string;
}

const seedsLine = (index: number): string =>
  JSON.stringify({ text: `Report ${index}: the river rose ${index % 7} metres near the mill at dawn, and the town council met at noon to plan repairs of the old bridge, the harbour road and the school roof before winter.` });

const CASES: Case[] = [
  {
    name: 'summary',
    answerLength: { meanWords: 18, spreadWords: 6 },
    recipe: () => `name: calibration-summary
seeds:
  - jsonl: texts.jsonl
steps:
  - generate: summary
    model: gemini/gemini-2.5-flash
    max_requests_per_batch: 50
    prompt: "Summarise in one sentence: {{ text }}"
    schema: { type: object, properties: { summary: { type: string } }, required: [summary] }
`,
  },
  {
    name: 'qa',
    answerLength: { meanWords: 25, spreadWords: 8 },
    recipe: () => `name: calibration-qa
seeds:
  - jsonl: texts.jsonl
steps:
  - generate: question
    model: openai/gpt-4o-mini
    prompt: "Write one question a reader might ask about this report: {{ text }}"
    schema: { type: object, properties: { question: { type: string } }, required: [question] }
  - generate: answer
    model: openai/gpt-4o-mini
    prompt: "Answer precisely: {{ question }}"
    schema: { type: object, properties: { answer: { type: string } }, required: [answer] }
`,
  },
];

interface Measured {
  name: string;
  beforeUsd: number;
  fullRunUsd: number;
  afterUsd: number;
  afterLow: number;
  afterHigh: number;
  runUsd: number;
  basis: string;
}

async function measure(testCase: Case, records: number, preview: number, keep: boolean): Promise<Measured> {
  const emulator = await startEmulator({ answerLength: testCase.answerLength, faults: { seed: 11, timing: { validatingMs: 5, inProgressMs: 10, finalizingMs: 5 } } });
  const providers = createProviderCatalog({
    env: {},
    offline: { openaiBaseURL: emulator.openaiBaseURL, openaiCompatibleBaseURL: emulator.openaiCompatibleBaseURL, anthropicBaseURL: emulator.anthropicBaseURL, geminiBaseURL: emulator.geminiBaseURL },
  });
  const project = (): string => {
    const dir = mkdtempSync(join(tmpdir(), `synthforge-calibration-${testCase.name}-`));
    writeFileSync(join(dir, 'texts.jsonl'), `${Array.from({ length: records }, (_, index) => seedsLine(index)).join('\n')}\n`);
    writeFileSync(join(dir, 'recipe.yaml'), testCase.recipe(records));
    return dir;
  };
  const poll = { pollIntervalMs: { initial: 5, max: 20 } };
  const cold = project();
  const warm = project();
  try {
    const plan = async (dir: string) => planRun(await loadRecipe(join(dir, 'recipe.yaml')), undefined, { cwd: dir, stateDir: '.synthforge' });
    const before = await plan(cold);
    const fullRun = await runRecipe('recipe.yaml', { cwd: cold, providers, ...poll });
    await previewRecipe('recipe.yaml', { cwd: warm, providers, records: preview });
    const after = await plan(warm);
    const run = await runRecipe('recipe.yaml', { cwd: warm, providers, ...poll });
    const [afterLow, afterHigh] = after.estimate.range?.batchUsd ?? [after.estimate.batchUsd!, after.estimate.batchUsd!];
    return {
      name: testCase.name,
      beforeUsd: before.estimate.batchUsd!,
      fullRunUsd: fullRun.cost.usd,
      afterUsd: after.estimate.batchUsd!,
      afterLow,
      afterHigh,
      runUsd: run.cost.usd,
      basis: after.steps.every((step) => step.estimate === undefined || step.estimate.basis.includes('preview')) ? 'preview' : 'mixed',
    };
  } finally {
    await emulator.close();
    if (!keep) for (const dir of [cold, warm]) removeTree(dir);
  }
}

const pct = (estimate: number, actual: number): number => ((estimate - actual) / actual) * 100;

export async function run(args: string[]): Promise<void> {
  const records = numberOption(args, 'records', 200);
  const preview = numberOption(args, 'preview', 20);
  const rows: Measured[] = [];
  for (const testCase of CASES) rows.push(await measure(testCase, records, preview, hasFlag(args, 'keep')));
  console.log(`${records} seed records; preview of ${preview}; emulator answer lengths seeded (mean ± spread words)`);
  printTable(
    ['case', 'plan before', 'run (no preview)', 'error before', `plan after preview`, '95% interval', 'run after preview', 'error after'],
    rows.map((row) => [
      row.name,
      `$${row.beforeUsd.toFixed(5)}`,
      `$${row.fullRunUsd.toFixed(5)}`,
      `${pct(row.beforeUsd, row.fullRunUsd).toFixed(0)}%`,
      `$${row.afterUsd.toFixed(5)}`,
      `$${row.afterLow.toFixed(5)}–$${row.afterHigh.toFixed(5)}`,
      `$${row.runUsd.toFixed(5)}`,
      `${pct(row.afterUsd, row.runUsd).toFixed(1)}%`,
    ]),
  );
  for (const row of rows) {
    printSummary('calibration', {
      case: row.name,
      // As words: six decimals, where the plain numbers of a summary line keep three.
      estimate_usd: row.afterUsd.toFixed(6),
      actual_usd: row.runUsd.toFixed(6),
      error_pct: Number(pct(row.afterUsd, row.runUsd).toFixed(1)),
      basis: row.basis,
      before_estimate_usd: row.beforeUsd.toFixed(6),
      before_actual_usd: row.fullRunUsd.toFixed(6),
      before_error_pct: Number(pct(row.beforeUsd, row.fullRunUsd).toFixed(1)),
    });
  }
}
