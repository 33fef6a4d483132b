/**
 * The estimate behind `synthforge plan` (and the price a preview announces): what a run would send,
 * computed without any network. The first generate step's requests are rendered and encoded for real
 * (exact request and shard counts); later steps depend on what earlier ones return, so their counts
 * are upper bounds that assume every sample is valid and no record is removed.
 *
 * With the state directory's store, the estimate is calibrated by what is already known:
 * - requests the response cache answers are sent by no run, so they cost nothing (exact for the first
 *   generate step; later steps are taken to be cached in the same share);
 * - output tokens per request come from the answers already observed of the same step (a preview,
 *   earlier runs: observed-output.ts), with a 95% interval, instead of from the schema's shape;
 * - input tokens of the first step are scaled by what the provider counted for its cached requests
 *   against what the tokenizer estimated for the same requests; later steps take the observed mean.
 * Each step says what its estimate is based on (`basis`).
 */
import type { DataRecord } from '../domain.js';
import type { ProviderCapabilities } from '../providers/batch-provider.js';
import { estimateRunCost, estimateStepCost, type StepCostEstimate } from '../cost/cost.js';
import { estimateFromObserved, estimateSchemaTokens } from '../cost/estimate-output-tokens.js';
import type { ResolvedPrice } from '../cost/resolve-price.js';
import type { RunStore } from '../store/run-store.js';
import { countSeeds, openSeeds } from '../seeds/open-seeds.js';
import type { LoadedRecipe } from '../recipe/recipe.js';
import { compileRecipe, isBatchStep, type CapabilityLookup, type CompiledBatchStep } from './compile-recipe.js';
import { renderRecordRequests } from './render-requests.js';
import { ShardRotation, shardLimits } from './shard-writer.js';
import { toSeedSpecs } from './seed-sources.js';
import { priceOfStep, requestEstimator, tokenCountingEstimator, type RequestEstimator } from './step-pricing.js';
import { CachedAnswers } from './cached-answers.js';
import { observationKey, observeSteps, type StepObservation } from './observed-output.js';

export type { EstimateRange, RunPlan, StepEstimate, StepPlan, StepQueuePlan } from './run-plan.js';
import type { EstimateRange, RunPlan, StepEstimate, StepPlan, StepQueuePlan } from './run-plan.js';

export interface EstimateOptions {
  /** The state directory's store: cached answers cost nothing; observed answers calibrate tokens. */
  store?: RunStore;
  /** Only the first `records` seed records (what a preview of N records sends). */
  records?: number;
}


/** Only the providers' capabilities (limits, encodings, prices) and the store, if given, are read; nothing is sent. */
export async function estimateRun(loaded: LoadedRecipe, providers: CapabilityLookup, options: EstimateOptions = {}): Promise<RunPlan> {
  const compiled = await compileRecipe(loaded, providers);
  const { recipe } = compiled;
  const specs = toSeedSpecs(recipe, loaded.locate);
  const limit = options.records ?? Infinity;
  const seeds = () => firstRecords(openSeeds(specs, { baseDir: recipe.source.dir }), limit);
  // A preview's few records are counted by reading them, not by scanning every seed file.
  const seedRecords = options.records === undefined ? (await countSeeds(specs, { baseDir: recipe.source.dir })).total : await countRecords(seeds());
  const observations = options.store ? observeSteps(options.store, recipe.name) : new Map<string, StepObservation>();
  let records = seedRecords;
  let exact = true;
  // The share of the first generate step's requests the cache answers: later steps' records derive
  // from those answers, so the same share of their requests is cached too.
  let cachedShare = 0;
  // A few seed records stand in for the data of later steps, whose fields are made up at the size
  // the schema suggests (or the answers observed), so later prompts can be rendered to estimate their tokens.
  let samples = await takeSamples(seeds(), SAMPLE_RECORDS);
  const steps: StepPlan[] = [];
  const costs: StepCostEstimate[] = [];
  const ranges: (EstimateRange | undefined)[] = [];
  for (const compiledStep of compiled.steps) {
    if (!isBatchStep(compiledStep)) {
      steps.push({ name: compiledStep.step.name, kind: compiledStep.step.kind, inputRecords: records, exact });
      // Dedup and filters can only remove records: later counts become upper bounds.
      exact = false;
      continue;
    }
    const { capabilities } = compiledStep;
    const { provider, model } = compiledStep.step.modelRef;
    const limits = shardLimits(capabilities, compiledStep);
    const estimator = await tokenCountingEstimator(compiledStep, recipe);
    const observed = compiledStep.kind === 'embed' ? undefined : observations.get(observationKey(compiledStep.step.name, provider, model));
    const plan: StepPlan = { name: compiledStep.step.name, kind: compiledStep.kind, provider, model, outputMode: compiledStep.outputMode, inputRecords: records, exact };
    let inputTokens: number;
    let toSend: number;
    // Input tokens as the queue gate counts them (its estimator may differ from the tokenizer's).
    let queueTokens: number;
    if (exact) {
      // Shards fill a token-counted queue by the estimate the run itself plans with, which is not always the tokenizer's.
      const queueEstimator = limits.maxInputTokens === undefined ? undefined : await requestEstimator(compiledStep, recipe);
      const counted = await countShards(compiledStep, seeds(), capabilities, estimator, new ShardRotation(limits), options.store, queueEstimator);
      plan.requests = counted.requests;
      plan.shards = counted.shards;
      toSend = counted.requests - counted.cached;
      inputTokens = Math.round(counted.inputTokens * counted.inputScale);
      cachedShare = counted.requests > 0 ? counted.cached / counted.requests : 0;
      if (counted.cached > 0) plan.cached = counted.cached;
      queueTokens = counted.queueTokens;
    } else {
      plan.requests = records * compiledStep.step.n;
      const cached = Math.round(plan.requests * cachedShare);
      if (cached > 0) plan.cached = cached;
      toSend = plan.requests - cached;
      const perRequest = observed ? observed.meanInputTokens : averageInputTokens(compiledStep, samples, estimator);
      inputTokens = Math.round(perRequest * toSend);
      plan.shards = Math.max(Math.ceil(toSend / limits.maxRequests), limits.maxInputTokens === undefined ? 0 : Math.ceil(inputTokens / limits.maxInputTokens));
      queueTokens = inputTokens;
    }
    if (compiledStep.queue) plan.queue = queuePlan(compiledStep.queue, compiledStep.queue.unit === 'requests' ? toSend : queueTokens);
    const price = priceOfStep(compiledStep, recipe);
    const output = outputEstimate(compiledStep, estimator, observed, toSend);
    const cost = estimateStepCost({ step: compiledStep.step.name, model: compiledStep.step.modelRef, requests: toSend, inputTokens, outputTokens: output.total, price });
    costs.push(cost);
    const range = output.range ? rangeOf(compiledStep, inputTokens, output.range, price) : undefined;
    ranges.push(range);
    plan.estimate = { ...stepEstimate(cost), basis: output.basis, outputTokensPerRequest: round2(output.perRequest), ...(range ? { range } : {}) };
    steps.push(plan);
    samples = samples.flatMap((record) => Array.from({ length: compiledStep.step.n }, () => withMadeUpOutput(record, compiledStep, observed)));
    records = records * compiledStep.step.n;
    exact = false;
  }
  const total = totalEstimate(costs);
  const range = ranges.some((item) => item !== undefined) ? sumRanges(ranges, costs) : undefined;
  return {
    version: 1,
    dataset: recipe.name,
    seedRecords,
    steps,
    estimate: { ...total, ...(range ? { range } : {}) },
    ...(recipe.budget ? { budgetUsd: recipe.budget.max_usd } : {}),
    warnings: compiled.warnings,
  };
}

function queuePlan(queue: NonNullable<CompiledBatchStep['queue']>, queued: number): StepQueuePlan {
  const plan: StepQueuePlan = { name: queue.name, unit: queue.unit, source: queue.source, queued: Math.round(queued) };
  if (queue.limit === undefined) return plan;
  return { ...plan, limit: queue.limit, room: queue.room, waves: Math.max(1, Math.ceil(queued / queue.room)) };
}

/** Output tokens of a step's requests to send, and what the figure rests on. */
function outputEstimate(
  step: CompiledBatchStep,
  estimator: RequestEstimator,
  observed: StepObservation | undefined,
  requests: number,
): { total: number; perRequest: number; basis: string; range?: [number, number] } {
  if (step.kind === 'embed') return { total: 0, perRequest: 0, basis: 'embeddings: input tokens only' };
  if (!observed) return { total: estimator.outputTokens * requests, perRequest: estimator.outputTokens, basis: 'schema estimate' };
  const estimate = estimateFromObserved(observed.output, requests, step.step.max_tokens);
  return { total: Math.round(estimate.total), perRequest: estimate.meanPerRequest, basis: observed.basis, range: [Math.round(estimate.low), Math.round(estimate.high)] };
}

function rangeOf(step: CompiledBatchStep, inputTokens: number, outputTokens: [number, number], price: ResolvedPrice | undefined): EstimateRange {
  const at = (tokens: number) => estimateStepCost({ step: step.step.name, model: step.step.modelRef, requests: 0, inputTokens, outputTokens: tokens, price });
  const [low, high] = [at(outputTokens[0]), at(outputTokens[1])];
  return {
    outputTokens,
    batchUsd: low.batchUsd === null || high.batchUsd === null ? null : [low.batchUsd, high.batchUsd],
    syncUsd: low.syncUsd === null || high.syncUsd === null ? null : [low.syncUsd, high.syncUsd],
  };
}

/**
 * The run's interval: a step without one (a schema estimate) adds its point estimate to both ends.
 * The ends are summed, which is wider than the interval of the sum would be if steps erred independently.
 */
function sumRanges(ranges: (EstimateRange | undefined)[], costs: StepCostEstimate[]): EstimateRange {
  const add = (pick: (range: EstimateRange) => [number, number] | null, point: (cost: StepCostEstimate) => number | null): [number, number] | null => {
    let low = 0;
    let high = 0;
    for (const [index, range] of ranges.entries()) {
      const value = point(costs[index]!);
      const pair = range ? pick(range) : value === null ? null : [value, value];
      if (!pair) return null;
      low += pair[0]!;
      high += pair[1]!;
    }
    return [roundUsd8(low), roundUsd8(high)];
  };
  return {
    outputTokens: add((range) => range.outputTokens, (cost) => cost.outputTokens)!,
    batchUsd: add((range) => range.batchUsd, (cost) => cost.batchUsd),
    syncUsd: add((range) => range.syncUsd, (cost) => cost.syncUsd),
  };
}

const roundUsd8 = (value: number): number => Math.round(value * 1e8) / 1e8;
const round2 = (value: number): number => Math.round(value * 100) / 100;

async function countRecords(records: AsyncIterable<DataRecord>): Promise<number> {
  let count = 0;
  for await (const _record of records) count++;
  return count;
}

async function* firstRecords(records: AsyncIterable<DataRecord>, limit: number): AsyncIterable<DataRecord> {
  if (limit <= 0) return;
  let count = 0;
  for await (const record of records) {
    yield record;
    if (++count >= limit) return;
  }
}

const SAMPLE_RECORDS = 20;

async function takeSamples(records: AsyncIterable<DataRecord>, count: number): Promise<DataRecord[]> {
  const samples: DataRecord[] = [];
  for await (const record of records) {
    samples.push(record);
    if (samples.length >= count) break;
  }
  return samples;
}

function averageInputTokens(step: CompiledBatchStep, samples: DataRecord[], estimator: RequestEstimator): number {
  if (samples.length === 0) return 0;
  let total = 0;
  for (const record of samples) {
    const [first] = renderRecordRequests(step, record);
    if (first) total += estimator.inputTokens(first.request);
  }
  return total / samples.length;
}

/**
 * The record with the step's output fields filled by words: as many tokens as the schema suggests, or,
 * when answers were observed, the observed mean shared among the string fields.
 */
function withMadeUpOutput(record: DataRecord, step: CompiledBatchStep, observed?: StepObservation): DataRecord {
  const properties = (step.output.jsonSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const isText = (schema: Record<string, unknown>): boolean => schema.type === 'string' || schema.type === undefined;
  const textFields = Object.values(properties).filter(isText).length;
  // About 4 tokens of JSON punctuation and key around each field.
  const observedWords = observed && textFields > 0 ? Math.max(1, Math.round((observed.output.sum / observed.output.answers - 4 * Object.keys(properties).length) / textFields)) : undefined;
  const fields = { ...record.fields };
  for (const [name, schema] of Object.entries(properties)) {
    fields[name] = step.kind === 'embed' ? [] : isText(schema) ? 'word '.repeat(observedWords ?? estimateSchemaTokens(schema)).trim() : schema.type === 'array' ? [] : 0;
  }
  return { ...record, fields };
}

function stepEstimate(cost: StepCostEstimate): Omit<StepEstimate, 'basis' | 'outputTokensPerRequest'> {
  const { inputTokens, outputTokens, batchUsd, syncUsd, savingsUsd } = cost;
  return { inputTokens, outputTokens, batchUsd, syncUsd, savingsUsd };
}

/** USD totals are null when any model has no known price (never a guessed zero). */
function totalEstimate(costs: StepCostEstimate[]): RunPlan['estimate'] {
  const run = estimateRunCost(costs);
  return {
    inputTokens: costs.reduce((total, cost) => total + cost.inputTokens, 0),
    outputTokens: costs.reduce((total, cost) => total + cost.outputTokens, 0),
    batchUsd: run.batchUsd,
    syncUsd: run.syncUsd,
    savingsUsd: run.savingsUsd,
  };
}

/**
 * Renders and encodes every request of the first generate step and counts shards by the writer's own
 * rule. Requests the cache answers are counted apart (no shard holds them); their input tokens as the
 * provider counted them, against the tokenizer's estimate of the same requests, give `inputScale`.
 */
async function countShards(
  step: CompiledBatchStep,
  records: AsyncIterable<DataRecord>,
  capabilities: ProviderCapabilities,
  estimator: RequestEstimator,
  rotation: ShardRotation,
  store: RunStore | undefined,
  queueEstimator: RequestEstimator | undefined,
): Promise<{ requests: number; cached: number; shards: number; inputTokens: number; inputScale: number; queueTokens: number }> {
  const seen = new Set<string>();
  const cache = store && !store.responses.isEmpty() ? new CachedAnswers(store) : undefined;
  let inputTokens = 0;
  let queueTokens = 0;
  let cached = 0;
  let cachedEstimated = 0;
  let cachedObserved = 0;
  try {
    for await (const record of records) {
      for (const rendered of renderRecordRequests(step, record)) {
        if (seen.has(rendered.key)) continue;
        seen.add(rendered.key);
        const found = cache?.has(rendered.key) ? cache.find(rendered.key) : undefined;
        if (found) {
          cached++;
          cachedEstimated += estimator.inputTokens(rendered.request);
          cachedObserved += found.answer.usage.inputTokens;
          continue;
        }
        const tokens = estimator.inputTokens(rendered.request);
        inputTokens += tokens;
        const queued = queueEstimator === undefined ? tokens : queueEstimator === estimator ? tokens : queueEstimator.inputTokens(rendered.request);
        queueTokens += queued;
        rotation.add(Buffer.byteLength(capabilities.encodeRequest(rendered.request)) + 1, queueEstimator === undefined ? 0 : queued);
      }
    }
  } finally {
    cache?.close();
  }
  const inputScale = cachedEstimated > 0 && cachedObserved > 0 ? cachedObserved / cachedEstimated : 1;
  return { requests: seen.size, cached, shards: rotation.shardCount, inputTokens, inputScale, queueTokens };
}
