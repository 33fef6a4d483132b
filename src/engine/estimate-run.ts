/**
 * The estimate behind `synthforge plan`: what a run would send, computed without any network or store. The first
 * generate step's requests are rendered and encoded for real (exact request and shard counts);
 * later steps depend on what earlier ones return, so their counts are upper bounds that assume
 * every sample is valid and no record is removed.
 */
import type { DataRecord } from '../domain.js';
import type { ProviderCapabilities, StructuredOutputMode } from '../providers/batch-provider.js';
import { estimateRunCost, estimateStepCost, type StepCostEstimate } from '../cost/cost.js';
import { estimateSchemaTokens } from '../cost/estimate-output-tokens.js';
import { countSeeds, openSeeds } from '../seeds/open-seeds.js';
import type { LoadedRecipe } from '../recipe/recipe.js';
import { compileRecipe, isBatchStep, type CapabilityLookup, type CompiledBatchStep } from './compile-recipe.js';
import { renderRecordRequests } from './render-requests.js';
import { ShardRotation, shardLimits } from './shard-writer.js';
import { toSeedSpecs } from './seed-sources.js';
import { priceOfStep, requestEstimator, tokenCountingEstimator, type RequestEstimator } from './step-pricing.js';

export interface StepPlan {
  name: string;
  kind: string;
  provider?: string;
  model?: string;
  outputMode?: StructuredOutputMode;
  /** Records entering the step (an upper bound after the first generate step). */
  inputRecords: number;
  requests?: number;
  shards?: number;
  /** False when the counts are upper bounds. */
  exact: boolean;
  /** Estimated tokens and cost (generate steps); `null` USD when the model has no known price. */
  estimate?: { inputTokens: number; outputTokens: number; batchUsd: number | null; syncUsd: number | null; savingsUsd: number | null };
}

export interface RunPlan {
  version: 1;
  dataset: string;
  seedRecords: number;
  steps: StepPlan[];
  /** Totals over the generate steps; USD is null if any model has no known price. */
  estimate: { inputTokens: number; outputTokens: number; batchUsd: number | null; syncUsd: number | null; savingsUsd: number | null };
  budgetUsd?: number;
}

/** Only the providers' capabilities are read (limits, encodings, prices); nothing is sent. */
export async function estimateRun(loaded: LoadedRecipe, providers: CapabilityLookup): Promise<RunPlan> {
  const compiled = await compileRecipe(loaded, providers);
  const { recipe } = compiled;
  const specs = toSeedSpecs(recipe, loaded.locate);
  const seeds = () => openSeeds(specs, { baseDir: recipe.source.dir });
  const seedRecords = (await countSeeds(specs, { baseDir: recipe.source.dir })).total;
  let records = seedRecords;
  let exact = true;
  // A few seed records stand in for the data of later steps, whose fields are made up at the size
  // the schema suggests, so later prompts can be rendered to estimate their tokens.
  let samples = await takeSamples(seeds(), SAMPLE_RECORDS);
  const steps: StepPlan[] = [];
  const costs: StepCostEstimate[] = [];
  for (const compiledStep of compiled.steps) {
    if (!isBatchStep(compiledStep)) {
      steps.push({ name: compiledStep.step.name, kind: compiledStep.step.kind, inputRecords: records, exact });
      // Dedup and filters can only remove records: later counts become upper bounds.
      exact = false;
      continue;
    }
    const { capabilities } = compiledStep;
    const limits = shardLimits(capabilities, compiledStep);
    const estimator = await tokenCountingEstimator(compiledStep, recipe);
    const plan: StepPlan = {
      name: compiledStep.step.name,
      kind: compiledStep.kind,
      provider: compiledStep.step.modelRef.provider,
      model: compiledStep.step.modelRef.model,
      outputMode: compiledStep.outputMode,
      inputRecords: records,
      exact,
    };
    let inputTokens: number;
    if (exact) {
      // Shards fill a token-counted queue by the estimate the run itself plans with, which is not always the tokenizer's.
      const queueEstimator = limits.maxInputTokens === undefined ? undefined : await requestEstimator(compiledStep, recipe);
      const counted = await countShards(compiledStep, seeds(), capabilities, estimator, new ShardRotation(limits), queueEstimator);
      plan.requests = counted.requests;
      plan.shards = counted.shards;
      inputTokens = counted.inputTokens;
    } else {
      plan.requests = records * compiledStep.step.n;
      inputTokens = Math.round(averageInputTokens(compiledStep, samples, estimator) * plan.requests);
      plan.shards = Math.max(Math.ceil(plan.requests / limits.maxRequests), limits.maxInputTokens === undefined ? 0 : Math.ceil(inputTokens / limits.maxInputTokens));
    }
    const outputTokens = estimator.outputTokens * plan.requests;
    const cost = estimateStepCost({
      step: compiledStep.step.name,
      model: compiledStep.step.modelRef,
      requests: plan.requests,
      inputTokens,
      outputTokens,
      price: priceOfStep(compiledStep, recipe),
    });
    costs.push(cost);
    plan.estimate = stepEstimate(cost);
    steps.push(plan);
    samples = samples.flatMap((record) => Array.from({ length: compiledStep.step.n }, () => withMadeUpOutput(record, compiledStep)));
    records = records * compiledStep.step.n;
    exact = false;
  }
  return {
    version: 1,
    dataset: recipe.name,
    seedRecords,
    steps,
    estimate: totalEstimate(costs),
    ...(recipe.budget ? { budgetUsd: recipe.budget.max_usd } : {}),
  };
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

/** The record with the step's output fields filled by words, as many tokens as the schema suggests. */
function withMadeUpOutput(record: DataRecord, step: CompiledBatchStep): DataRecord {
  const properties = (step.output.jsonSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const fields = { ...record.fields };
  for (const [name, schema] of Object.entries(properties)) {
    fields[name] = step.kind === 'embed' ? [] : schema.type === 'string' || schema.type === undefined ? 'word '.repeat(estimateSchemaTokens(schema)).trim() : schema.type === 'array' ? [] : 0;
  }
  return { ...record, fields };
}

function stepEstimate(cost: StepCostEstimate): NonNullable<StepPlan['estimate']> {
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

/** Renders and encodes every request of the first generate step and counts shards by the writer's own rule. */
async function countShards(
  step: CompiledBatchStep,
  records: AsyncIterable<DataRecord>,
  capabilities: ProviderCapabilities,
  estimator: RequestEstimator,
  rotation: ShardRotation,
  queueEstimator: RequestEstimator | undefined,
): Promise<{ requests: number; shards: number; inputTokens: number }> {
  const seen = new Set<string>();
  let inputTokens = 0;
  for await (const record of records) {
    for (const rendered of renderRecordRequests(step, record)) {
      if (seen.has(rendered.key)) continue;
      seen.add(rendered.key);
      const tokens = estimator.inputTokens(rendered.request);
      inputTokens += tokens;
      rotation.add(Buffer.byteLength(capabilities.encodeRequest(rendered.request)) + 1, queueEstimator === estimator ? tokens : (queueEstimator?.inputTokens(rendered.request) ?? 0));
    }
  }
  return { requests: seen.size, shards: rotation.shardCount, inputTokens };
}
