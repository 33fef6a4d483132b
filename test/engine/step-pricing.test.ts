/** Which token estimate a step plans with: counted only where a budget needs it. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES } from '../../src/api/providers.js';
import { lengthTokenEstimator, loadTokenEstimator } from '../../src/cost/estimate-tokens.js';
import { compileRecipe, isBatchStep, type CompiledBatchStep, type CompiledRecipe } from '../../src/engine/compile-recipe.js';
import { renderRecordRequests } from '../../src/engine/render-requests.js';
import { requestEstimator, tokenCountingEstimator } from '../../src/engine/step-pricing.js';
import { loadRecipeObject } from '../../src/recipe/load-recipe.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const QUESTION = { type: 'object', properties: { question: { type: 'string' } }, required: ['question'] };
const GPT_4O_MINI = { provider: 'openai', model: 'gpt-4o-mini' } as const;

async function compiled(extra: Record<string, unknown> = {}): Promise<{ recipe: CompiledRecipe; step: CompiledBatchStep }> {
  const recipe = await compileRecipe(
    loadRecipeObject(
      {
        name: 'pricing-test',
        seeds: [{ product: { topic: ['tea', 'coffee'] } }],
        steps: [{ generate: 'q', model: 'openai/gpt-4o-mini', prompt: 'Write one unusual, specific question about {{ topic }} brewing.', schema: QUESTION }],
        output: { format: 'raw' },
        ...extra,
      },
      tempDir(),
    ),
    DEFAULT_CAPABILITIES,
  );
  const step = recipe.steps[0]!;
  if (!isBatchStep(step)) throw new Error('expected a generate step');
  return { recipe, step };
}

function firstRequest(step: CompiledBatchStep) {
  const [rendered] = renderRecordRequests(step, { id: 's0', seedId: 's0', fields: { topic: 'tea' }, lineage: [] });
  return rendered!.request;
}

describe('requestEstimator', () => {
  it('guesses input tokens from the length when the recipe has no budget', async () => {
    const { recipe, step } = await compiled();
    const request = firstRequest(step);
    const estimator = await requestEstimator(step, recipe.recipe);
    const guess = lengthTokenEstimator(GPT_4O_MINI, step.capabilities.cost).inputTokens(request.messages, { schema: step.output.jsonSchema });
    const counted = (await loadTokenEstimator(GPT_4O_MINI, step.capabilities.cost)).inputTokens(request.messages, { schema: step.output.jsonSchema });
    expect(guess).not.toBe(counted);
    expect(estimator.inputTokens(request)).toBe(guess);
  });

  it('counts tokens with the encoding when the recipe has a budget, as the budget guard needs', async () => {
    const { recipe, step } = await compiled({ budget: { max_usd: 5 } });
    const request = firstRequest(step);
    const estimator = await requestEstimator(step, recipe.recipe);
    const counted = (await loadTokenEstimator(GPT_4O_MINI, step.capabilities.cost)).inputTokens(request.messages, { schema: step.output.jsonSchema });
    expect(estimator.inputTokens(request)).toBe(counted);
  });

  it('always counts for the plan (tokenCountingEstimator), budget or not, with the same output estimate and price', async () => {
    const { recipe, step } = await compiled();
    const request = firstRequest(step);
    const counting = await tokenCountingEstimator(step, recipe.recipe);
    const planning = await requestEstimator(step, recipe.recipe);
    const counted = (await loadTokenEstimator(GPT_4O_MINI, step.capabilities.cost)).inputTokens(request.messages, { schema: step.output.jsonSchema });
    expect(counting.inputTokens(request)).toBe(counted);
    expect(counting.outputTokens).toBe(planning.outputTokens);
    expect(counting.batchUsd(1000, 100)).toBe(planning.batchUsd(1000, 100));
    expect(counting.batchUsd(1000, 100)).toBeGreaterThan(0);
  });
});
