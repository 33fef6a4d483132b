import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/api/run-recipe.js';
import type { RecipeArgument } from '../../src/api/recipe-argument.js';
import { SynthforgeError } from '../../src/errors.js';
import type { RunEvent } from '../../src/engine/run-events.js';
import { RunStore } from '../../src/store/run-store.js';
import { runCli } from '../helpers/cli.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { readJsonlFile } from '../helpers/read-jsonl-file.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const WORDS = 'amber basil cedar dune ember fjord grove heath iris jade kelp lotus moss nectar onyx pine quartz reef sage thyme umber vale willow yarrow zinnia'.split(' ');

/** A review text that shares no 5-word run with another index's text. */
function review(index: number): string {
  return Array.from({ length: 12 }, (_, position) => `${WORDS[(index * 7 + position * 3) % WORDS.length]}${index}x${position}`).join(' ');
}

/** `count` JSONL lines of reviews; the 1-based lines in `lacking` have no `text`. */
function reviewsJsonl(count: number, lacking: number[]): string {
  return Array.from({ length: count }, (_, index) => {
    const line = index + 1;
    return JSON.stringify(lacking.includes(line) ? { stars: (index % 5) + 1 } : { stars: (index % 5) + 1, text: review(index) });
  }).join('\n') + '\n';
}

const SUMMARY_STEP = `  - generate: summary
    model: openai/gpt-4o-mini
    prompt: "Summarise this review in one line: {{ text }}"
    schema: { type: object, properties: { summary: { type: string } }, required: [summary] }`;

function project(files: Record<string, string>): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'seeds'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function runAgainstEmulator(dir: string, recipe: RecipeArgument, extra: { keepRejects?: boolean } = {}) {
  const emulator = emulators.current;
  const events: RunEvent[] = [];
  const run = runRecipe(recipe, {
    cwd: dir,
    env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: emulator.openaiBaseURL },
    pollIntervalMs: { initial: 5, max: 20 },
    onEvent: (event) => events.push(event),
    ...extra,
  });
  return { run, events };
}

function runIdOf(events: RunEvent[]): string {
  const start = events.find((event) => event.type === 'run-start');
  if (start?.type !== 'run-start') throw new Error('no run-start event');
  return start.runId;
}

async function rejectionOf(promise: Promise<unknown>): Promise<SynthforgeError> {
  try {
    await promise;
  } catch (error) {
    if (SynthforgeError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the run to fail');
}

describe('bad records are quarantined, not fatal', () => {
  it('a corpus of 200 reviews where two lines lack `text`: the run completes with 198, the two rejected with file:line', async () => {
    const emulator = await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = project({
      'seeds/reviews.jsonl': reviewsJsonl(200, [57, 140]),
      'recipe.yaml': `name: reviews
seeds:
  - jsonl: seeds/reviews.jsonl
steps:
  - dedup: { fields: [text], near: { threshold: 0.8 } }
${SUMMARY_STEP}
output: { format: raw }
`,
    });
    const { run } = await runAgainstEmulator(dir, 'recipe.yaml');
    const summary = await run;
    expect(summary.status).toBe('completed');
    const dedup = summary.steps[0]!.counts;
    expect(dedup).toMatchObject({ input: 200, output: 198, duplicates: { exact: 0, near: 0 } });
    expect(dedup.rejected).toEqual({
      count: 2,
      examples: [
        expect.stringMatching(/^seeds\/reviews\.jsonl:57: dedup field "text" is missing/),
        expect.stringMatching(/^seeds\/reviews\.jsonl:140: dedup field "text" is missing/),
      ],
    });
    expect(summary.steps[1]!.counts).toMatchObject({ input: 198, requested: 198, succeeded: 198 });
    expect(summary.rejected).toBe(2);
    expect(emulator.stats().requestsReceived.openai).toBe(198);

    const version = join(dir, 'outputs', 'reviews', 'v1');
    expect(readJsonlFile(join(version, 'data', 'train-00000-of-00001.jsonl'))).toHaveLength(198);
    const rejects = readJsonlFile(join(version, 'rejects.jsonl'));
    expect(rejects).toEqual([
      { id: 's0-000056', source: 'seeds/reviews.jsonl:57', step: 'dedup-0', kind: 'error', reason: expect.stringMatching(/^dedup field "text" is missing/), fields: { stars: 2 } },
      { id: 's0-000139', source: 'seeds/reviews.jsonl:140', step: 'dedup-0', kind: 'error', reason: expect.stringMatching(/^dedup field "text" is missing/), fields: { stars: 5 } },
    ]);
    for (const reject of rejects) expect(reject.reason).not.toMatch(/s0-0/);
    const manifest = JSON.parse(readFileSync(join(version, 'manifest.json'), 'utf8'));
    expect(manifest.steps[0].counts.rejected.count).toBe(2);
    expect(manifest.rejected).toEqual({ count: 2, by_step: { 'dedup-0': 2 } });
    expect(manifest.sidecars.map((file: { path: string }) => file.path)).toContain('rejects.jsonl');
  });

  it('a template that fails for one record rejects that record; the others are sent', async () => {
    const emulator = await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = project({
      'seeds/items.jsonl': reviewsJsonl(20, [7]),
      'recipe.yaml': `name: items
seeds:
  - jsonl: seeds/items.jsonl
steps:
${SUMMARY_STEP}
output: { format: raw }
`,
    });
    const { run } = await runAgainstEmulator(dir, 'recipe.yaml');
    const summary = await run;
    expect(summary.status).toBe('completed');
    expect(summary.steps[0]!.counts).toMatchObject({ input: 20, output: 19, requested: 19, succeeded: 19 });
    expect(summary.steps[0]!.counts.rejected).toEqual({ count: 1, examples: [expect.stringMatching(/^seeds\/items\.jsonl:7: template steps\[0\]\.prompt: "text" is not a field/)] });
    expect(emulator.stats().requestsReceived.openai).toBe(19);
    const rejects = readJsonlFile(join(dir, 'outputs', 'items', 'v1', 'rejects.jsonl'));
    expect(rejects).toEqual([{ id: 's0-000006', source: 'seeds/items.jsonl:7', step: 'summary', kind: 'error', reason: expect.stringMatching(/"text" is not a field/), fields: { stars: 2 } }]);
    expect(rejects[0]!.reason).not.toMatch(/s0-0/);
  });

  it('a prompt function that throws for one record of a product seed rejects it by seed and record number', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = tempDir();
    const { run } = await runAgainstEmulator(dir, {
      name: 'product-items',
      seeds: [{ inline: [{ topic: 'tea' }] }, { product: { topic: ['cocoa', 'mate', 'juice', 'soda', 'milk', 'water', 'cider', 'kefir', 'broth', 'lassi', 'punch'] } }],
      steps: [
        {
          generate: 'question',
          model: 'openai/gpt-4o-mini',
          prompt: (record: Record<string, unknown>) => {
            if (record.topic === 'mate') throw new Error('no questions about mate');
            return `Ask about ${String(record.topic)}.`;
          },
          schema: { type: 'object', properties: { question: { type: 'string' } }, required: ['question'] },
        },
      ],
    });
    const summary = await run;
    expect(summary.status).toBe('completed');
    expect(summary.steps[0]!.counts).toMatchObject({ input: 12, output: 11 });
    expect(summary.steps[0]!.counts.rejected).toEqual({ count: 1, examples: [expect.stringMatching(/^seeds\[1\] \(product\) record 2: .*no questions about mate/)] });
  });

  it('a filter rejects a record lacking the field a rule reads, while `exists` still filters', async () => {
    const dir = project({
      'seeds/qa.jsonl': [{ q: 'a long enough question', n: 2, note: 'kept' }, { n: 3 }, { q: 'another long question', n: 4 }, { q: 'yet another question', n: 5 }].map((row) => JSON.stringify(row)).join('\n'),
      'recipe.yaml': `name: qa
seeds:
  - jsonl: seeds/qa.jsonl
max_error_rate: 0.5
steps:
  - filter: { field: q, min_chars: 5 }
  - filter: { field: note, exists: true }
output: { format: raw }
`,
    });
    const summary = await runRecipe('recipe.yaml', { cwd: dir, env: {} });
    expect(summary.status).toBe('completed');
    expect(summary.steps[0]!.counts).toMatchObject({ input: 4, output: 3, filtered: [{ rule: 'q min_chars 5', removed: 0 }] });
    expect(summary.steps[0]!.counts.rejected).toEqual({ count: 1, examples: ['seeds/qa.jsonl:2: field "q" is missing (filter rule "q min_chars 5" reads it)'] });
    expect(summary.steps[1]!.counts).toMatchObject({ input: 3, output: 1, filtered: [{ rule: 'note exists true', removed: 2 }] });
    expect(summary.steps[1]!.counts.rejected).toBeUndefined();
  });

  it('a record the output format cannot take is reported with its source position and counted', async () => {
    const dir = project({
      'seeds/qa.jsonl': [{ question: 'q1', answer: 'a1' }, { question: 'q2', answer: 'a2' }, { question: 'q3' }, { question: 'q4', answer: 'a4' }].map((row) => JSON.stringify(row)).join('\n'),
      'recipe.yaml': `name: chat
seeds:
  - jsonl: seeds/qa.jsonl
steps:
  - filter: { field: question, min_chars: 1 }
output:
  format: openai-chat
  messages:
    - { role: user, content: "{{ question }}" }
    - { role: assistant, content: "{{ answer }}" }
`,
    });
    const summary = await runRecipe('recipe.yaml', { cwd: dir, env: {} });
    expect(summary.status).toBe('completed');
    expect(summary.output).toMatchObject({ rows: 3, unmapped: 1 });
    expect(summary.rejected).toBe(1);
    const unmapped = readJsonlFile(join(dir, 'outputs', 'chat', 'v1', 'unmapped.jsonl'));
    expect(unmapped).toEqual([{ id: 's0-000002', seed_id: 's0-000002', source: 'seeds/qa.jsonl:3', problems: [expect.stringMatching(/"answer" is not a field of record seeds\/qa\.jsonl:3/)] }]);
  });
});

describe('max_error_rate', () => {
  const stopRecipe = (extra = '') => `name: stopped
seeds:
  - jsonl: seeds/reviews.jsonl
${extra}steps:
  - dedup: { fields: [text] }
${SUMMARY_STEP}
output: { format: raw }
`;

  it('stops the run after a local step whose rejected share passes it, before the next step sends anything; raising it continues the run', async () => {
    const emulator = await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = project({ 'seeds/reviews.jsonl': reviewsJsonl(10, [3, 8]), 'recipe.yaml': stopRecipe() });
    const { run, events } = await runAgainstEmulator(dir, 'recipe.yaml');
    const error = await rejectionOf(run);
    expect(error.code).toBe('error_rate_exceeded');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('step dedup-0 rejected 2 of 10 records (20.0%), more than max_error_rate 0.1');
    expect(error.message).toContain('seeds/reviews.jsonl:3: dedup field "text" is missing');
    expect(error.message).toContain('seeds/reviews.jsonl:8: dedup field "text" is missing');
    const runId = runIdOf(events);
    expect(events.some((event) => event.type === 'step-start' && event.step === 'summary')).toBe(false);
    expect(emulator.stats()).toMatchObject({ filesUploaded: 0, createAttempts: { openai: 0 } });
    const store = new RunStore(join(dir, '.synthforge'));
    try {
      expect(store.shardsOfRun(runId)).toEqual([]);
      expect(store.getRun(runId)!.status).toBe('failed');
    } finally {
      store.close();
    }
    const rejectsFile = /rejected records: (\S+)/.exec(error.message)?.[1];
    expect(rejectsFile).toBeDefined();
    expect(readJsonlFile(rejectsFile!).map((reject) => reject.source)).toEqual(['seeds/reviews.jsonl:3', 'seeds/reviews.jsonl:8']);

    writeFileSync(join(dir, 'recipe.yaml'), stopRecipe('max_error_rate: 0.25\n'));
    const again = await runAgainstEmulator(dir, 'recipe.yaml');
    const summary = await again.run;
    expect(summary.runId).toBe(runId);
    expect(summary.status).toBe('completed');
    expect(summary.steps[1]!.counts).toMatchObject({ input: 8, requested: 8 });
    expect(emulator.stats().requestsReceived.openai).toBe(8);
  });

  it('stops a generate step after planning, before any of its shards is submitted; raising it sends the planned shards once', async () => {
    const emulator = await emulators.start({ faults: { timing: FAST_TIMING } });
    const plannedRecipe = (rate: number) => `name: planned
seeds:
  - jsonl: seeds/items.jsonl
max_error_rate: ${rate}
steps:
${SUMMARY_STEP}
output: { format: raw }
`;
    const dir = project({ 'seeds/items.jsonl': reviewsJsonl(10, [2, 5, 9]), 'recipe.yaml': plannedRecipe(0.2) });
    const { run, events } = await runAgainstEmulator(dir, 'recipe.yaml');
    const error = await rejectionOf(run);
    expect(error.code).toBe('error_rate_exceeded');
    expect(error.message).toContain('step summary rejected 3 of 10 records (30.0%), more than max_error_rate 0.2');
    expect(error.message).toMatch(/seeds\/items\.jsonl:2: template steps\[0\]\.prompt: "text" is not a field/);
    expect(emulator.stats()).toMatchObject({ filesUploaded: 0, createAttempts: { openai: 0 }, requestsReceived: { openai: 0 } });
    const store = new RunStore(join(dir, '.synthforge'));
    try {
      const shards = store.shardsOfRun(runIdOf(events));
      expect(shards.every((shard) => shard.batchId === undefined || shard.batchId === null)).toBe(true);
      expect(shards.every((shard) => shard.status === 'planned')).toBe(true);
    } finally {
      store.close();
    }
    // The same command again, rate unchanged: the planned round is not planned again, but it still stops before sending.
    const again = await rejectionOf((await runAgainstEmulator(dir, 'recipe.yaml')).run);
    expect(again.code).toBe('error_rate_exceeded');
    expect(emulator.stats()).toMatchObject({ filesUploaded: 0, createAttempts: { openai: 0 } });

    writeFileSync(join(dir, 'recipe.yaml'), plannedRecipe(0.3));
    const summary = await (await runAgainstEmulator(dir, 'recipe.yaml')).run;
    expect(summary.runId).toBe(runIdOf(events));
    expect(summary.status).toBe('completed');
    expect(summary.steps[0]!.counts).toMatchObject({ input: 10, output: 7, requested: 7, succeeded: 7 });
    expect(summary.steps[0]!.counts.rejected!.count).toBe(3);
    expect(emulator.stats()).toMatchObject({ batchesCreated: { openai: 1 }, requestsReceived: { openai: 7 } });
    expect(readJsonlFile(join(dir, 'outputs', 'planned', 'v1', 'rejects.jsonl')).map((reject) => reject.source)).toEqual([
      'seeds/items.jsonl:2',
      'seeds/items.jsonl:5',
      'seeds/items.jsonl:9',
    ]);
  });

  it('0 stops at the first rejected record; 1 never stops', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const strict = project({ 'seeds/reviews.jsonl': reviewsJsonl(20, [4]), 'recipe.yaml': stopRecipe('max_error_rate: 0\n') });
    expect((await rejectionOf((await runAgainstEmulator(strict, 'recipe.yaml')).run)).code).toBe('error_rate_exceeded');
    const lenient = project({ 'seeds/reviews.jsonl': reviewsJsonl(4, [1, 2, 3]), 'recipe.yaml': stopRecipe('max_error_rate: 1\n') });
    const summary = await (await runAgainstEmulator(lenient, 'recipe.yaml')).run;
    expect(summary.status).toBe('completed');
    expect(summary.rejected).toBe(3);
  });
});

describe('quarantine on the command line', () => {
  it('prints the rejected records in the summary, and a threshold stop exits 2 with the message', async () => {
    const dir = project({
      'seeds/reviews.jsonl': reviewsJsonl(200, [57, 140]),
      'recipe.yaml': `name: reviews
seeds:
  - jsonl: seeds/reviews.jsonl
steps:
  - dedup: { fields: [text] }
${SUMMARY_STEP}
output: { format: raw }
`,
    });
    const config = JSON.stringify({ faults: { timing: FAST_TIMING } });
    const ok = await runCli(['run', 'recipe.yaml', '--offline', '--emulator-config', config], { cwd: dir });
    expect(ok.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('dedup-0 [dedup]: 200 in, 198 kept; removed 0 exact, 0 near duplicates; rejected 2');
    expect(ok.stdout).toContain('    rejected: seeds/reviews.jsonl:57: dedup field "text" is missing');
    expect(ok.stdout).toContain(`rejected: 2 records, listed in ${join(dir, 'outputs', 'reviews', 'v1', 'rejects.jsonl')}`);

    writeFileSync(join(dir, 'seeds', 'reviews.jsonl'), reviewsJsonl(10, [3, 8]));
    const stopped = await runCli(['run', 'recipe.yaml', '--offline', '--fresh', '--emulator-config', config], { cwd: dir });
    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toContain('error: step dedup-0 rejected 2 of 10 records (20.0%), more than max_error_rate 0.1');
    expect(stopped.stderr).toContain('seeds/reviews.jsonl:3: dedup field "text" is missing');
    expect(stopped.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(existsSync(join(dir, 'outputs', 'reviews', 'v2'))).toBe(false);
  });
});
