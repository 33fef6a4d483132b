/**
 * A 50,000-record recipe offline, end to end, with exact counts: one OpenAI batch at the provider's
 * 50,000-request limit, streamed through planning, the emulator, collection, dedup and the writer.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/api/run-recipe.js';
import { RunStore } from '../../src/store/run-store.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const RECORDS = 50_000;

async function writeSeeds(path: string): Promise<void> {
  const stream = createWriteStream(path);
  for (let index = 0; index < RECORDS; index++) {
    // Every 100th record repeats its predecessor's topic: 500 exact duplicates for the dedup step.
    const topic = index % 100 === 99 ? index - 1 : index;
    if (!stream.write(`${JSON.stringify({ topic: `subject number ${topic}`, group: index % 4 })}\n`)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
}

describe('scale', () => {
  it('runs 50,000 records offline with exact counts', async () => {
    const dir = tempDir();
    await writeSeeds(join(dir, 'seeds.jsonl'));
    writeFileSync(
      join(dir, 'big.yaml'),
      `name: big
seeds:
  - jsonl: seeds.jsonl
# One batch at the request limit: ~2.5M tokens, past the default enqueued-token limit, which would cut it in two.
queue_limits: { openai/gpt-4o-mini: none }
steps:
  - dedup: { fields: [topic] }
  - generate: question
    model: openai/gpt-4o-mini
    prompt: "Write a question about {{ topic }}{% if group == 0 %} for beginners{% endif %}."
    schema: { type: object, properties: { question: { type: string } }, required: [question] }
  - filter: { field: group, lt: 3 }
`,
    );
    const summary = await runRecipe('big.yaml', {
      cwd: dir,
      offline: true,
      env: {},
      emulator: { faults: { timing: { validatingMs: 0, inProgressMs: 0, finalizingMs: 0 } } },
      pollIntervalMs: { initial: 20, max: 200 },
    });
    const [dedup, generate, filter] = summary.steps.map((step) => step.counts);
    expect(dedup).toMatchObject({ input: RECORDS, output: RECORDS - 500, duplicates: { exact: 500, near: 0 } });
    expect(generate).toMatchObject({ input: 49_500, requested: 49_500, sent: 49_500, succeeded: 49_500 });
    const groupThree = Array.from({ length: RECORDS }, (_, index) => index).filter((index) => index % 100 !== 99 && index % 4 === 3).length;
    expect(filter).toMatchObject({ input: 49_500, output: 49_500 - groupThree });
    expect(summary.output!.rows).toBe(49_500 - groupThree);
    const store = new RunStore(join(dir, '.synthforge'));
    expect(store.shardsOfRun(summary.runId).map((shard) => shard.requestCount)).toEqual([49_500]);
    store.close();
  }, 240_000);
});
