/** What a repair request carries: the capped answer, the findings at JSON Pointer paths, and more tokens for a cut answer. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES } from '../../src/api/providers.js';
import { compileRecipe, type CompiledGenerateStep } from '../../src/engine/compile-recipe.js';
import { evaluateResult } from '../../src/engine/evaluate-result.js';
import { REPAIR_ANSWER_CHARS, REPAIR_MAX_ERRORS, repairEvidenceOf } from '../../src/engine/repair-evidence.js';
import { withMoreTokens } from '../../src/engine/repair-requests.js';
import type { BatchItemResult, ProviderRequest } from '../../src/providers/batch-provider.js';
import { renderRepairTurn } from '../../src/prompt/repair-turn.js';
import { loadRecipeObject } from '../../src/recipe/load-recipe.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const SCHEMA = {
  type: 'object',
  properties: { answer: { type: 'string' }, tags: { type: 'array', items: { type: 'integer' } }, 'a/b': { type: 'string' } },
  required: ['answer'],
};

async function compiledStep(extra: Record<string, unknown> = {}): Promise<CompiledGenerateStep> {
  const recipe = loadRecipeObject({ name: 'r', seeds: [{ inline: [{ topic: 'tea' }] }], steps: [{ generate: 'q', model: 'openai/gpt-4o-mini', prompt: 'About {{ topic }}', schema: SCHEMA, ...extra }] }, tempDir());
  return (await compileRecipe(recipe, DEFAULT_CAPABILITIES, { env: {} })).steps[0] as CompiledGenerateStep;
}

function answered(text: string): BatchItemResult {
  return { customId: 'c-0', outcome: 'succeeded', text, finishReason: 'stop' };
}

describe('repair evidence', () => {
  it('names each finding by its JSON Pointer path, expected and got', async () => {
    const step = await compiledStep();
    const result = answered(JSON.stringify({ answer: null, tags: [1, 'x'], 'a/b': 3 }));
    const evaluation = evaluateResult(result, step.output, { capabilities: step.capabilities, mode: step.outputMode });
    expect(evaluation.outcome).toBe('schema_violation');
    const evidence = repairEvidenceOf(evaluation, result)!.repair;
    expect(evidence.answer).toBe(JSON.stringify({ answer: null, tags: [1, 'x'], 'a/b': 3 }));
    expect(evidence.errors).toEqual((['`/answer`: expected string, got null', '`/tags/1`: expected integer, got string', '`/a~1b`: expected string, got number']));
  });

  it('says what the parser found for an answer that is not JSON, at the whole answer', async () => {
    const step = await compiledStep();
    const result = answered('Sure! Here you go: {"answer": "tea');
    const evaluation = evaluateResult(result, step.output, { capabilities: step.capabilities, mode: step.outputMode });
    expect(evaluation.outcome).toBe('not_json');
    expect(repairEvidenceOf(evaluation, result)!.repair.errors).toEqual([expect.stringMatching(/^the whole answer: /)]);
  });

  it('is bounded: the answer is cut and at most ten findings are listed, the rest counted', async () => {
    const step = await compiledStep({ schema: { type: 'object', properties: { items: { type: 'array', items: { type: 'string' } } }, required: ['items'] } });
    const result = answered(JSON.stringify({ items: Array.from({ length: 5000 }, (_, index) => index) }));
    const evaluation = evaluateResult(result, step.output, { capabilities: step.capabilities, mode: step.outputMode });
    const evidence = repairEvidenceOf(evaluation, result)!.repair;
    expect(evidence.answer.length).toBe(REPAIR_ANSWER_CHARS + 1);
    expect(evidence.errors).toHaveLength(REPAIR_MAX_ERRORS + 1);
    expect(evidence.errors.at(-1)).toMatch(/^… and \d+ more$/);
  });

  it('is left out for outcomes a repair turn does not fix', async () => {
    const step = await compiledStep();
    const result: BatchItemResult = { customId: 'c-0', outcome: 'succeeded', text: '{"answer": "te', finishReason: 'length' };
    const evaluation = evaluateResult(result, step.output, { capabilities: step.capabilities, mode: step.outputMode });
    expect(evaluation.outcome).toBe('truncated');
    expect(repairEvidenceOf(evaluation, result)).toBeUndefined();
  });
});

describe('the repair turn', () => {
  it('lists the findings and asks for the corrected JSON only', () => {
    expect(renderRepairTurn({ reason: 'schema_violation', errors: ['`/answer`: expected string, got null'] })).toBe(
      'Your answer above does not satisfy the required JSON schema. The validator found:\n- `/answer`: expected string, got null\n\n' +
        'Reply with the corrected JSON only: one JSON value that satisfies the required schema, with no text before or after it.',
    );
  });
});

describe('a truncated answer is asked again with more tokens', () => {
  const request = (maxTokens?: number): ProviderRequest => ({ customId: 'c', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], params: maxTokens ? { max_tokens: maxTokens } : {} });

  it('twice the step max_tokens, or twice what the cut answer got when that is more', async () => {
    const step = await compiledStep();
    expect(withMoreTokens(step, request(300), { inputTokens: 5, outputTokens: 120 }).params.max_tokens).toBe(600);
    expect(withMoreTokens(step, request(300), { inputTokens: 5, outputTokens: 600 }).params.max_tokens).toBe(1200);
  });

  it("within the model's limit when its capabilities know it; unchanged without a step max_tokens and a known limit", async () => {
    const step = await compiledStep();
    expect(withMoreTokens(step, request(), { inputTokens: 5, outputTokens: 800 })).toEqual(request());
    const limited = { ...step, capabilities: { ...step.capabilities, maxOutputTokens: () => 1000 } };
    expect(withMoreTokens(limited, request(), { inputTokens: 5, outputTokens: 800 }).params.max_tokens).toBe(1000);
    expect(withMoreTokens(limited, request(1000), { inputTokens: 5, outputTokens: 1000 })).toEqual(request(1000));
  });
});
