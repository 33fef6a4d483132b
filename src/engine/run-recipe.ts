/**
 * Runs a recipe end to end: seeds → steps → dataset version. Every stage writes a file under the
 * run's directory and every provider interaction is recorded in the store first, so the same call
 * with the same recipe (or `resume`) continues an interrupted run where it stopped.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProviderId } from '../domain.js';
import { SynthforgeError, UsageError } from '../errors.js';
import { loadRecipe, loadRecipeObject } from '../recipe/load-recipe.js';
import type { LoadedRecipe } from '../recipe/recipe.js';
import { checkOutputRoot } from '../dataset/version-store.js';
import { RunStore, type RunRow } from '../store/run-store.js';
import { acquireStateLock } from '../store/state-lock.js';
import { openSeeds } from '../seeds/open-seeds.js';
import { formatRecipeIssue } from '../recipe/recipe-error.js';
import { compileRecipe, isBatchStep, type CompiledBatchStep, type CompiledRecipe } from './compile-recipe.js';
import { loadWithAllIssues } from './load-with-all-issues.js';
import { RunCancelledError, RunOutputEmptyError } from './errors.js';
import { previousReferences, runDedupStep } from './dedup-step.js';
import { runFilterStep } from './filter-step.js';
import { runGenerateStep } from './generate-step.js';
import type { ProviderCatalog } from '../providers/batch-provider.js';
import { countLinesSync, stageDone, stepRejectsPath, writeRecords, newRunId, runDirectory, stagePath } from './stage-files.js';
import { checkErrorRate, checkValidRate, rejectsFileTally } from './error-rate.js';
import { joinRejectFiles, StepRejects } from './step-rejects.js';
import { judgeRejectsPath } from './judge-records.js';
import type { RunEvent, RunEventListener } from './run-events.js';
import type { RunSummary, StepCounts } from './run-report.js';
import { summarize } from './summarize-run.js';
import { toSeedSpecs } from './seed-sources.js';
import { writeOutputVersion, type StepsOutcome } from './write-output.js';
import { requestEstimator, requirePricesForBudget, usagePricer } from './step-pricing.js';
import { observationKey, observeSteps } from './observed-output.js';
import { shardReestimator } from './shard-reestimate.js';
import { storedStepKind } from './stored-step-kind.js';
import { runDecontaminateStep } from './decontaminate-step.js';
import { overlapSteps, StageTap, StageTapClosedError, type StageFlow } from './stage-tap.js';
import { failpointArmed } from './failpoints.js';

export interface RunOptions {
  /** Where requests go: the real providers (providers/registry.ts), the emulator, or a test's own. */
  providers: ProviderCatalog;
  /** Dataset output root (default `./outputs`). */
  outDir?: string;
  /** Run state and response cache (default `./.synthforge`). */
  stateDir?: string;
  cwd?: string;
  onEvent?: RunEventListener;
  /** Send every request even when the response cache has an answer. */
  noCache?: boolean;
  /** Continue this run (default: the newest unfinished run of the same recipe file and content). */
  resumeRunId?: string;
  /** Always start a new run, even if an unfinished one exists. */
  fresh?: boolean;
  /**
   * Also write the records filters and dedup removed to `rejects.jsonl` beside the dataset version
   * (records rejected as bad input are always written there).
   */
  keepRejects?: boolean;
  /** Write a new version even when its data files equal the latest version's. */
  forceVersion?: boolean;
  pollIntervalMs?: { initial: number; max: number };
  maxConcurrentShards?: number;
  signal?: AbortSignal;
}

/** A recipe file path, a loaded recipe, or a recipe object (`defineRecipe({...})`). */
export type RecipeArgument = string | LoadedRecipe | object;

export async function runRecipe(recipe: RecipeArgument, options: RunOptions): Promise<RunSummary> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const { providers } = options;
  const loaded = await loadWithAllIssues(() => loadArgument(recipe, cwd), providers);
  const compiled = await compileRecipe(loaded, providers);
  requirePricesForBudget(compiled);
  providers.checkCredentials(generateProviders(compiled));

  const stateDir = resolve(cwd, options.stateDir ?? '.synthforge');
  const outDir = resolve(cwd, options.outDir ?? 'outputs');
  await checkOutputRoot(outDir, loaded.recipe.name);
  // Held from before the store is opened until it is closed: one run per state directory.
  const lock = acquireStateLock(stateDir);
  try {
    const store = new RunStore(stateDir);
    const emit: RunEventListener = options.onEvent ?? (() => {});
    // Warnings of the recipe (a model the catalogue does not list, …) are shown once per run.
    for (const warning of compiled.warnings) emit({ type: 'warning', message: formatRecipeIssue(warning) });
    try {
      const { run, resumed } = openRun(store, loaded, options);
      lock.setRun(run.id);
      store.claimRun(run.id, process.pid);
      emit({ type: 'run-start', runId: run.id, recipe: loaded.recipe.name, resumed, offline: providers.offline, stateDir });
      const execution = new RunExecution(store, compiled, loaded, run.id, { ...options, outDir, stateDir, emit });
      return await execution.run();
    } finally {
      store.close();
    }
  } finally {
    lock.release();
  }
}

/** A recipe path, a loaded recipe or a recipe object, loaded relative to `cwd` (runs and previews). */
export async function loadArgument(recipe: RecipeArgument, cwd: string): Promise<LoadedRecipe> {
  if (typeof recipe === 'string') return loadRecipe(resolve(cwd, recipe));
  if ('recipe' in recipe && 'locate' in recipe) return recipe as LoadedRecipe;
  return loadRecipeObject(recipe, cwd);
}

function generateProviders(compiled: CompiledRecipe): Set<ProviderId> {
  const providers = new Set<ProviderId>();
  for (const step of compiled.steps) if (isBatchStep(step)) providers.add(step.step.modelRef.provider);
  return providers;
}

function openRun(store: RunStore, loaded: LoadedRecipe, options: RunOptions): { run: RunRow; resumed: boolean } {
  const { recipe } = loaded;
  if (options.resumeRunId) {
    const run = store.getRun(options.resumeRunId);
    if (!run) throw new UsageError('run_not_found', `no run ${options.resumeRunId} in this state directory`);
    if (run.recipeHash !== recipe.source.workHash) {
      throw new UsageError('recipe_changed', `run ${run.id} was started from a different version of the recipe; start a new run instead`);
    }
    return { run, resumed: true };
  }
  const existing = options.fresh ? undefined : store.findResumableRun(recipe.source.file || '(object)', recipe.source.workHash);
  if (existing) return { run: existing, resumed: true };
  const id = newRunId();
  store.createRun({
    id,
    recipeName: recipe.name,
    recipePath: recipe.source.file || '(object)',
    recipeHash: recipe.source.workHash,
    options: { offline: options.providers.offline, noCache: Boolean(options.noCache) },
  });
  return { run: store.getRun(id)!, resumed: false };
}

interface ExecutionOptions extends RunOptions {
  outDir: string;
  stateDir: string;
  emit: (event: RunEvent) => void;
}

class RunExecution {
  private readonly runDir: string;
  private readonly startedAt = new Date();
  private readonly stepCounts: StepCounts[] = [];
  /** Records read from the seeds, when this process read them. */
  private seedRecords: number | undefined;
  /** Whether steps overlap (stage-tap.ts), read when the run starts. */
  private overlap = true;

  constructor(
    private readonly store: RunStore,
    private readonly compiled: CompiledRecipe,
    private readonly loaded: LoadedRecipe,
    private readonly runId: string,
    private readonly options: ExecutionOptions,
  ) {
    this.runDir = runDirectory(options.stateDir, runId);
    mkdirSync(this.runDir, { recursive: true });
  }

  async run(): Promise<RunSummary> {
    try {
      // A bad SYNTHFORGE_OVERLAP_STEPS fails the run (as failed, resumable) before any step starts.
      this.overlap = overlapSteps();
      await this.loadSeeds();
      const output = await this.writeVersion(this.startSteps());
      this.options.emit({ type: 'version-written', dataset: output.dataset, version: output.version, path: output.path, rows: output.rows, ...(output.reusedExisting ? { reusedExisting: true } : {}) });
      // A declared split with no row is legal (the fractions are hashed per record) but rarely meant.
      for (const split of output.emptySplits ?? []) {
        this.options.emit({ type: 'warning', message: `split "${split}" of ${output.dataset}@${output.version} got no rows (of ${output.rows}): its fraction is too small for this many records, or stratify_by left it empty` });
      }
      const publishedRejects = join(output.path, 'rejects.jsonl');
      return this.finish('completed', { output }, existsSync(publishedRejects) ? publishedRejects : undefined);
    } catch (error) {
      if (error instanceof RunCancelledError) return this.finish('cancelled', {});
      // Ctrl-C: batches keep running at the provider; running the command again picks them up.
      if (this.options.signal?.aborted) return this.finish('interrupted', {});
      const code = SynthforgeError.isInstance(error) ? error.code : 'internal';
      this.finish(code === 'budget_exceeded' ? 'budget_exceeded' : 'failed', { error: { code, message: (error as Error).message } });
      throw error;
    }
  }

  /**
   * Writes the version: while the last step runs when it can be followed (its tap), published once
   * every step is done and checked. A step's failure is the one reported (the write then fails with
   * the tap); a write that fails stops reading, so the last step does not wait for it.
   */
  private async writeVersion(steps: { done: Promise<void>; finalStage?: StageTap }): Promise<NonNullable<RunSummary['output']>> {
    const settled = steps.done.then(() => this.stepsOutcome());
    const live = steps.finalStage;
    const writing = (async () =>
      writeOutputVersion({
        store: this.store,
        runId: this.runId,
        compiled: this.compiled,
        finalStage: stagePath(this.runDir, this.compiled.steps.length),
        ...(live ? { finalStageLive: live } : {}),
        outDir: this.options.outDir,
        steps: live ? settled : await settled,
        offline: this.options.providers.offline,
        forceVersion: Boolean(this.options.forceVersion),
      }))().catch((error: unknown) => {
      live?.abandon();
      throw error;
    });
    const [outcome, written] = await Promise.allSettled([settled, writing]);
    if (outcome.status === 'rejected') throw outcome.reason;
    if (written.status === 'rejected') throw written.reason;
    return written.value;
  }

  /** Once every step is done: is there anything to publish, and the steps' rejects joined into one file. */
  private async stepsOutcome(): Promise<StepsOutcome> {
    this.checkSomethingToPublish();
    const rejectsPath = join(this.runDir, 'rejects.jsonl');
    // A judge's drops sit in a file of their own beside its step's (judge-records.ts).
    const stepRejectFiles = this.compiled.steps.flatMap((_, position) => [this.rejectsPathOf(position), judgeRejectsPath(this.rejectsPathOf(position))]);
    const hasRejects = await joinRejectFiles(stepRejectFiles, rejectsPath);
    return { stepCounts: this.stepCounts, rejectsPath: hasRejects ? rejectsPath : undefined };
  }

  /**
   * Starts every step in order. A local step (dedup, filter, decontaminate) does not wait for the
   * step before it: it reads that step's output as it is written (stage-tap.ts), and so does the
   * version write after the last step. A generate step waits, since it plans its whole input
   * first. Each step is checked (error rate, valid rate) when it ends, before the step reading its
   * output may end. `done` settles when every step has; it fails with the first step's error.
   */
  private startSteps(): { done: Promise<void>; finalStage?: StageTap } {
    const steps = this.compiled.steps;
    const tasks: Promise<void>[] = [];
    let before: Promise<void> = Promise.resolve();
    let input: StageTap | undefined;
    for (const [position, step] of steps.entries()) {
      const runs = !this.stepDone(position);
      const followed = runs && producesLive(step) && this.followsLive(position + 1);
      const output = followed ? new StageTap(stagePath(this.runDir, position + 1)) : undefined;
      const reading = input;
      const flow: StageFlow = { ...(reading ? { input: reading } : {}), ...(output ? { output } : {}) };
      const task = (reading ? Promise.resolve() : before)
        .then(async () => {
          const counts = await this.runStep(position, step, flow);
          this.stepCounts[position] = counts;
          // Also for a step done before a resume: the recipe's thresholds may have been changed since.
          this.checkErrorRate(step.step.name, counts.input, counts.rejected, this.rejectsPathOf(position));
          if (isBatchStep(step)) checkValidRate({ step: step.step.name, counts, minValidRate: this.compiled.recipe.min_valid_rate });
          output?.end();
        })
        .catch((error: unknown) => {
          output?.fail(error);
          // The step before must not wait for this step to read (it may never have started reading).
          reading?.abandon();
          throw error;
        });
      // Settled below, in order; a step waiting on this one fails with it.
      task.catch(() => {});
      tasks.push(task);
      before = task;
      input = output;
    }
    return { done: firstFailure(tasks), ...(input ? { finalStage: input } : {}) };
  }

  /** Whether what reads stage `position` starts before that stage's file is complete: a local step, or the version write. */
  private followsLive(position: number): boolean {
    if (!this.overlap) return false;
    const step = this.compiled.steps[position];
    if (step === undefined) return !failpointArmed('writing-output');
    return !isBatchStep(step) && !this.stepDone(position);
  }

  /** A step finished in an earlier process of this run: its output stage is in place and the store says done. */
  private stepDone(position: number): boolean {
    const step = this.compiled.steps[position]!.step;
    const saved = this.store.getSteps(this.runId).find((row) => row.index === step.index);
    return stageDone(stagePath(this.runDir, position + 1)) && saved?.status === 'done' && saved.counts !== undefined && saved.counts !== null;
  }

  /** Stage 0: every seed record, read (and checked) before anything is sent. */
  private async loadSeeds(): Promise<void> {
    const path = stagePath(this.runDir, 0);
    if (stageDone(path)) return;
    const records = await writeRecords(path, openSeeds(toSeedSpecs(this.compiled.recipe, this.loaded.locate), { baseDir: this.compiled.recipe.source.dir }));
    this.seedRecords = records;
    this.options.emit({ type: 'seeds-loaded', records });
  }

  /** The rejects file of the step at `position` (step-rejects.ts). */
  private rejectsPathOf(position: number): string {
    return stepRejectsPath(stagePath(this.runDir, position), this.compiled.steps[position]!.step.index);
  }

  private checkErrorRate(step: string, records: number, rejected: StepCounts['rejected'], rejectsFile: string): void {
    checkErrorRate({ step, records, rejected, maxErrorRate: this.compiled.recipe.max_error_rate, rejectsFile });
  }

  /**
   * After a generate step is planned and before its first shard is submitted: the records its
   * templates could not render are in its rejects file, and their share is checked now, while
   * stopping still costs nothing.
   */
  private checkPlannedRejects(position: number, step: string): void {
    const rejectsFile = this.rejectsPathOf(position);
    if (!existsSync(rejectsFile)) return;
    const records = this.recordsEntering(position);
    this.checkErrorRate(step, records, rejectsFileTally(rejectsFile), rejectsFile);
  }

  /** A run whose last step left no record fails here, before an empty version is published. */
  private checkSomethingToPublish(): void {
    if (this.recordsEntering(this.compiled.steps.length) > 0) return;
    const steps = this.compiled.steps.map((step, position) => ({ step: step.step.name, input: this.stepCounts[position]!.input, output: this.stepCounts[position]!.output }));
    const where = steps.map((step) => `${step.step}: ${step.input} in, ${step.output} out`).join('; ');
    throw new RunOutputEmptyError(`the run produced no record to publish (${where}); nothing was published. Check the seeds and what each step removed.`, { steps });
  }

  /**
   * How many records the step at `position` reads: the previous step's output, or the seeds. While
   * the previous step still runs (steps overlapping), what it reads: an upper bound, which only sizes
   * the dedup pool and index.
   */
  private recordsEntering(position: number): number {
    if (position === 0) return (this.seedRecords ??= countLinesSync(stagePath(this.runDir, 0)));
    return this.stepCounts[position - 1]?.output ?? this.recordsEntering(position - 1);
  }

  private async runStep(position: number, compiledStep: CompiledRecipe['steps'][number], flow: StageFlow): Promise<StepCounts> {
    const step = compiledStep.step;
    const input = stagePath(this.runDir, position);
    const output = stagePath(this.runDir, position + 1);
    const saved = this.store.getSteps(this.runId).find((row) => row.index === step.index);
    if (stageDone(output) && saved?.status === 'done' && saved.counts) {
      this.options.emit({ type: 'step-skip', step: step.name, index: step.index, reason: 'already done in this run' });
      return saved.counts as StepCounts;
    }
    this.store.saveStep(this.runId, step.index, step.name, storedStepKind(step.kind), 'running');
    this.options.emit({ type: 'step-start', step: step.name, index: step.index, kind: step.kind });
    let counts: StepCounts;
    if (isBatchStep(compiledStep)) {
      const provider = await this.options.providers.open(compiledStep.step.modelRef, compiledStep.step.base_url ? { baseUrl: compiledStep.step.base_url } : {});
      counts = await runGenerateStep(
        {
          estimator: await requestEstimator(compiledStep, this.compiled.recipe, this.observedOutput(compiledStep)),
          priceUsage: usagePricer(this.compiled),
          estimateShard: shardReestimator(this.store, this.runId, this.compiled),
          ...(this.compiled.recipe.budget ? { maxUsd: this.compiled.recipe.budget.max_usd } : {}),
          runId: this.runId,
          runDir: this.runDir,
          store: this.store,
          emit: this.options.emit,
          // Round 0 is planned and none of its shards submitted yet (or resumed): stop here if too many records were rejected.
          beforeFirstRound: () => this.checkPlannedRejects(position, step.name),
          noCache: Boolean(this.options.noCache),
          keepRejects: Boolean(this.options.keepRejects),
          maxConcurrentShards: this.options.maxConcurrentShards ?? 4,
          pollIntervalMs: this.options.pollIntervalMs ?? (this.options.providers.offline ? { initial: 25, max: 250 } : { initial: 5_000, max: 60_000 }),
          maxCallRetries: 8,
          isCancelled: () => this.store.isCancelRequested(this.runId) || Boolean(this.options.signal?.aborted),
          ...(this.options.signal ? { signal: this.options.signal } : {}),
        },
        provider,
        compiledStep,
        input,
        output,
        flow.output,
      );
    } else {
      const rejects = new StepRejects(this.rejectsPathOf(position), { keepRemoved: Boolean(this.options.keepRejects) });
      try {
        if (step.kind === 'dedup') {
          const references = step.spec.against === 'previous' ? previousReferences(this.options.outDir, this.compiled.recipe.name, step) : undefined;
          counts = await runDedupStep(step, input, output, { rejects, records: this.recordsEntering(position), flow, ...(references ? { references } : {}) });
        } else if (step.kind === 'filter') {
          counts = await runFilterStep(step, input, output, rejects, flow);
        } else if (step.kind === 'decontaminate') {
          counts = await runDecontaminateStep(step, input, output, rejects, this.compiled.recipe.source.dir, flow);
        } else {
          throw new Error('unreachable');
        }
      } catch (error) {
        rejects.abort();
        throw error;
      }
      await rejects.commit();
    }
    this.store.saveStep(this.runId, step.index, step.name, storedStepKind(step.kind), 'done', counts);
    this.options.emit({ type: 'step-end', step: step.name, index: step.index, counts });
    return counts;
  }

  /** Output tokens of this step's answers already in the cache (a preview, earlier runs), for its shard estimates. */
  private observedOutput(step: CompiledBatchStep) {
    const { provider, model } = step.step.modelRef;
    return observeSteps(this.store, this.compiled.recipe.name).get(observationKey(step.step.name, provider, model))?.output;
  }

  private finish(status: RunSummary['status'], extra: Pick<RunSummary, 'output' | 'error'>, rejectsFile?: string): RunSummary {
    const summary = summarize({
      store: this.store,
      runId: this.runId,
      compiled: this.compiled,
      stepCounts: this.compiled.steps.map((step, position) => this.stepCounts[position] ?? this.unfinishedStepCounts(step)),
      status,
      offline: this.options.providers.offline,
      startedAt: this.startedAt,
      ...extra,
      ...(rejectsFile ? { rejectsFile } : {}),
    });
    this.store.setRunStatus(this.runId, status, { summary, ...(extra.error ? { error: extra.error.message } : {}) });
    this.options.emit({ type: 'run-end', summary });
    return summary;
  }

  /**
   * A batch step the run stopped in (budget, Ctrl-C, an error) has no counts of its own, but its
   * shards were paid for: the summary counts what they sent, so it matches the provider's bill.
   */
  private unfinishedStepCounts(compiledStep: CompiledRecipe['steps'][number]): StepCounts {
    const none: StepCounts = { input: 0, output: 0 };
    if (!isBatchStep(compiledStep)) return none;
    const index = compiledStep.step.index;
    const shards = this.store.shardsOfStep(this.runId, index);
    if (shards.length === 0) return none;
    const sent = shards.reduce((sum, shard) => sum + (shard.batchId ? shard.requestCount : 0), 0);
    const planned = this.store.getRound(this.runId, index, 0)?.counts as { requests?: number } | undefined;
    return { input: 0, output: 0, ...(planned?.requests !== undefined ? { requested: planned.requests } : {}), sent };
  }
}

/** A step whose output can be read while it is written: every step but a generate step with a judge, which reads its records back first. */
function producesLive(step: CompiledRecipe['steps'][number]): boolean {
  return !(isBatchStep(step) && step.kind === 'generate' && step.judge !== undefined);
}

/** Waits for every task; fails with the first one's error, in order (the tasks after it failed with it, or by reading from it). */
async function firstFailure(tasks: readonly Promise<void>[]): Promise<void> {
  const outcomes = await Promise.allSettled(tasks);
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected' && !(outcome.reason instanceof StageTapClosedError));
  if (failed) throw failed.reason;
  const closed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (closed) throw closed.reason;
}
