import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES } from '../../src/api/providers.js';
import { runRecipe } from '../../src/api/run-recipe.js';
import { compileRecipe, type CompiledBatchStep } from '../../src/engine/compile-recipe.js';
import { emitSampleChunks, type EmitThreads } from '../../src/engine/emit-samples.js';
import type { StepCounts } from '../../src/engine/run-report.js';
import { runDirectory, stagePath, writeRecords } from '../../src/engine/stage-files.js';
import { loadRecipe } from '../../src/recipe/load-recipe.js';
import { RunStore } from '../../src/store/run-store.js';
import { emulatorEnv, FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const RECIPE = `name: reads
seeds:
  - jsonl: seeds.jsonl
steps:
  - generate: answer
    model: openai/gpt-4o-mini
    max_requests_per_batch: 5
    prompt: "Answer a {{ audience }} asking about {{ topic }}."
    schema: { type: object, properties: { answer: { type: string } }, required: [answer] }
min_valid_rate: 0
`;

const TOPICS = ['thé vert', '茶', 'café crème', 'mate', 'jus d’orange'];

async function emit(dir: string, runId: string, threads: EmitThreads): Promise<{ bytes: string; counts: StepCounts }> {
  const recipe = await compileRecipe(await loadRecipe(join(dir, 'recipe.yaml')), DEFAULT_CAPABILITIES);
  const store = new RunStore(join(dir, '.synthforge'));
  const output = join(dir, `emitted-${threads.threads}.jsonl`);
  const counts: StepCounts = { input: 0, output: 0 };
  try {
    const input = stagePath(runDirectory(join(dir, '.synthforge'), runId), 0);
    await writeRecords(output, emitSampleChunks({ runId, store }, recipe.steps[0] as CompiledBatchStep, input, counts, threads));
  } finally {
    store.close();
  }
  return { bytes: readFileSync(output, 'utf8'), counts };
}

describe('an emit worker reads each answer of the run at its position (no answers file read whole)', () => {
  it('writes the calling thread’s bytes and counts: records with characters past ASCII, and an answers file cut short', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = tempDir();
    writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
    writeFileSync(join(dir, 'seeds.jsonl'), TOPICS.flatMap((topic) => [1, 2, 3].map((n) => JSON.stringify({ topic, audience: `reader ${n}` }))).join('\n') + '\n');
    const { runId } = await runRecipe('recipe.yaml', { cwd: dir, env: emulatorEnv(emulators.current), pollIntervalMs: { initial: 5, max: 20 } });
    const shards = join(runDirectory(join(dir, '.synthforge'), runId), 'shards');
    const answersFiles = readdirSync(shards).filter((name) => name.endsWith('.answers.jsonl')).sort().map((name) => join(shards, name));
    expect(answersFiles.length).toBeGreaterThan(1);
    const alone = await emit(dir, runId, { threads: 0, minRecords: 0 });
    expect(alone.bytes).toBe(readFileSync(stagePath(runDirectory(join(dir, '.synthforge'), runId), 1), 'utf8'));
    expect(alone.bytes).toMatch(/[^\x00-\x7f]/);
    expect((await emit(dir, runId, { threads: 2, minRecords: 0, batchRecords: 2 })).bytes).toBe(alone.bytes);

    // Cut short in the middle of an answer: that answer and those after it are missing, for the workers as for the calling thread.
    truncateSync(answersFiles[0]!, Math.floor(readFileSync(answersFiles[0]!).length / 2));
    const cut = await emit(dir, runId, { threads: 0, minRecords: 0 });
    expect(cut.counts.invalid?.missing?.count).toBeGreaterThan(0);
    const pooled = await emit(dir, runId, { threads: 2, minRecords: 0, batchRecords: 2 });
    expect(pooled.bytes).toBe(cut.bytes);
    expect(JSON.stringify(pooled.counts)).toBe(JSON.stringify(cut.counts));
  });
});
