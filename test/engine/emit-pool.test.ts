import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CAPABILITIES } from '../../src/api/providers.js';
import { runRecipe } from '../../src/api/run-recipe.js';
import { compileRecipe, type CompiledBatchStep } from '../../src/engine/compile-recipe.js';
import { EmitPool } from '../../src/engine/emit-pool.js';
import { emitSampleChunks, type EmitThreads } from '../../src/engine/emit-samples.js';
import type { StepCounts } from '../../src/engine/run-report.js';
import { requestKeysPath, runDirectory, stagePath, writeRecords } from '../../src/engine/stage-files.js';
import { loadRecipe } from '../../src/recipe/load-recipe.js';
import { RunStore } from '../../src/store/run-store.js';
import { emulatorEnv, FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

afterEach(() => {
  vi.restoreAllMocks();
});

const RECIPE = `name: pooled
seeds:
  - jsonl: seeds.jsonl
steps:
  - generate: answer
    model: openai/gpt-4o-mini
    n: 2
    max_requests_per_batch: 7
    prompt: "Answer a {{ audience }} asking about {{ topic }}."
    schema: { type: object, properties: { answer: { type: string }, confidence: { type: integer } }, required: [answer, confidence] }
max_attempts: 2
min_valid_rate: 0
`;

/** Some invalid answers (repaired or not), some provider errors (retried): every way a sample can end. */
const FAULTS = { timing: FAST_TIMING, seed: 11, schemaInvalidRate: 0.15, malformedJsonRate: 0.05, repairSuccessRate: 0.6, lineErrorRate: 0.08 };

const TOPICS = ['tea', 'coffee', 'cocoa', 'mate', 'juice', 'soda', 'milk', 'water'];

/** 40 seeds: three lack `audience` (rejected while planning), one has a field named like the answer's (emitted by serialising, not splicing). */
function seeds(): string {
  return Array.from({ length: 40 }, (_, index) => {
    const topic = TOPICS[index % TOPICS.length]!;
    if (index % 13 === 5) return JSON.stringify({ topic });
    return JSON.stringify(index === 9 ? { topic, audience: 'chef', answer: 'kept?' } : { topic, audience: `reader ${index}` });
  }).join('\n') + '\n';
}

async function run(dir: string): Promise<string> {
  const summary = await runRecipe('recipe.yaml', { cwd: dir, env: emulatorEnv(emulators.current), pollIntervalMs: { initial: 5, max: 20 } });
  return summary.runId;
}

async function project(): Promise<string> {
  await emulators.start({ faults: FAULTS });
  const dir = tempDir();
  writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
  writeFileSync(join(dir, 'seeds.jsonl'), seeds());
  return dir;
}

function stage0(dir: string, runId: string): string {
  return stagePath(runDirectory(join(dir, '.synthforge'), runId), 0);
}

interface Emitted {
  bytes: string;
  counts: StepCounts;
}

/** The generate step of a run emitted again into a file of its own, with `threads`. */
async function emit(dir: string, runId: string, threads: EmitThreads): Promise<Emitted> {
  const recipe = await compileRecipe(await loadRecipe(join(dir, 'recipe.yaml')), DEFAULT_CAPABILITIES);
  const step = recipe.steps[0] as CompiledBatchStep;
  const store = new RunStore(join(dir, '.synthforge'));
  const output = join(dir, `emitted-${threads.threads}.jsonl`);
  const counts: StepCounts = { input: 0, output: 0 };
  try {
    await writeRecords(output, emitSampleChunks({ runId, store }, step, stage0(dir, runId), counts, threads));
  } finally {
    store.close();
  }
  return { bytes: readFileSync(output, 'utf8'), counts };
}

/** Small batches, so that three threads each get several, out of order with each other. */
const pooled = (threads: number): EmitThreads => ({ threads, minRecords: 0, batchRecords: 3 });

/** The same bytes and counts (members and examples in the same order) for 1, 2 and 3 threads; the calling thread's result. */
async function sameForEveryWorkerCount(dir: string, runId: string): Promise<Emitted> {
  const alone = await emit(dir, runId, { threads: 0, minRecords: 0 });
  for (const threads of [1, 2, 3]) {
    const emitted = await emit(dir, runId, pooled(threads));
    expect(emitted.bytes).toBe(alone.bytes);
    expect(JSON.stringify(emitted.counts)).toBe(JSON.stringify(alone.counts));
  }
  return alone;
}

/** The files under `dir` the process holds open (Linux; elsewhere none, and the check passes trivially). */
function openFilesUnder(dir: string): string[] {
  if (!existsSync('/proc/self/fd')) return [];
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(dir) ? [target] : [];
    } catch {
      return [];
    }
  });
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected emitting to fail');
}

describe('emitting in worker threads', () => {
  it('a run’s own answers (valid, invalid, repaired, retried; n = 2; records rejected while planning): the stage file and counts of the calling thread, for 1, 2 and 3 threads beside it', async () => {
    const dir = await project();
    const runId = await run(dir);
    const alone = await sameForEveryWorkerCount(dir, runId);
    expect(alone.bytes).toBe(readFileSync(stagePath(runDirectory(join(dir, '.synthforge'), runId), 1), 'utf8'));
    const { counts } = alone;
    expect(counts.rejected?.count).toBe(3);
    expect(counts.retried).toBeGreaterThan(0);
    expect(counts.repair?.valid_after_repair.total).toBeGreaterThan(0);
    expect(Object.keys(counts.invalid ?? {}).length).toBeGreaterThan(0);
    // Seed 9's own `answer` is replaced by the sample's: its lines come from serialising the merged record.
    expect(alone.bytes).toMatch(/^\{"id":"s0-000009\.\d","seedId":"s0-000009","source":"seeds.jsonl:10","fields":\{"topic":"coffee","audience":"chef","answer":"(?!kept\?)/m);
  });

  it('answers from an earlier run’s cache, a line the text reader cannot serve, answers whose file is gone and a keys file cut short: the same bytes and counts', async () => {
    const dir = await project();
    const first = await run(dir);
    const second = await run(dir);
    // A numeric source: the line is parsed and its samples serialised, not spliced.
    const input = stage0(dir, second);
    const lines = readFileSync(input, 'utf8').split('\n');
    lines[4] = JSON.stringify({ ...(JSON.parse(lines[4]!) as object), source: 7 });
    writeFileSync(input, lines.join('\n'));
    const shards = join(runDirectory(join(dir, '.synthforge'), first), 'shards');
    rmSync(join(shards, readdirSync(shards).filter((name) => name.endsWith('.answers.jsonl')).sort()[1]!));
    const counts = (await sameForEveryWorkerCount(dir, second)).counts;
    expect(counts.cached).toBeGreaterThan(0);
    expect(counts.invalid?.missing?.count).toBeGreaterThan(0);
    // The keys file's last records gone: their keys are rendered again, as the calling thread renders them.
    const keys = requestKeysPath(input, 0);
    writeFileSync(keys, readFileSync(keys, 'utf8').split('\n').slice(0, 20).join('\n') + '\n');
    expect((await sameForEveryWorkerCount(dir, second)).counts).toEqual(counts);
  });

  it('a malformed line fails with the error the calling thread throws, and the workers are ended', async () => {
    const dir = await project();
    const runId = await run(dir);
    const input = stage0(dir, runId);
    const lines = readFileSync(input, 'utf8').split('\n');
    lines[20] = '{"id":"broken",';
    writeFileSync(input, lines.join('\n'));
    const alone = await failureOf(emit(dir, runId, { threads: 0, minRecords: 0 }));
    expect(alone).toBeInstanceOf(SyntaxError);
    const close = vi.spyOn(EmitPool.prototype, 'close');
    for (const workers of [2, 3]) {
      const failure = await failureOf(emit(dir, runId, pooled(workers)));
      expect(failure).toBeInstanceOf(SyntaxError);
      expect(failure.message).toBe(alone.message);
      // The workers closed the answers files they opened: descriptors are the process's, not the thread's.
      expect(openFilesUnder(dir)).toEqual([]);
    }
    expect(close).toHaveBeenCalledTimes(2);
    expect(readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('a shard whose keys file is gone fails at the start with the calling thread’s error', async () => {
    const dir = await project();
    const runId = await run(dir);
    const shards = join(runDirectory(join(dir, '.synthforge'), runId), 'shards');
    rmSync(join(shards, readdirSync(shards).find((name) => name.endsWith('.keys'))!));
    const alone = await failureOf(emit(dir, runId, { threads: 0, minRecords: 0 }));
    const pooledFailure = await failureOf(emit(dir, runId, pooled(2)));
    expect(pooledFailure.message).toBe(alone.message);
    expect((pooledFailure as NodeJS.ErrnoException).code).toBe((alone as NodeJS.ErrnoException).code);
  });

  it('a process with nothing else to wait for (the CLI) writes the whole stage file: closing the pool holds it until the workers have exited', async () => {
    const dir = await project();
    const runId = await run(dir);
    const script = `
      import { join } from 'node:path';
      import { DEFAULT_CAPABILITIES } from './src/api/providers.ts';
      import { compileRecipe } from './src/engine/compile-recipe.ts';
      import { emitSampleChunks } from './src/engine/emit-samples.ts';
      import { runDirectory, stagePath, writeRecords } from './src/engine/stage-files.ts';
      import { loadRecipe } from './src/recipe/load-recipe.ts';
      import { RunStore } from './src/store/run-store.ts';
      const [dir, runId] = process.argv.slice(-2);
      const step = (await compileRecipe(await loadRecipe(join(dir, 'recipe.yaml')), DEFAULT_CAPABILITIES)).steps[0];
      const store = new RunStore(join(dir, '.synthforge'));
      const input = stagePath(runDirectory(join(dir, '.synthforge'), runId), 0);
      await writeRecords(join(dir, 'child.jsonl'), emitSampleChunks({ runId, store }, step, input, { input: 0, output: 0 }, { threads: 2, minRecords: 0, batchRecords: 3 }));
      store.close();
      console.log('emitted');
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir, runId], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('emitted');
    expect(readFileSync(join(dir, 'child.jsonl'), 'utf8')).toBe(readFileSync(stagePath(runDirectory(join(dir, '.synthforge'), runId), 1), 'utf8'));
  });
});
