/**
 * `synthforge preview`: the first N seed records through every step, each request sent through the
 * provider's synchronous API (seconds, at synchronous prices) instead of a batch (minutes to hours),
 * so a prompt can be iterated on. Each record is reported as it goes: the rendered prompt, the answer
 * and its judgment (the same `evaluateResult` as batch lines), what dedup and filters decided, and the
 * row the output format would write.
 *
 * Before the first call the preview is estimated at synchronous prices (estimate-run.ts, on the first
 * N records, cached requests free) and refused when it does not fit `budget.max_usd`. Its valid
 * answers are stored in the response cache under the same request keys a batch run computes (one
 * preview shard per generate step, preview-shard.ts), so the run that follows does not pay for them
 * again, and `plan` estimates output tokens from them.
 *
 * The preview is recorded as a run of its own (`options.preview: true`, status `completed` from the
 * start, so no later `run` ever resumes it). It holds the state directory's lock while it works.
 */
import { mkdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { costOf } from '../cost/cost.js';
import type { ResolvedPrice } from '../cost/resolve-price.js';
import type { DataRecord, ProviderId, TokenUsage } from '../domain.js';
import { SynthforgeError } from '../errors.js';
import { mapRecordToRow } from '../dataset/map-record.js';
import { createDeduper, type Deduper } from '../dedup/deduper.js';
import { compileFilter, type RecordFilter } from '../filters/compile-filter.js';
import type { BatchProvider, ProviderCatalog } from '../providers/batch-provider.js';
import type { DecontaminateStep, DedupStep, FilterStep, LoadedRecipe } from '../recipe/recipe.js';
import { EvalIndex } from '../decontam/eval-index.js';
import { comparedTexts } from './decontaminate-step.js';
import { openSeeds } from '../seeds/open-seeds.js';
import { RunStore } from '../store/run-store.js';
import { acquireStateLock } from '../store/state-lock.js';
import type { ResponseOutcome } from '../store/store-schema.js';
import { CachedAnswers } from './cached-answers.js';
import { compileRecipe, isBatchStep, type CompiledBatchStep, type CompiledRecipe, type CompiledStep } from './compile-recipe.js';
import { loadWithAllIssues } from './load-with-all-issues.js';
import { estimateRun } from './estimate-run.js';
import { EXCERPT_CHARS, evaluateResult } from './evaluate-result.js';
import { filterRequiredFields, missingFilterField, type RequiredField } from './filter-required-fields.js';
import type { CompiledJudge } from './judge-prompt.js';
import { judgeRecords } from './judge-records.js';
import { PreviewBudgetError, PreviewBudgetSpentError, PreviewUnsupportedError } from './preview-errors.js';
import type { PreviewEvent, PreviewEventListener, PreviewSummary } from './preview-events.js';
import { PreviewShard } from './preview-shard.js';
import { renderOrReject, sampleRecordId, type RenderedRequest } from './render-requests.js';
import { loadArgument, type RecipeArgument } from './run-recipe.js';
import { newRunId, runDirectory } from './stage-files.js';
import { priceOfStep, requirePricesForBudget } from './step-pricing.js';
import { toSeedSpecs } from './seed-sources.js';
import { StepRejects } from './step-rejects.js';
import { storedStepKind } from './stored-step-kind.js';

export const DEFAULT_PREVIEW_RECORDS = 5;

export interface PreviewOptions {
  /** Where requests go; each step's provider must offer `callSync`. */
  providers: ProviderCatalog;
  /** Seed records to preview (default 5). */
  records?: number;
  /** Run state and response cache (default `./.synthforge`): the batch run's, so it finds the answers. */
  stateDir?: string;
  cwd?: string;
  onEvent?: PreviewEventListener;
  signal?: AbortSignal;
}

export async function previewRecipe(recipe: RecipeArgument, options: PreviewOptions): Promise<PreviewSummary> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const { providers } = options;
  const loaded = await loadWithAllIssues(() => loadArgument(recipe, cwd), providers);
  const compiled = await compileRecipe(loaded, providers);
  requirePricesForBudget(compiled);
  const batchSteps = compiled.steps.filter(isBatchStep);
  providers.checkCredentials(new Set<ProviderId>(batchSteps.map((step) => step.step.modelRef.provider)));
  const stateDir = resolve(cwd, options.stateDir ?? '.synthforge');
  const lock = acquireStateLock(stateDir);
  try {
    const store = new RunStore(stateDir);
    try {
      const preview = new PreviewExecution(store, compiled, loaded, { ...options, cwd, stateDir, records: options.records ?? DEFAULT_PREVIEW_RECORDS });
      lock.setRun(preview.runId);
      return await preview.run();
    } finally {
      store.close();
    }
  } finally {
    lock.release();
  }
}

interface Answer {
  outcome: ResponseOutcome;
  value?: Record<string, unknown>;
  reason?: string;
  text?: string;
  usage?: TokenUsage;
  costUsd?: number;
  cached: boolean;
}

type Options = PreviewOptions & { cwd: string; stateDir: string; records: number };

class PreviewExecution {
  readonly runId = newRunId();
  private readonly runDir: string;
  private readonly emit: (event: PreviewEvent) => void;
  private readonly shards = new Map<number, PreviewShard>();
  private readonly openedProviders = new Map<number, BatchProvider>();
  /** Answers of this preview by request key: a request asked twice (the same prompt) is sent once. */
  private readonly answered = new Map<string, Answer>();
  private readonly dedupers = new Map<number, Deduper>();
  private readonly filters = new Map<number, { filter: RecordFilter; required: RequiredField[] }>();
  private readonly evalIndexes = new Map<number, EvalIndex>();
  private readonly cache: CachedAnswers;
  private readonly tally = { sent: 0, cached: 0, valid: 0, invalid: 0, rows: 0, inputTokens: 0, outputTokens: 0 };
  private spentUsd = 0;
  private unpriced = false;
  private estimateUsd: number | null = null;
  private recordsPreviewed = 0;

  constructor(
    private readonly store: RunStore,
    private readonly compiled: CompiledRecipe,
    private readonly loaded: LoadedRecipe,
    private readonly options: Options,
  ) {
    this.runDir = runDirectory(options.stateDir, this.runId);
    this.emit = options.onEvent ?? (() => {});
    this.cache = new CachedAnswers(store);
  }

  async run(): Promise<PreviewSummary> {
    const { recipe } = this.compiled;
    const plan = await estimateRun(this.loaded, this.options.providers, { store: this.store, records: this.options.records });
    this.estimateUsd = plan.estimate.syncUsd;
    const maxUsd = recipe.budget?.max_usd;
    if (maxUsd !== undefined && plan.estimate.syncUsd !== null && plan.estimate.syncUsd > maxUsd) {
      throw new PreviewBudgetError({ estimateUsd: plan.estimate.syncUsd, maxUsd, records: plan.seedRecords, where: this.budgetLocation() });
    }
    for (const step of this.compiled.steps) if (isBatchStep(step)) await this.providerOf(step);
    // A preview is never resumed: it is recorded finished from the start, so no run picks it up.
    this.store.createRun({
      id: this.runId,
      recipeName: recipe.name,
      recipePath: recipe.source.file || '(object)',
      recipeHash: recipe.source.workHash,
      options: { preview: true, offline: this.options.providers.offline, records: this.options.records },
    });
    this.store.setRunStatus(this.runId, 'completed');
    mkdirSync(this.runDir, { recursive: true });
    for (const step of this.compiled.steps) this.store.saveStep(this.runId, step.step.index, step.step.name, storedStepKind(step.step.kind), 'running');
    const requests = plan.steps.reduce((sum, step) => sum + (step.requests ?? 0), 0);
    const cached = plan.steps.reduce((sum, step) => sum + (step.cached ?? 0), 0);
    this.emit({
      type: 'preview-start',
      runId: this.runId,
      recipe: recipe.name,
      records: plan.seedRecords,
      requests: requests - cached,
      cached,
      estimateUsd: plan.estimate.syncUsd,
      ...(maxUsd !== undefined ? { budgetUsd: maxUsd } : {}),
      offline: this.options.providers.offline,
    });
    let status: PreviewSummary['status'] = 'completed';
    try {
      await this.previewRecords();
      if (this.options.signal?.aborted) status = 'interrupted';
    } catch (error) {
      status = SynthforgeError.isInstance(error) && error.code === 'budget_exceeded' ? 'budget_exceeded' : 'failed';
      throw error;
    } finally {
      this.cache.close();
      this.commitShards();
      this.finish(status);
    }
    return this.summary(status);
  }

  private async previewRecords(): Promise<void> {
    const { recipe } = this.compiled;
    let index = 0;
    for await (const seed of openSeeds(toSeedSpecs(recipe, this.loaded.locate), { baseDir: recipe.source.dir })) {
      if (index >= this.options.records || this.options.signal?.aborted) break;
      this.emit({ type: 'preview-record', index, record: seed.id, ...(seed.source ? { source: seed.source } : {}) });
      let records: DataRecord[] = [seed];
      for (const step of this.compiled.steps) {
        records = await this.runStep(index, step, records);
        if (this.options.signal?.aborted) return;
      }
      for (const record of records) {
        const mapped = mapRecordToRow(recipe.output.format, record, this.compiled.outputTemplates);
        if (mapped.ok) this.tally.rows++;
        this.emit({ type: 'preview-row', index, record: record.id, ...(mapped.ok ? { row: mapped.row as Record<string, unknown> } : { problems: mapped.problems }) });
      }
      this.recordsPreviewed = ++index;
    }
  }

  private async runStep(index: number, step: CompiledStep, records: DataRecord[]): Promise<DataRecord[]> {
    if (isBatchStep(step)) {
      const answered = await this.generate(index, step, records);
      // judge hook: a judge keeps here what it would keep in a run; its drops are a run's to count.
      return step.kind === 'generate' && step.judge ? judgedInPreview(step.judge, answered) : answered;
    }
    if (step.kind === 'dedup') return this.dedup(index, step.step as DedupStep, records);
    if (step.kind === 'decontaminate') return this.decontaminate(index, step.step, records);
    return this.filter(index, step.step as FilterStep, records);
  }

  private async generate(index: number, step: CompiledBatchStep, records: DataRecord[]): Promise<DataRecord[]> {
    const out: DataRecord[] = [];
    for (const record of records) {
      const rendered = renderOrReject(step, record);
      if (!Array.isArray(rendered)) {
        this.emit({ type: 'preview-rejected', index, step: step.step.name, record: record.id, reason: rendered.reason });
        continue;
      }
      for (const item of rendered) {
        if (this.options.signal?.aborted) return out;
        const answer = await this.answer(step, item);
        this.emit({
          type: 'preview-request',
          index,
          step: step.step.name,
          record: record.id,
          sampleIndex: item.sampleIndex,
          ...(step.kind === 'embed' ? { input: item.request.embedding?.input ?? '' } : { messages: item.request.messages }),
          cached: answer.cached,
          outcome: answer.outcome,
          ...(answer.reason ? { reason: answer.reason } : {}),
          ...(answer.text !== undefined && step.kind !== 'embed' ? { text: answer.text } : {}),
          ...(answer.value ? { value: answer.value } : {}),
          ...(answer.usage && !answer.cached ? { usage: answer.usage } : {}),
          ...(answer.costUsd !== undefined && !answer.cached ? { costUsd: answer.costUsd } : {}),
        });
        if (answer.outcome !== 'valid' || !answer.value) continue;
        out.push({
          id: sampleRecordId(record.id, item.sampleIndex, step.step.n),
          seedId: record.seedId,
          ...(record.source ? { source: record.source } : {}),
          fields: { ...record.fields, ...answer.value },
          lineage: [
            ...record.lineage,
            { step: step.step.name, requestKey: item.key, provider: step.step.modelRef.provider, model: step.step.modelRef.model, ...(answer.cached ? { cached: true } : {}), attempt: 1 },
          ],
        });
      }
    }
    return out;
  }

  /** The request's answer: from this preview, from the cache, or from one synchronous call. */
  private async answer(step: CompiledBatchStep, item: RenderedRequest): Promise<Answer> {
    const earlier = this.answered.get(item.key);
    if (earlier) return { ...earlier, cached: true };
    const found = this.cache.has(item.key) ? this.cache.find(item.key) : undefined;
    const cachedText = found && this.cache.valueText(found);
    const value = cachedText === undefined ? undefined : (JSON.parse(cachedText) as Record<string, unknown>);
    if (value) {
      this.tally.cached++;
      this.tally.valid++;
      return { outcome: 'valid', value, cached: true };
    }
    this.checkSpent();
    const shard = this.shardOf(step);
    const encoded = step.capabilities.encodeRequest({ ...item.request, customId: shard.nextCustomId() });
    const provider = await this.providerOf(step);
    const result = await provider.callSync!(encoded, { model: step.step.modelRef.model, ...(this.options.signal ? { signal: this.options.signal } : {}) });
    const evaluation = evaluateResult(result, step.output, { capabilities: step.capabilities, mode: step.outputMode });
    const usage = 'usage' in result ? result.usage : undefined;
    const text = result.outcome === 'succeeded' ? result.text : undefined;
    shard.add(encoded, {
      key: item.key,
      outcome: evaluation.outcome,
      ...(evaluation.value ? { value: evaluation.value } : {}),
      ...(evaluation.reason ? { reason: evaluation.reason } : {}),
      ...(evaluation.outcome !== 'valid' && text !== undefined ? { excerpt: text.slice(0, EXCERPT_CHARS) } : {}),
      ...(usage ? { usage } : {}),
    });
    this.tally.sent++;
    if (evaluation.outcome === 'valid') this.tally.valid++;
    else this.tally.invalid++;
    const costUsd = usage ? this.priceUsage(step, usage) : undefined;
    if (usage) {
      this.tally.inputTokens += usage.inputTokens;
      this.tally.outputTokens += usage.outputTokens;
    }
    const answer: Answer = {
      outcome: evaluation.outcome,
      ...(evaluation.value ? { value: evaluation.value } : {}),
      ...(evaluation.reason ? { reason: evaluation.reason } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(usage ? { usage } : {}),
      ...(costUsd !== undefined ? { costUsd } : {}),
      cached: false,
    };
    this.answered.set(item.key, answer);
    return answer;
  }

  private priceUsage(step: CompiledBatchStep, usage: TokenUsage): number | undefined {
    const price: ResolvedPrice | undefined = priceOfStep(step, this.compiled.recipe);
    if (!price) {
      this.unpriced = true;
      return undefined;
    }
    const usd = costOf(usage, price, 'sync');
    this.spentUsd += usd;
    return usd;
  }

  /** The same cap as a run's: once what the preview spent reaches the budget, nothing more is sent. */
  private checkSpent(): void {
    const maxUsd = this.compiled.recipe.budget?.max_usd;
    if (maxUsd !== undefined && this.spentUsd >= maxUsd) throw new PreviewBudgetSpentError({ spentUsd: this.spentUsd, maxUsd, where: this.budgetLocation() });
  }

  private async dedup(index: number, step: DedupStep, records: DataRecord[]): Promise<DataRecord[]> {
    let deduper = this.dedupers.get(step.index);
    if (!deduper) this.dedupers.set(step.index, (deduper = await createDeduper(step.spec)));
    const kept: DataRecord[] = [];
    for (const record of records) {
      let verdict;
      try {
        verdict = deduper.checkRecord(record.id, record.fields);
      } catch (error) {
        if (!SynthforgeError.isInstance(error)) throw error;
        this.emit({ type: 'preview-rejected', index, step: step.name, record: record.id, reason: error.message });
        continue;
      }
      this.emit({
        type: 'preview-dedup',
        index,
        step: step.name,
        record: record.id,
        keep: verdict.keep,
        ...(verdict.keep ? {} : { reason: verdict.reason, duplicateOf: verdict.duplicateOf, ...(verdict.similarity !== undefined ? { similarity: verdict.similarity } : {}) }),
      });
      if (verdict.keep) kept.push(record);
    }
    return kept;
  }

  /** Shown as a filter whose rule is `contaminated`, so the renderers need nothing new. */
  private async decontaminate(index: number, step: DecontaminateStep, records: DataRecord[]): Promise<DataRecord[]> {
    let evalIndex = this.evalIndexes.get(step.index);
    if (!evalIndex) {
      const { against, ngram, eval_fields } = step;
      evalIndex = await EvalIndex.build({ against, ngram, baseDir: this.compiled.recipe.source.dir, ...(eval_fields ? { evalFields: eval_fields } : {}) });
      this.evalIndexes.set(step.index, evalIndex);
    }
    const kept: DataRecord[] = [];
    for (const record of records) {
      const texts = comparedTexts(record, step.fields);
      if (typeof texts === 'string') {
        this.emit({ type: 'preview-rejected', index, step: step.name, record: record.id, reason: `missing field "${texts}" the decontaminate step compares` });
        continue;
      }
      const match = evalIndex.match(texts);
      this.emit({ type: 'preview-filter', index, step: step.name, record: record.id, keep: !match, ...(match ? { rule: 'contaminated', detail: `shares "${match.ngram}" with ${match.eval_item}` } : {}) });
      if (!match) kept.push(record);
    }
    return kept;
  }

  private filter(index: number, step: FilterStep, records: DataRecord[]): DataRecord[] {
    let compiled = this.filters.get(step.index);
    if (!compiled) this.filters.set(step.index, (compiled = { filter: compileFilter(step.spec), required: filterRequiredFields(step.spec) }));
    const kept: DataRecord[] = [];
    for (const record of records) {
      const missing = missingFilterField(record.fields, compiled.required);
      if (missing !== undefined) {
        this.emit({ type: 'preview-rejected', index, step: step.name, record: record.id, reason: missing });
        continue;
      }
      const verdict = compiled.filter.test(record.fields);
      this.emit({ type: 'preview-filter', index, step: step.name, record: record.id, keep: verdict.keep, ...(verdict.keep ? {} : { rule: verdict.rule, detail: verdict.detail }) });
      if (verdict.keep) kept.push(record);
    }
    return kept;
  }

  private shardOf(step: CompiledBatchStep): PreviewShard {
    let shard = this.shards.get(step.step.index);
    if (!shard) this.shards.set(step.step.index, (shard = new PreviewShard(this.runId, this.runDir, step)));
    return shard;
  }

  private async providerOf(step: CompiledBatchStep): Promise<BatchProvider> {
    let provider = this.openedProviders.get(step.step.index);
    if (!provider) {
      provider = await this.options.providers.open(step.step.modelRef, step.step.base_url ? { baseUrl: step.step.base_url } : {});
      if (!provider.callSync) throw new PreviewUnsupportedError(step.step.modelRef.provider, step.step.name);
      this.openedProviders.set(step.step.index, provider);
    }
    return provider;
  }

  /** Every answer that came back is recorded, whatever stopped the preview: it was paid for. */
  private commitShards(): void {
    for (const [stepIndex, shard] of this.shards) {
      const step = this.compiled.steps.find((item) => item.step.index === stepIndex) as CompiledBatchStep;
      shard.commit(this.store, (usage) => {
        const price = priceOfStep(step, this.compiled.recipe);
        if (!price) return {};
        const usd = costOf(usage, price, 'sync');
        return { costUsd: usd, syncCostUsd: usd };
      });
    }
  }

  private finish(status: PreviewSummary['status']): void {
    for (const step of this.compiled.steps) this.store.saveStep(this.runId, step.step.index, step.step.name, storedStepKind(step.step.kind), 'done');
    const summary = this.summary(status);
    this.store.setRunStatus(this.runId, 'completed', { summary });
    this.emit({ type: 'preview-end', summary });
  }

  private summary(status: PreviewSummary['status']): PreviewSummary {
    return {
      runId: this.runId,
      status,
      records: this.recordsPreviewed,
      ...this.tally,
      costUsd: this.unpriced ? null : Math.round(this.spentUsd * 1e8) / 1e8,
      estimateUsd: this.estimateUsd,
      stateDir: this.options.stateDir,
    };
  }

  /** `recipes/x.yaml:40:11` where budget.max_usd is written (the file alone for a TS recipe). */
  private budgetLocation(): string {
    const file = this.compiled.recipe.source.file;
    const shown = file ? relative(this.options.cwd, file) || file : '(recipe)';
    const at = this.loaded.locate(['budget', 'max_usd']);
    return at ? `${shown}:${at.line}:${at.column}` : `${shown} budget.max_usd`;
  }
}

async function judgedInPreview(judge: CompiledJudge, records: DataRecord[]): Promise<DataRecord[]> {
  async function* each(): AsyncIterable<DataRecord> {
    yield* records;
  }
  const kept: DataRecord[] = [];
  for await (const record of judgeRecords(judge, each(), { input: 0, output: 0 }, new StepRejects('', { keepRemoved: false }))) kept.push(record);
  return kept;
}
