import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { DEFAULT_CAPABILITIES } from '../../src/api/providers.js';
import { compileRecipe, isBatchStep, type CompiledBatchStep } from '../../src/engine/compile-recipe.js';
import { driveShard, type DriveContext } from '../../src/engine/shard-lifecycle.js';
import { readShardKeys, shardAnswersPath, shardInvalidPath, shardPositionsPath } from '../../src/engine/shard-files.js';
import type { BatchProvider } from '../../src/providers/batch-provider.js';
import { loadRecipeObject } from '../../src/recipe/load-recipe.js';
import { CACHE_KEY_BYTES } from '../../src/store/response-cache.js';
import { RunStore } from '../../src/store/run-store.js';
import { scaleRecipe, writeSeedFile } from '../../bench/scale-recipe.js';
import { plannedRun } from '../../bench/planned-run.js';
import { withSecretRedaction } from '../../src/providers/with-secret-redaction.js';
import { SecretRedactor } from '../../src/redact-secrets.js';

/** What collecting a step's shards left: every shard's answers, invalid and positions files, outcomes, cache rows, the ledger and the errors. */
export interface Collected {
  files: string[];
  outcomes: number[][];
  responses: unknown[];
  ledger: unknown;
  errors: string[];
}

/**
 * Plans `records` seed records (the bench's scale recipe, shards of 150, `model` or OpenAI's) in a
 * fresh store under `dir`, drives every shard to collected with `provider`, and returns what
 * collecting left. A shard that fails is recorded in `errors`; the others go on.
 */
export async function collectShards(dir: string, options: { records: number; model?: string; provider: BatchProvider }): Promise<Collected> {
  const seedsFile = join(dir, 'seeds.jsonl');
  await writeSeedFile(seedsFile, options.records);
  const scaled = scaleRecipe({ seedsFile, n: 1, maxRequestsPerBatch: 150, maxAttempts: 2, ...(options.model ? { model: options.model } : {}) });
  const recipe = await compileRecipe(loadRecipeObject(scaled, dir), DEFAULT_CAPABILITIES);
  const generate = recipe.steps[0] as CompiledBatchStep;
  expect(isBatchStep(generate)).toBe(true);
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir, { recursive: true });
  const store = new RunStore(stateDir);
  try {
    const { runId } = await plannedRun(store, recipe, generate, 'collect-shards');
    const context: DriveContext = { runId, store, provider: options.provider, emit: () => {}, pollIntervalMs: { initial: 1, max: 1 }, maxCallRetries: 0, isCancelled: () => false };
    const collected: Collected = { files: [], outcomes: [], responses: [], ledger: undefined, errors: [] };
    for (const shard of store.shardsOfStep(runId, 0)) {
      await driveShard(context, generate, shard.id).catch((error: Error) => collected.errors.push(error.message));
      const done = store.getShard(shard.id)!;
      for (const path of [shardAnswersPath(done.inputPath), shardInvalidPath(done.inputPath)]) {
        collected.files.push(existsSync(path) ? readFileSync(path, 'utf8') : '(none)');
      }
      const positions = shardPositionsPath(done.inputPath);
      collected.files.push(existsSync(positions) ? readFileSync(positions).toString('hex') : '(none)');
      collected.outcomes.push([...(store.shardOutcomes(shard.id) ?? [])]);
      const keys = readShardKeys(done.inputPath);
      for (let line = 0; line * CACHE_KEY_BYTES < keys.length; line++) {
        const row = store.responses.get(keys.subarray(line * CACHE_KEY_BYTES, (line + 1) * CACHE_KEY_BYTES));
        collected.responses.push(row ? { ...row, shardSeq: row.shardSeq - shard.seq } : null);
      }
    }
    collected.ledger = store.ledgerTotals(runId);
    return collected;
  } finally {
    store.close();
  }
}

/**
 * Collects 200 records with `secret` planted in result lines (plain and JSON-escaped) on the calling
 * thread and on 2 threads, through the redacting wrapper, and checks both wrote the same files with
 * the key replaced by its `[REDACTED:<variable>]` marker and no trace of it left.
 */
export async function expectEchoedKeyRedacted(
  collect: (threads: string, records: number, wrap: (provider: BatchProvider) => BatchProvider) => Promise<Collected>,
  secret: string,
  variable: string,
): Promise<void> {
  const redact = (provider: BatchProvider): BatchProvider => withSecretRedaction(provider, new SecretRedactor([{ name: variable, value: secret }]));
  const inThread = await collect('0', 200, redact);
  const threaded = await collect('2', 200, redact);
  expect(threaded.files).toEqual(inThread.files);
  const written = threaded.files.join('\n');
  expect(written).not.toContain(secret.slice(3));
  expect(written).toContain(`upstream failed for key [REDACTED:${variable}]`);
  expect(written).toContain(`escaped key [REDACTED:${variable}]`);
}
