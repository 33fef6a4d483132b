/** The pieces behind queue-aware submission: the gate, where limits come from, and how shards are cut to fit. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRecipe, planRun } from '../../src/api/plan-run.js';
import { DEFAULT_CAPABILITIES } from '../../src/api/providers.js';
import { describeQueue } from '../../src/cli/render/plan.js';
import { compactCount, describeEvent } from '../../src/cli/render/progress.js';
import { QueueGate } from '../../src/engine/queue-gate.js';
import { parseQueueLimits, stepQueue, type StepQueue } from '../../src/engine/queue-limits.js';
import { ShardRotation } from '../../src/engine/shard-writer.js';
import { loadRecipe } from '../../src/recipe/load-recipe.js';
import { RecipeError } from '../../src/recipe/recipe-error.js';
import { runRecipe } from '../../src/api/run-recipe.js';
import type { RunEvent } from '../../src/engine/run-events.js';
import { FAST_TIMING } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const TOKENS: StepQueue = { name: 'openai/gpt-4o-mini', unit: 'input_tokens', limit: 100, room: 90, source: 'recipe' };
const openai = DEFAULT_CAPABILITIES.capabilities('openai');
const anthropic = DEFAULT_CAPABILITIES.capabilities('anthropic');

describe('QueueGate', () => {
  it('admits shards while they fit, makes the next wait in order, and lets a shard larger than the room go alone', async () => {
    const gate = new QueueGate();
    const waits: number[] = [];
    await gate.acquire(TOKENS, 'a', 50, () => waits.push(0));
    await gate.acquire(TOKENS, 'b', 40, () => waits.push(0));
    expect(waits).toEqual([]);
    const admitted: string[] = [];
    const big = gate.acquire(TOKENS, 'big', 500, (snapshot) => waits.push(snapshot.queued)).then(() => admitted.push('big'));
    const small = gate.acquire(TOKENS, 'c', 10, (snapshot) => waits.push(snapshot.queued)).then(() => admitted.push('c'));
    expect(waits).toEqual([90, 90]);
    gate.release('a');
    await Promise.resolve();
    // The small shard fits now, but the large one asked first: strict order.
    expect(admitted).toEqual([]);
    gate.release('b');
    await big;
    expect(admitted).toEqual(['big']);
    gate.release('big');
    await small;
    expect(admitted).toEqual(['big', 'c']);
  });

  it('after a refusal holds the run to what it had in flight beside the refused shard', async () => {
    const gate = new QueueGate();
    const unlimited: StepQueue = { name: 'openai/gpt-4o-mini', unit: 'input_tokens', room: Infinity, source: 'recipe' };
    for (const id of ['a', 'b', 'c']) await gate.acquire(unlimited, id, 30, () => {});
    expect(gate.refused(unlimited, 'c')).toBe(60);
    expect(gate.snapshot(unlimited)).toMatchObject({ queued: 60, room: 60 });
    let admitted = false;
    const retry = gate.acquire(unlimited, 'c', 30, () => {}).then(() => (admitted = true));
    await Promise.resolve();
    expect(admitted).toBe(false);
    gate.release('a');
    await retry;
    expect(gate.snapshot(unlimited).queued).toBe(60);
    // Nothing else in flight: the refusal teaches nothing, and says so.
    gate.release('b');
    expect(gate.refused(unlimited, 'c')).toBe(0);
  });

  it('counts a shard found at the provider without waiting, once', () => {
    const gate = new QueueGate();
    gate.hold(TOKENS, 'a', 80);
    gate.hold(TOKENS, 'a', 80);
    expect(gate.snapshot(TOKENS).queued).toBe(80);
  });
});

describe('queue limits', () => {
  const model = { provider: 'openai' as const, model: 'gpt-4o-mini' };

  it('take the environment over the recipe, a model key over a provider key, and the provider default last', () => {
    expect(stepQueue(openai, model, undefined, {})).toMatchObject({ name: 'openai/gpt-4o-mini', limit: 2_000_000, room: 1_800_000, source: 'default' });
    expect(stepQueue(openai, model, { openai: 500, 'openai/gpt-4o-mini': 300 }, {})).toMatchObject({ limit: 300, room: 270, source: 'recipe' });
    expect(stepQueue(openai, model, { 'openai/gpt-4o-mini': 300 }, { SYNTHFORGE_QUEUE_LIMITS: 'openai=1_000' })).toMatchObject({ limit: 1000, source: 'environment' });
    expect(stepQueue(openai, model, { openai: 'none' }, {})).toMatchObject({ room: Infinity, source: 'recipe' });
    expect(stepQueue(openai, model, { openai: 0 }, {})?.limit).toBeUndefined();
    // Anthropic's queue counts requests for every model at once, and needs no margin.
    expect(stepQueue(anthropic, { provider: 'anthropic', model: 'claude-haiku-4-5' }, { anthropic: 25 }, {})).toMatchObject({ name: 'anthropic', unit: 'requests', limit: 25, room: 25 });
  });

  it('refuses a malformed environment value, naming the variable and what was expected', () => {
    expect(() => parseQueueLimits('openai=lots')).toThrow(/SYNTHFORGE_QUEUE_LIMITS: "openai=lots" is not a queue limit; expected <provider>\[\/<model>\]=<whole number ≥ 0 or none>/);
    expect(() => parseQueueLimits('opneai=5')).toThrow(/unknown provider "opneai" in "opneai=5"|unknown provider "opneai" in "opneai"/);
    expect(parseQueueLimits(' openai/gpt-4o-mini = 2000000 , anthropic=none ')).toEqual({ 'openai/gpt-4o-mini': 2_000_000, anthropic: 'none' });
  });

  it('reports a bad recipe key at its file:line, with what was expected', async () => {
    const dir = tempDir();
    const path = join(dir, 'recipe.yaml');
    writeFileSync(
      path,
      `name: q\nseeds:\n  - inline: [{ topic: tea }]\nqueue_limits:\n  opneai/gpt-4o-mini: 1000\n  anthropic/claude-haiku-4-5: 10\n  gemini: lots\nsteps:\n  - generate: q\n    model: openai/gpt-4o-mini\n    prompt: "About {{ topic }}"\n    schema: { type: object, properties: { q: { type: string } }, required: [q] }\n`,
    );
    const error = await loadRecipe(path).then((loaded) => compileRecipe(loaded)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecipeError);
    const issues = (error as RecipeError).issues.map((issue) => ({ line: issue.line, path: issue.path.join('.'), message: issue.message }));
    expect(issues).toContainEqual(expect.objectContaining({ line: 7, path: 'queue_limits.gemini', message: expect.stringContaining('expected a whole number ≥ 0, or "none"') }));
    // Types first: the keys are checked once the document is well-typed.
    const fixed = await loadRecipe((writeFileSync(path, readFixed(path)), path));
    const keyError = await compileRecipe(fixed).catch((caught: unknown) => caught);
    const keyIssues = (keyError as RecipeError).issues.map((issue) => ({ line: issue.line, code: issue.code, message: issue.message }));
    expect(keyIssues).toEqual([
      { line: 5, code: 'queue_limit_key', message: expect.stringContaining('unknown provider "opneai" in "opneai/gpt-4o-mini" (did you mean "openai"?)') },
      { line: 6, code: 'queue_limit_key', message: expect.stringContaining(`anthropic's queue is shared by all of its models; write "anthropic"`) },
    ]);
  });
});

function readFixed(path: string): string {
  return readFileSync(path, 'utf8').replace('gemini: lots', 'gemini: none');
}

describe('shards cut to fit the queue', () => {
  it('start a new shard before a line would pass the token room, and give a line over it a shard alone', () => {
    const rotation = new ShardRotation({ maxRequests: 100, maxBytes: 1_000_000, maxInputTokens: 100 });
    const starts = [40, 40, 40, 150, 10].map((tokens) => rotation.add(10, tokens));
    expect(starts).toEqual([true, false, true, true, true]);
    expect(rotation.shardCount).toBe(4);
  });

  it('plan counts the shards a run writes under a queue limit', async () => {
    const dir = tempDir();
    const path = join(dir, 'recipe.yaml');
    writeFileSync(
      path,
      `name: q\nseeds:\n  - product: { topic: [a, b, c, d, e, f, g, h, i, j] }\nqueue_limits: { openai/gpt-4o-mini: 400 }\nsteps:\n  - generate: q\n    model: openai/gpt-4o-mini\n    prompt: "Write a question about {{ topic }}"\n    schema: { type: object, properties: { q: { type: string } }, required: [q] }\n`,
    );
    const plan = await planRun(await loadRecipe(path));
    // Ten requests of roughly 100 tokens by the run's estimate do not fit in 360 tokens of room.
    expect(plan.steps[0]!.shards).toBeGreaterThan(1);
    const queue = plan.steps[0]!.queue!;
    expect(queue).toMatchObject({ name: 'openai/gpt-4o-mini', unit: 'input_tokens', limit: 400, room: 360, source: 'recipe' });
    expect(queue.queued).toBeGreaterThan(360);
    expect(queue.waves).toBe(Math.ceil(queue.queued / 360));
    expect(describeQueue(queue)).toMatch(new RegExp(`^openai/gpt-4o-mini: ~[\\d,]+ input tokens to queue, limit 400 \\(from queue_limits\\): about ${queue.waves} fills of the queue`));
    const events: RunEvent[] = [];
    await runRecipe(path, { cwd: dir, offline: true, env: {}, emulator: { faults: { timing: FAST_TIMING } }, pollIntervalMs: { initial: 5, max: 20 }, onEvent: (event) => events.push(event) });
    expect(events.find((event) => event.type === 'plan')).toMatchObject({ shards: plan.steps[0]!.shards });
  });
});

describe('what plan says about a queue', () => {
  it("names the provider's default limit and where to set the account's, or says no limit is set", () => {
    const base = { name: 'openai/gpt-4o-mini', unit: 'input_tokens' as const, queued: 1_000 };
    expect(describeQueue({ ...base, source: 'default', limit: 2_000_000, room: 1_800_000, waves: 1 })).toBe(
      "openai/gpt-4o-mini: ~1,000 input tokens to queue, limit 2,000,000 (provider's default; set your account's in queue_limits or SYNTHFORGE_QUEUE_LIMITS): fits at once",
    );
    expect(describeQueue({ ...base, name: 'anthropic', unit: 'requests', source: 'environment' })).toBe(
      "anthropic: ~1,000 requests to queue, no limit (from SYNTHFORGE_QUEUE_LIMITS): a full queue is learnt from the provider's refusals",
    );
  });

  it('plan with the default limit of a provider: one fill, source default', async () => {
    const dir = tempDir();
    const path = join(dir, 'recipe.yaml');
    writeFileSync(
      path,
      `name: q\nseeds:\n  - inline: [{ topic: a }, { topic: b }]\nsteps:\n  - generate: q\n    model: anthropic/claude-haiku-4-5\n    prompt: "Write a question about {{ topic }}"\n    schema: { type: object, properties: { q: { type: string } }, required: [q] }\n`,
    );
    const plan = await planRun(await loadRecipe(path));
    expect(plan.steps[0]!.queue).toEqual({ name: 'anthropic', unit: 'requests', limit: 100_000, room: 100_000, source: 'default', queued: 2, waves: 1 });
    expect(plan.warnings).toEqual([]);
  });
});

describe('the CLI line for a shard waiting for queue room', () => {
  it('reads like "waiting: 1.9M/2M tokens queued for openai/gpt-4o-mini"', () => {
    expect(compactCount(1_900_000)).toBe('1.9M');
    expect(compactCount(90_000)).toBe('90k');
    const line = describeEvent({ type: 'queue-wait', step: 'q', shardId: 's', queue: 'openai/gpt-4o-mini', unit: 'input_tokens', queued: 1_900_000, room: 1_800_000, limit: 2_000_000 });
    expect(line).toBe('  q: waiting: 1.9M/2M tokens queued for openai/gpt-4o-mini');
    expect(describeEvent({ type: 'queue-wait', step: 'q', shardId: 's', queue: 'anthropic', unit: 'requests', queued: 60, room: 40, limit: 100 })).toBe('  q: waiting: 60/40 requests queued for anthropic');
  });
});
