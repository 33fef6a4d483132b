/**
 * Kill -9 right after Anthropic created a batch, before its id was saved, with several shards of the
 * same size in flight: the rerun must find each batch (Anthropic batches carry no metadata, so the
 * candidates are told apart by their custom_ids once they end) and complete without creating any
 * batch twice. Before, the first rerun stopped with a bogus "HTTP 503 … several candidate batches".
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useEmulators } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const RECORDS = 30;
const RECIPE = `name: crashy
seeds:
  - jsonl: seeds.jsonl
steps:
  - generate: question
    model: anthropic/claude-haiku-4-5
    max_tokens: 256
    max_requests_per_batch: 10
    prompt: "Write a question about {{ topic }}."
    schema: { type: object, properties: { question: { type: string } }, required: [question] }
output:
  format: raw
`;

function project(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
  writeFileSync(join(dir, 'seeds.jsonl'), Array.from({ length: RECORDS }, (_, index) => JSON.stringify({ topic: `subject ${index}` })).join('\n') + '\n');
  return dir;
}

describe('Anthropic: killed right after a batch was created', () => {
  it('the first rerun finds the batches of same-sized shards and creates none twice', async () => {
    // Creates answered late: all three shards' batches exist when the first reply ends the process.
    const emulator = await emulators.start({ faults: { createReplyDelayMs: 300, timing: { validatingMs: 20, inProgressMs: 5000, finalizingMs: 20 } } });
    const dir = project();
    const env = { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: emulator.anthropicBaseURL };
    const crashed = await runCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env: { ...env, SYNTHFORGE_FAILPOINT: 'batch-created' } });
    expect(crashed.signal).toBe('SIGKILL');
    expect(emulator.stats().batchesCreated.anthropic).toBe(3);
    const resumed = await runCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env });
    expect(resumed.stderr).not.toContain('several candidate batches');
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('found at the provider after a restart');
    const stats = emulator.stats();
    expect(stats.batchesCreated.anthropic).toBe(3);
    expect(stats.requestsReceived.anthropic).toBe(RECORDS);
    expect(stats.seenCustomIds).toBe(RECORDS);
  });
});
