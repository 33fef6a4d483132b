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
import type { RunSummary, StepCounts } from './run-report.js';

/** Writes the final stage as a new dataset version, with a manifest of how it was made. */
export async function writeOutputVersion(input: {
  store: RunStore;
  runId: string;
  compiled: CompiledRecipe;
  finalStage: string;
  outDir: string;
  rejectsPath: string | undefined;
  stepCounts: StepCounts[];
  offline: boolean;
  forceVersion: boolean;
}): Promise<NonNullable<RunSummary['output']>> {
  const { recipe } = input.compiled;
  const shards = input.store.shardsOfRun(input.runId);
  const dedupSteps = recipe.steps.filter((step): step is DedupStep => step.kind === 'dedup');
  const references = await writeDedupReferences(input.finalStage, dedupSteps, dirname(input.finalStage));
  const extraFiles = [...references, ...(input.rejectsPath && existsSync(input.rejectsPath) ? [{ from: input.rejectsPath, name: 'rejects.jsonl' }] : [])];
  const info = await writeDatasetVersion({
    outputsRoot: input.outDir,
    dataset: recipe.name,
    recordLines: recordLinesToWrite(input.finalStage),
    output: recipe.output,
    // Embedding vectors are stored as Parquet list<float> (float32), not float64.
    vectorColumns: recipe.steps.filter((step) => step.kind === 'embed').map((step) => step.name),
    forceVersion: input.forceVersion,
    templates: input.compiled.outputTemplates,
    manifest: {
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
        counts: input.stepCounts[position],
      })),
      models: [...new Set(input.compiled.steps.flatMap((step) => (isBatchStep(step) ? [`${step.step.modelRef.provider}/${step.step.modelRef.model}`] : [])))],
      batches: shards.filter((shard) => shard.batchId).map((shard) => ({ step: shard.stepIndex, shard: shard.id, provider: shard.provider, batch_id: shard.batchId })),
      cost: { ...input.store.ledgerTotals(input.runId), estimate_usd: shards.filter((shard) => shard.batchId).reduce((sum, shard) => sum + (shard.estimateUsd ?? 0), 0) },
      ...rejectedSection(input.compiled, input.stepCounts),
    },
    ...(extraFiles.length > 0 ? { extraFiles } : {}),
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

export const TOOL_VERSION = '0.1.0';

/** The final stage's lines; under the crash tests' writing-output failpoint, through the hook that hits it. */
function recordLinesToWrite(finalStage: string): AsyncIterable<Uint8Array> {
  const chunks = readStageLineBatches(finalStage);
  // Outside the crash tests no generator in between.
  return failpointArmed('writing-output') ? withFailpointHalfway(chunks, countLinesSync(finalStage)) : chunks;
}

/** Crash-test hook: passes the lines through one by one, hitting the writing-output failpoint halfway. */
async function* withFailpointHalfway(chunks: AsyncIterable<Uint8Array>, total: number): AsyncIterable<Uint8Array> {
  const half = Math.floor(total / 2);
  let seen = 0;
  for await (const line of splitLines(chunks)) {
    if (seen++ === half) failpoint('writing-output');
    yield Buffer.concat([line, NEWLINE]);
  }
}

const NEWLINE = Buffer.from('\n');
