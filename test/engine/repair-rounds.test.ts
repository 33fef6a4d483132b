import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/api/run-recipe.js';
import { renderRunSummary } from '../../src/cli/render/summary.js';
import type { EmulatorServer } from '../../src/emulator/emulator.js';
import { RunStore } from '../../src/store/run-store.js';
import { join } from 'node:path';
import { useTempDirs } from '../helpers/temp-dir.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const ANSWER = { type: 'object', properties: { answer: { type: 'string' }, confidence: { type: 'integer' } }, required: ['answer', 'confidence'] };

function recipe(model: string, extra: Record<string, unknown> = {}) {
  return {
    name: 'repairs',
    seeds: [{ product: { topic: ['tea', 'coffee', 'cocoa', 'mate', 'juice', 'soda'], audience: ['child', 'chemist', 'chef', 'pilot', 'poet'] } }],
    steps: [{ generate: 'answer', model, n: 2, max_tokens: 400, prompt: 'Answer a {{ audience }} asking about {{ topic }}.', schema: ANSWER, ...extra }],
    max_attempts: 2,
    min_valid_rate: 0,
  };
}

const ENV: Record<string, (emulator: EmulatorServer) => Record<string, string>> = {
  openai: (emulator) => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: emulator.openaiBaseURL }),
  anthropic: (emulator) => ({ ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: emulator.anthropicBaseURL }),
  gemini: (emulator) => ({ GEMINI_API_KEY: 'test-key', GEMINI_BASE_URL: emulator.geminiBaseURL }),
};

const MODELS = { openai: 'openai/gpt-4o-mini', anthropic: 'anthropic/claude-haiku-4-5', gemini: 'gemini/gemini-2.5-flash' } as const;

/** The first line of a round-1 shard of the run: what was sent to repair an answer. */
function repairLine(dir: string, runId: string): Record<string, unknown> {
  const store = new RunStore(join(dir, '.synthforge'));
  const shard = store.shardsOfRun(runId).find((row) => row.round === 1)!;
  store.close();
  return JSON.parse(readFileSync(shard.inputPath, 'utf8').split('\n')[0]!) as Record<string, unknown>;
}

const FAULTS = { timing: FAST_TIMING, seed: 11, schemaInvalidRate: 0.15, malformedJsonRate: 0.05, repairSuccessRate: 0.8 };

describe('repair rounds against the emulator, through each official SDK', () => {
  for (const provider of ['openai', 'anthropic', 'gemini'] as const) {
    it(`${provider}: invalid answers are asked again with a repair turn, and the counts equal the emulator's`, async () => {
      const emulator = await emulators.start({ faults: FAULTS });
      const dir = tempDir();
      const summary = await runRecipe(recipe(MODELS[provider]), { cwd: dir, env: ENV[provider]!(emulator), pollIntervalMs: { initial: 5, max: 20 } });
      const counts = summary.steps[0]!.counts;
      const injected = emulator.stats().faultsInjected;
      const firstInvalid = injected.schemaInvalid + injected.malformedJson;
      expect(firstInvalid).toBeGreaterThan(3);
      expect(injected.repairValid).toBeGreaterThan(0);
      expect(counts.repair).toEqual({
        valid_first_try: 60 - firstInvalid,
        valid_after_repair: { total: injected.repairValid, by_reason: expect.any(Object) },
        valid_after_retry: 0,
        still_invalid: { total: injected.repairInvalid, by_reason: injected.repairInvalid > 0 ? { schema_violation: injected.repairInvalid } : {} },
      });
      expect(injected.repairValid + injected.repairInvalid).toBe(firstInvalid);
      const byReason = counts.repair!.valid_after_repair.by_reason;
      expect((byReason.schema_violation ?? 0) + (byReason.not_json ?? 0)).toBe(injected.repairValid);
      expect(counts.succeeded).toBe(60 - injected.repairInvalid);
      const printed = renderRunSummary(summary);
      expect(printed).toContain(`${60 - firstInvalid} first try, ${injected.repairValid} after repair, 0 after retry`);
      expect(printed).toMatch(/^ {4}repaired: (schema_violation|not_json) \d+/m);
      // The repair request holds the original turn, the invalid answer in the provider's own assistant form, and the repair turn.
      const line = repairLine(dir, summary.runId);
      const turns =
        provider === 'openai'
          ? ((line.body as { messages: { role: string; content: string }[] }).messages)
          : provider === 'anthropic'
            ? ((line.params as { messages: { role: string; content: string }[] }).messages)
            : ((line.request as { contents: { role: string; parts: { text: string }[] }[] }).contents.map((content) => ({ role: content.role, content: content.parts[0]!.text })));
      expect(turns.map((turn) => turn.role)).toEqual(['user', provider === 'gemini' ? 'model' : 'assistant', 'user']);
      expect(turns[2]!.content).toMatch(/Reply with the corrected JSON only/);
      expect(turns[2]!.content).toMatch(/^- (`\/\w+`|the whole answer): /m);
    });
  }

  it('a repaired answer is cached under the original request: a second run sends nothing', async () => {
    const emulator = await emulators.start({ faults: { ...FAULTS, repairSuccessRate: 1 } });
    const dir = tempDir();
    const first = await runRecipe(recipe(MODELS.openai), { cwd: dir, env: ENV.openai!(emulator), pollIntervalMs: { initial: 5, max: 20 } });
    expect(first.samples.valid).toBe(60);
    expect(first.steps[0]!.counts.repair!.valid_after_repair.total).toBeGreaterThan(0);
    const second = await runRecipe(recipe(MODELS.openai), { cwd: dir, env: ENV.openai!(emulator), pollIntervalMs: { initial: 5, max: 20 } });
    expect(second.samples).toMatchObject({ sent: 0, cached: 60, valid: 60 });
  });

  it('repair: false keeps plain resampling: no repair turn is sent', async () => {
    const emulator = await emulators.start({ faults: FAULTS });
    const dir = tempDir();
    const summary = await runRecipe(recipe(MODELS.openai, { repair: false }), { cwd: dir, env: ENV.openai!(emulator), pollIntervalMs: { initial: 5, max: 20 } });
    const injected = emulator.stats().faultsInjected;
    expect(injected.repairValid + injected.repairInvalid).toBe(0);
    const repair = summary.steps[0]!.counts.repair!;
    expect(repair.valid_after_repair.total).toBe(0);
    expect(repair.valid_after_retry).toBeGreaterThan(0);
    const turns = (repairLine(dir, summary.runId).body as { messages: unknown[] }).messages;
    expect(turns).toHaveLength(1);
  });
});
