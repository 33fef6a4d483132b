/**
 * `synthforge plan`: what a run would send, computed without any network or store. The first
 * generate step's requests are rendered and encoded for real (exact request and shard counts);
 * later steps depend on what earlier ones return, so their counts are upper bounds that assume
 * every sample is valid and no record is removed.
 */
import type { DataRecord } from '../domain.js';
import type { ProviderRequest, StructuredOutputMode } from '../providers/batch-provider.js';
import { openSeeds } from '../seeds/open-seeds.js';
import type { LoadedRecipe } from '../recipe/recipe.js';
import { compileRecipe, type CompiledGenerateStep } from './compile-recipe.js';
import { ProviderRegistry } from './provider-registry.js';
import { renderRecordRequests } from './render-requests.js';
import { toSeedSpecs } from './seed-sources.js';

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
}

export interface RunPlan {
  version: 1;
  dataset: string;
  seedRecords: number;
  steps: StepPlan[];
}

export async function planRun(loaded: LoadedRecipe): Promise<RunPlan> {
  const compiled = await compileRecipe(loaded);
  const { recipe } = compiled;
  // Adapters are built only to ask for limits and encodings; nothing is sent.
  const registry = new ProviderRegistry({ env: {}, offline: { openaiBaseURL: 'http://127.0.0.1:9/v1', anthropicBaseURL: 'http://127.0.0.1:9' } });
  const seeds = () => openSeeds(toSeedSpecs(recipe, loaded.locate), { baseDir: recipe.source.dir });
  let seedRecords = 0;
  for await (const _record of seeds()) seedRecords++;
  let records = seedRecords;
  let exact = true;
  const steps: StepPlan[] = [];
  for (const compiledStep of compiled.steps) {
    if (compiledStep.kind !== 'generate') {
      steps.push({ name: compiledStep.step.name, kind: compiledStep.step.kind, inputRecords: records, exact });
      // Dedup and filters can only remove records: later counts become upper bounds.
      exact = false;
      continue;
    }
    const provider = registry.get(compiledStep.step.modelRef, compiledStep.step.base_url);
    const limits = provider.limits(compiledStep.step.modelRef.model);
    const maxRequests = Math.min(limits.maxRequests, compiledStep.step.max_requests_per_batch ?? Infinity);
    const plan: StepPlan = {
      name: compiledStep.step.name,
      kind: 'generate',
      provider: compiledStep.step.modelRef.provider,
      model: compiledStep.step.modelRef.model,
      outputMode: compiledStep.outputMode,
      inputRecords: records,
      exact,
    };
    if (exact) {
      const counted = await countShards(compiledStep, seeds(), (request) => provider.encodeRequest(request), maxRequests, limits.maxBytes);
      plan.requests = counted.requests;
      plan.shards = counted.shards;
    } else {
      plan.requests = records * compiledStep.step.n;
      plan.shards = Math.ceil(plan.requests / maxRequests);
    }
    steps.push(plan);
    records = records * compiledStep.step.n;
    exact = false;
  }
  return { version: 1, dataset: recipe.name, seedRecords, steps };
}

/** Replays the shard writer's rotation rule on encoded sizes, without writing files. */
async function countShards(
  step: CompiledGenerateStep,
  records: AsyncIterable<DataRecord>,
  encode: (request: ProviderRequest) => string,
  maxRequests: number,
  maxBytes: number,
): Promise<{ requests: number; shards: number }> {
  const seen = new Set<string>();
  let shards = 0;
  let inShard = 0;
  let bytes = 0;
  for await (const record of records) {
    for (const rendered of renderRecordRequests(step, record)) {
      if (seen.has(rendered.key)) continue;
      seen.add(rendered.key);
      const size = Buffer.byteLength(encode(rendered.request)) + 1;
      if (shards === 0 || inShard >= maxRequests || bytes + size > maxBytes) {
        shards++;
        inShard = 0;
        bytes = 0;
      }
      inShard++;
      bytes += size;
    }
  }
  return { requests: seen.size, shards };
}
