// Child process of postprocess.bench.ts. Three modes, each its own process:
//   --mode=prepare  seeds → stage file → planRound (real store, OpenAI encoding) → the engine drives every
//                   shard through submit and poll until it ended, against FileBatchProvider, whose submit
//                   writes the shard's emulated result files (emulated-results.ts). Not measured: it
//                   builds the input.
//   --mode=measure  what a run does once batches have ended, as runRecipe does it: collect (collectShard:
//                   parse → validate → store, per shard), then emit (emitSampleChunks → stage file), dedup
//                   (runDedupStep, exact + near, → stage file, with its statistics kept) and write
//                   (writeDatasetVersion, JSONL + Parquet, 2 splits) overlapping, each reading the one
//                   before while it is written (stage-tap.ts), measured as one stage; `--sequential`:
//                   one after another, each measured apart.
//   --mode=baseline the I/O floor: read every result line and write it back out to one file.
// Arguments: --mode, --dir (the work folder; prepare creates it), [--records=N] (prepare).
// --stage=collect (measure): only the collect stage (the folder's store is then collected: prepare anew).
// --stage=write (measure): only the write stage, from the dedup stage file an earlier measure left,
// into --outputs=PATH (default <dir>/outputs): seconds per try, and a version folder to diff.
// --compression-level=N (measure): the Parquet files' zstd level (output.compression_level), to weigh CPU against size.
import { createWriteStream, mkdirSync, readFileSync, writeFileSync, createReadStream } from 'node:fs';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { writeDatasetVersion } from '../src/dataset/write-version.js';
import { readStageLineBatches } from '../src/dedup/stage-line-batch.js';
import type { DedupStats } from '../src/dedup/deduper.js';
import { DEFAULT_CAPABILITIES } from '../src/api/providers.js';
import { compileRecipe, isBatchStep, type CompiledBatchStep, type CompiledRecipe } from '../src/engine/compile-recipe.js';
import { driveShard, type DriveContext } from '../src/engine/shard-lifecycle.js';
import { emitSampleChunks } from '../src/engine/emit-samples.js';
import { runDedupStep } from '../src/engine/dedup-step.js';
import { StepRejects } from '../src/engine/step-rejects.js';
import { countLinesSync, writeRecords, stagePath } from '../src/engine/stage-files.js';
import { StageTap } from '../src/engine/stage-tap.js';
import type { RunEvent } from '../src/engine/run-events.js';
import type { StepCounts } from '../src/engine/run-report.js';
import { usagePricer } from '../src/engine/step-pricing.js';
import type { DedupStep } from '../src/recipe/recipe.js';
import { loadRecipeObject } from '../src/recipe/load-recipe.js';
import { RunStore } from '../src/store/run-store.js';
import { childOptions, folderBytes, isEntryPoint, reportResult, requiredOption } from './bench-child.js';
import { DEFAULT_RESULT_FAULTS, EmulatedResultWriter, type ResultTally } from './emulated-results.js';
import { FileBatchProvider } from './file-batch-provider.js';
import { scaleRecipe, writeSeedFile } from './scale-recipe.js';
import { baselineRss, measureStage, type StageMeasure } from './stage-meter.js';
import { plannedRun } from './planned-run.js';

interface Prepared {
  runId: string;
  stateDir: string;
  runDir: string;
  resultsDir: string;
  seedsFile: string;
  records: number;
  shards: number;
  tally: ResultTally;
  resultFiles: string[];
}

export interface PrepareResult {
  mode: 'prepare';
  prepared: Prepared;
  planSeconds: number;
  generateSeconds: number;
}

export interface MeasureResult {
  mode: 'measure';
  /** Seconds from the write stage's start until its last record was read: pass 1; the rest is what waits for Parquet. */
  writePass1Seconds?: number;
  resultLines: number;
  startRssBytes: number;
  stages: StageMeasure[];
  counts: { valid: number; invalid: Record<string, number>; dedupInput: number; exact: number; near: number; rows: number; splits: Record<string, number> };
  dedup: DedupStats | undefined;
  dataBytes: { jsonl: number; parquet: number };
  storeBytes: number;
  /** What collecting writes next to the shards instead of the store: answers, invalid lines, keys files. */
  shardFileBytes: number;
}

export interface BaselineResult {
  mode: 'baseline';
  startRssBytes: number;
  stages: StageMeasure[];
  bytes: number;
}

function recipeFor(seedsFile: string): Record<string, unknown> {
  return scaleRecipe({ seedsFile, n: 1, dedup: true, name: 'bench-postprocess' });
}

export async function compiled(seedsFile: string, dir: string): Promise<{ recipe: CompiledRecipe; generate: CompiledBatchStep; dedup: DedupStep }> {
  const recipe = await compileRecipe(loadRecipeObject(recipeFor(seedsFile), dir), DEFAULT_CAPABILITIES);
  const [generate, dedup] = recipe.steps;
  if (!generate || !isBatchStep(generate) || dedup?.kind !== 'dedup') throw new Error('the bench recipe is generate → dedup');
  return { recipe, generate, dedup: dedup.step as DedupStep };
}

function driveContext(runId: string, store: RunStore, provider: FileBatchProvider, recipe: CompiledRecipe, emit: (event: RunEvent) => void): DriveContext {
  return { runId, store, provider, emit, pollIntervalMs: { initial: 25, max: 250 }, maxCallRetries: 0, isCancelled: () => false, priceUsage: usagePricer(recipe) };
}

async function prepare(options: Map<string, string>): Promise<PrepareResult> {
  const dir = requiredOption(options, 'dir');
  const records = Number(requiredOption(options, 'records'));
  mkdirSync(dir, { recursive: true });
  const seedsFile = join(dir, 'seeds.jsonl');
  await writeSeedFile(seedsFile, records);
  const { recipe, generate } = await compiled(seedsFile, dir);
  const stateDir = join(dir, 'state');
  const resultsDir = join(dir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const store = new RunStore(stateDir);
  const writer = new EmulatedResultWriter(DEFAULT_RESULT_FAULTS, records);
  const provider = new FileBatchProvider(resultsDir, writer);
  try {
    const planStarted = performance.now();
    const { runId, runDir } = await plannedRun(store, recipe, generate);
    const planSeconds = (performance.now() - planStarted) / 1000;

    const generateStarted = performance.now();
    const context = driveContext(runId, store, provider, recipe, () => {});
    const shards = store.shardsOfStep(runId, generate.step.index);
    for (const shard of shards) await driveShard(context, generate, shard.id, { until: 'ended' });
    const resultFiles = store.shardsOfStep(runId, generate.step.index).flatMap((shard) => FileBatchProvider.resultFiles(resultsDir, shard.batchId!));
    const prepared: Prepared = { runId, stateDir, runDir, resultsDir, seedsFile, records, shards: shards.length, tally: writer.tally, resultFiles };
    writeFileSync(join(dir, 'prepared.json'), JSON.stringify(prepared));
    return { mode: 'prepare', prepared, planSeconds, generateSeconds: (performance.now() - generateStarted) / 1000 };
  } finally {
    store.close();
  }
}

/**
 * A prepared folder is not relocatable: its prepared.json and its run store hold absolute paths, so
 * measuring a copy would collect into the original. Refused, so the original stays unmeasured.
 */
export function readPrepared(dir: string): Prepared {
  const prepared = JSON.parse(readFileSync(join(dir, 'prepared.json'), 'utf8')) as Prepared;
  if (resolve(prepared.stateDir) !== resolve(dir, 'state')) {
    throw new Error(`${dir} was prepared in ${dirname(prepared.stateDir)} and copied: its paths point there; prepare a new folder (--mode=prepare) instead of copying one`);
  }
  return prepared;
}

async function measure(options: Map<string, string>): Promise<MeasureResult> {
  const dir = requiredOption(options, 'dir');
  const prepared = readPrepared(dir);
  const { recipe, generate, dedup } = await compiled(prepared.seedsFile, dir);
  const store = new RunStore(prepared.stateDir);
  const provider = new FileBatchProvider(prepared.resultsDir);
  let resultLines = 0;
  const context = driveContext(prepared.runId, store, provider, recipe, (event) => {
    if (event.type === 'shard-collect') resultLines += event.results;
  });
  const stage0 = stagePath(prepared.runDir, 0);
  const stage1 = stagePath(prepared.runDir, 1);
  const stage2 = stagePath(prepared.runDir, 2);
  const counts: StepCounts = { input: 0, output: 0 };
  const dedupCounts = { input: 0, dropped: {} as Record<string, number> };
  let dedupStats: DedupStats | undefined;
  let version: Awaited<ReturnType<typeof writeDatasetVersion>> | undefined;
  const startRssBytes = await baselineRss();
  const onlyWrite = options.get('stage') === 'write';
  const onlyCollect = options.get('stage') === 'collect';
  const sequential = options.get('sequential') === 'true';
  const outputsRoot = options.get('outputs') ?? join(dir, 'outputs');
  const compressionLevel = options.get('compression-level');
  let writePass1Seconds: number | undefined;
  const stages: StageMeasure[] = [];
  try {
    if (!onlyWrite) stages.push(await collectStage());
    if (onlyCollect) return measured();
    if (!onlyWrite && !sequential) {
      stages.push(await overlappedStages());
      return measured();
    }
    if (!onlyWrite) stages.push(...(await emitAndDedupStages()));
    const write = await measureStage('write version: JSONL + Parquet', async () => {
      const started = performance.now();
      version = await writeDatasetVersion({
        outputsRoot,
        dataset: recipe.recipe.name,
        recordLines: timedToEnd(readStageLineBatches(stage2), () => (writePass1Seconds = (performance.now() - started) / 1000)),
        recordLinesOwned: true,
        output: compressionLevel === undefined ? recipe.recipe.output : { ...recipe.recipe.output, compression_level: Number(compressionLevel) },
        templates: recipe.outputTemplates,
        manifest: { manifest_version: 1, run_id: prepared.runId, tool: { name: 'synthforge-bench' } },
      });
      return version.rows;
    });
    stages.push(write);
    return measured();
  } finally {
    store.close();
  }

  function measured(): MeasureResult {
    const invalid = Object.fromEntries(Object.entries(counts.invalid ?? {}).map(([reason, entry]) => [reason, entry?.count ?? 0]));
    const dataBytes = { jsonl: 0, parquet: 0 };
    for (const file of version?.files ?? []) dataBytes[file.format] += file.bytes;
    return {
      mode: 'measure',
      ...(writePass1Seconds === undefined ? {} : { writePass1Seconds }),
      resultLines,
      startRssBytes,
      stages,
      counts: { valid: counts.succeeded ?? 0, invalid, dedupInput: dedupCounts.input, exact: dedupCounts.dropped.exact ?? 0, near: dedupCounts.dropped.near ?? 0, rows: version?.rows ?? 0, splits: version?.splits ?? {} },
      dedup: dedupStats,
      dataBytes,
      storeBytes: store.sizeBytes(),
      shardFileBytes: folderBytes(join(prepared.runDir, 'shards'), (name) => /\.(answers\.jsonl|invalid\.jsonl|keys)$/.test(name)),
    };
  }

  function collectStage(): Promise<StageMeasure> {
    return measureStage('collect: parse → validate → store', async () => {
      for (const shard of store.shardsOfStep(prepared.runId, generate.step.index)) await driveShard(context, generate, shard.id);
      return resultLines;
    });
  }

  function countDedup(step: StepCounts): void {
    dedupCounts.input = step.input;
    for (const [reason, count] of Object.entries(step.duplicates ?? {})) if (count > 0) dedupCounts.dropped[reason] = count;
  }

  /**
   * As a run does it (run-recipe.ts startSteps): dedup reads the emitted lines as they are written,
   * and the version write reads dedup's kept lines as they are written. Items: result lines.
   */
  function overlappedStages(): Promise<StageMeasure> {
    return measureStage('emit → dedup → write, overlapped', async () => {
      const emitted = new StageTap(stage1);
      const kept = new StageTap(stage2);
      const rejects = new StepRejects(join(prepared.runDir, 'dedup-rejects.jsonl'));
      const emit = endsTap(writeRecords(stage1, emitSampleChunks({ runId: prepared.runId, store }, generate, stage0, counts), { tap: emitted }), emitted);
      // The runner sizes the dedup pool by what the step before read while that step still runs.
      const records = countLinesSync(stage0);
      const deduplicate = endsTap(runDedupStep(dedup, stage1, stage2, { rejects, records, flow: { input: emitted, output: kept }, onStats: (stats) => (dedupStats = stats) }), kept);
      const write = writeDatasetVersion({
        outputsRoot,
        dataset: recipe.recipe.name,
        recordLines: kept,
        recordLinesOwned: true,
        output: compressionLevel === undefined ? recipe.recipe.output : { ...recipe.recipe.output, compression_level: Number(compressionLevel) },
        templates: recipe.outputTemplates,
        manifest: { manifest_version: 1, run_id: prepared.runId, tool: { name: 'synthforge-bench' } },
      });
      const [, step, written] = await Promise.all([emit, deduplicate, write]);
      await rejects.commit();
      countDedup(step);
      version = written;
      return resultLines;
    });
  }

  async function emitAndDedupStages(): Promise<StageMeasure[]> {
    // As runGenerateStep writes it: a batch of records per write. Its items are the samples, not the writes.
    const emit = await measureStage('emit samples → stage file', async () => {
      await writeRecords(stage1, emitSampleChunks({ runId: prepared.runId, store }, generate, stage0, counts));
      return counts.output;
    });
    const deduplicate = await measureStage('dedup: exact + near (0.8)', async () => {
      // As a run does it, with the worker count runDedupStep picks for this many records.
      const rejects = new StepRejects(join(prepared.runDir, 'dedup-rejects.jsonl'));
      const step = await runDedupStep(dedup, stage1, stage2, { rejects, records: counts.output, onStats: (stats) => (dedupStats = stats) });
      await rejects.commit();
      countDedup(step);
      return dedupCounts.input;
    });
    return [emit, deduplicate];
  }
}

async function baseline(options: Map<string, string>): Promise<BaselineResult> {
  const dir = requiredOption(options, 'dir');
  const prepared = readPrepared(dir);
  const outputPath = join(dir, 'baseline-copy.jsonl');
  let bytes = 0;
  const startRssBytes = await baselineRss();
  const copy = await measureStage('read result lines, write them back', async () => {
    const output = createWriteStream(outputPath);
    let lines = 0;
    for (const path of prepared.resultFiles) {
      const input = createInterface({ input: createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
      for await (const line of input) {
        if (line === '') continue;
        lines++;
        bytes += line.length + 1;
        if (!output.write(`${line}\n`)) await once(output, 'drain');
      }
    }
    output.end();
    await once(output, 'finish');
    return lines;
  });
  return { mode: 'baseline', startRssBytes, stages: [copy], bytes };
}

/** utime + stime of the main thread, from /proc (clock ticks of 1/100 s); undefined where /proc has no such file. */
/** The step's outcome, its tap ended when it succeeds and failed when it fails (as the runner does). */
function endsTap<T>(step: Promise<T>, tap: StageTap): Promise<T> {
  return step.then(
    (value) => {
      tap.end();
      return value;
    },
    (error: unknown) => {
      tap.fail(error);
      throw error;
    },
  );
}

/** The records as they are, `onEnd` called once the last one was read. */
async function* timedToEnd<T>(records: AsyncIterable<T>, onEnd: () => void): AsyncIterable<T> {
  yield* records;
  onEnd();
}

export function runPostprocessChild(options: Map<string, string>): Promise<PrepareResult | MeasureResult | BaselineResult> {
  const mode = requiredOption(options, 'mode');
  return mode === 'prepare' ? prepare(options) : mode === 'measure' ? measure(options) : baseline(options);
}

if (isEntryPoint(import.meta.url)) reportResult(await runPostprocessChild(childOptions(process.argv.slice(2))));
