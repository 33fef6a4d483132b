import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DedupStep } from '../recipe/recipe.js';
import { writeDedupReferences } from './dedup-step.js';
import { descriptionFields, portableRecipePath } from '../dataset/manifest.js';
import { writeDatasetVersion } from '../dataset/write-version.js';
import type { RunStore } from '../store/run-store.js';
import { isBatchStep, type CompiledRecipe } from './compile-recipe.js';
import { failpoint, failpointArmed } from './failpoints.js';
import { countLinesSync } from './stage-files.js';
import { readStageLineBatches } from '../dedup/stage-line-batch.js';
import { splitLines } from '../dataset/read-file-lines.js';
import { concatenated } from '../dataset/line-chunks.js';
import type { RunSummary, StepCounts } from './run-report.js';
import { TOOL_VERSION } from '../version.js';

/** What the version's manifest says about the steps; known once every step is done. */
export interface StepsOutcome {
  stepCounts: StepCounts[];
  /** The run's rejects file, copied into the version, when a step rejected records. */
  rejectsPath: string | undefined;
}

/**
 * Writes the final stage as a new dataset version, with a manifest of how it was made. With
 * `finalStageLive` the write starts while the last step still writes the final stage, and `steps`
 * is a promise: the rows are read as they come, and the version is published only once `steps`
 * resolves (if it rejects, nothing is published and the staging folder goes).
 */
export async function writeOutputVersion(input: {
  store: RunStore;
  runId: string;
  compiled: CompiledRecipe;
  finalStage: string;
  /** The final stage's bytes while the last step still writes them (stage-tap.ts). */
  finalStageLive?: AsyncIterable<Uint8Array>;
  outDir: string;
  steps: StepsOutcome | Promise<StepsOutcome>;
  offline: boolean;
  forceVersion: boolean;
}): Promise<NonNullable<RunSummary['output']>> {
  const { recipe } = input.compiled;
  const dedupSteps = recipe.steps.filter((step): step is DedupStep => step.kind === 'dedup');
  // The references are read from the final stage file, complete once the steps are done.
  const known = Promise.resolve(input.steps).then(async (steps) => ({ steps, references: await writeDedupReferences(input.finalStage, dedupSteps, dirname(input.finalStage)) }));
  let settled: Awaited<typeof known> | undefined;
  const stepsKnown = known.then((value) => void (settled = value));
  stepsKnown.catch(() => {});
  // Nothing is staged under the output root before the last step writes its first records (a generate step may wait hours).
  const live = input.finalStageLive ? await fromFirstChunk(input.finalStageLive) : undefined;
  const recordLines = live ? rowsThen(live, stepsKnown) : recordLinesToWrite(input.finalStage);
  if (!input.finalStageLive) await stepsKnown;
  const extraFiles = () => {
    const { steps, references } = settled!;
    return [...references, ...(steps.rejectsPath && existsSync(steps.rejectsPath) ? [{ from: steps.rejectsPath, name: 'rejects.jsonl' }] : [])];
  };
  const info = await writeDatasetVersion({
    outputsRoot: input.outDir,
    dataset: recipe.name,
    recordLines,
    // A tap's chunks, readStageLineBatches' and the crash-test hook's are whole lines of their own.
    recordLinesOwned: true,
    output: recipe.output,
    // Embedding vectors are stored as Parquet list<float> (float32), not float64.
    vectorColumns: recipe.steps.filter((step) => step.kind === 'embed').map((step) => step.name),
    forceVersion: input.forceVersion,
    templates: input.compiled.outputTemplates,
    manifest: () => manifestOf(input, settled!.steps.stepCounts),
    extraFiles,
  });
  return {
    dataset: info.dataset,
    version: info.version,
    path: info.dir,
    rows: info.rows,
    contentHash: info.contentHash,
    reusedExisting: info.reusedExisting,
    ...(info.unmapped > 0 ? { unmapped: info.unmapped } : {}),
    ...emptySplitsOf(info.splits),
  };
}

/** How the version was made, for its manifest (files, hashes and counts are added by writeDatasetVersion). */
function manifestOf(input: { store: RunStore; runId: string; compiled: CompiledRecipe; offline: boolean }, stepCounts: StepCounts[]): Record<string, unknown> {
  const { recipe } = input.compiled;
  const shards = input.store.shardsOfRun(input.runId);
  return {
    manifest_version: 1,
    created_at: new Date().toISOString(),
    tool: { name: 'synthforge', version: TOOL_VERSION },
    run_id: input.runId,
    offline: input.offline,
    ...descriptionFields(recipe.description),
    recipe: { name: recipe.name, path: portableRecipePath(recipe.source.file, process.cwd()), kind: recipe.source.kind, sha256: recipe.source.hash },
    format: recipe.output.format,
    steps: input.compiled.steps.map((compiledStep, position) => ({
      name: compiledStep.step.name,
      kind: compiledStep.step.kind,
      ...(isBatchStep(compiledStep)
        ? { provider: compiledStep.step.modelRef.provider, model: compiledStep.step.modelRef.model, structured_output: compiledStep.outputMode }
        : {}),
      counts: stepCounts[position],
    })),
    models: [...new Set(input.compiled.steps.flatMap((step) => (isBatchStep(step) ? [`${step.step.modelRef.provider}/${step.step.modelRef.model}`] : [])))],
    batches: shards.filter((shard) => shard.batchId).map((shard) => ({ step: shard.stepIndex, shard: shard.id, provider: shard.provider, batch_id: shard.batchId })),
    cost: { ...input.store.ledgerTotals(input.runId), estimate_usd: shards.filter((shard) => shard.batchId).reduce((sum, shard) => sum + (shard.estimateUsd ?? 0), 0) },
    ...rejectedSection(input.compiled, stepCounts),
  };
}

function emptySplitsOf(splits: Record<string, number>): { emptySplits?: string[] } {
  const empty = Object.entries(splits).filter(([, rows]) => rows === 0).map(([split]) => split);
  return empty.length > 0 ? { emptySplits: empty } : {};
}

/** `rejected`: records the steps rejected as bad input (listed in rejects.jsonl), by step; absent when none. */
function rejectedSection(compiled: CompiledRecipe, stepCounts: StepCounts[]): { rejected?: { count: number; by_step: Record<string, number> } } {
  const byStep: Record<string, number> = {};
  let count = 0;
  for (const [position, compiledStep] of compiled.steps.entries()) {
    const rejected = stepCounts[position]?.rejected?.count ?? 0;
    if (rejected === 0) continue;
    byStep[compiledStep.step.name] = rejected;
    count += rejected;
  }
  return count === 0 ? {} : { rejected: { count, by_step: byStep } };
}

/** The final stage's lines; under the crash tests' writing-output failpoint, through the hook that hits it. */
function recordLinesToWrite(finalStage: string): AsyncIterable<Uint8Array> {
  const chunks = readStageLineBatches(finalStage);
  // Outside the crash tests no generator in between.
  return failpointArmed('writing-output') ? withFailpointHalfway(chunks, countLinesSync(finalStage)) : chunks;
}

/** Crash-test hook: passes the lines through one by one, each in memory of its own, hitting the writing-output failpoint halfway. */
async function* withFailpointHalfway(chunks: AsyncIterable<Uint8Array>, total: number): AsyncIterable<Uint8Array> {
  const half = Math.floor(total / 2);
  let seen = 0;
  for await (const line of splitLines(chunks)) {
    if (seen++ === half) failpoint('writing-output');
    yield concatenated([line, NEWLINE]);
  }
}

/** The chunks, and at their end `last` awaited: the write's pass 1 does not end before the steps are known. */
function rowsThen<T>(records: AsyncIterable<T>, last: Promise<unknown>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = records[Symbol.asyncIterator]();
      return {
        async next() {
          const next = await iterator.next();
          if (next.done === true) await last;
          return next;
        },
        async return(value?: unknown) {
          await iterator.return?.(value);
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** Resolves once the first chunk has come (or the stream ended) with the whole stream, that chunk first. */
async function fromFirstChunk<T>(chunks: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    async *[Symbol.asyncIterator]() {
      let done = first.done === true;
      try {
        if (first.done === true) return;
        yield first.value;
        for (;;) {
          const next = await iterator.next();
          done = next.done === true;
          if (next.done === true) return;
          yield next.value;
        }
      } finally {
        if (!done) await iterator.return?.();
      }
    },
  };
}

const NEWLINE = Buffer.from('\n');
