import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../src/cost/errors.js';
import { publishVersion } from '../src/dataset/version-store.js';
import { RunCancelledError } from '../src/engine/errors.js';
import { driveShard, type DriveContext } from '../src/engine/shard-lifecycle.js';
import { ShardWriter } from '../src/engine/shard-writer.js';
import { EXIT_CODE_MEANINGS, EXIT_CODES, exitCodeForRunStatus, SynthforgeError, UsageError, type ExitKind } from '../src/errors.js';
import { useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();

/** What an error thrown through `fn` (sync or async) turned out to be. */
async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('EXIT_CODES', () => {
  it('is the table scripts rely on', () => {
    expect(EXIT_CODES).toEqual({ ok: 0, failed: 1, usage: 2, budget: 3, cancelled: 4, internal: 70, interrupted: 130 });
  });

  it('gives every code a meaning, and no two kinds the same number', () => {
    expect(Object.keys(EXIT_CODE_MEANINGS).sort()).toEqual(Object.keys(EXIT_CODES).sort());
    expect(new Set(Object.values(EXIT_CODES)).size).toBe(Object.keys(EXIT_CODES).length);
  });

  it('is the table the README lists, word for word', () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    const start = readme.indexOf('\n## Running\n');
    const running = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const rows = [...running.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((match) => [Number(match[1]), match[2]]);
    const table = (Object.keys(EXIT_CODES) as ExitKind[]).map((kind) => [EXIT_CODES[kind], EXIT_CODE_MEANINGS[kind]]);
    expect(rows).toEqual(table);
  });

  it('maps a final run status to its code', () => {
    expect(exitCodeForRunStatus('completed')).toBe(0);
    expect(exitCodeForRunStatus('failed')).toBe(1);
    expect(exitCodeForRunStatus('budget_exceeded')).toBe(3);
    expect(exitCodeForRunStatus('cancelled')).toBe(4);
    expect(exitCodeForRunStatus('interrupted')).toBe(130);
    expect(exitCodeForRunStatus('running')).toBe(1);
  });
});

describe('SynthforgeError', () => {
  it('takes its exit code from the kind it names, `failed` by default', () => {
    expect(new SynthforgeError('x', 'm').exitCode).toBe(EXIT_CODES.failed);
    expect(new SynthforgeError('x', 'm', { exit: 'cancelled' }).exitCode).toBe(EXIT_CODES.cancelled);
    expect(new UsageError('x', 'm').exitCode).toBe(EXIT_CODES.usage);
    expect(new BudgetExceededError({ maxUsd: 1, spentUsd: 1, committedUsd: 0, estimateUsd: 0.5 }).exitCode).toBe(EXIT_CODES.budget);
  });

  it('recognises an error from a second copy of synthforge, which instanceof does not', () => {
    // What the other copy's SynthforgeError looks like from here: a different class, the same registered marker.
    const foreign = Object.assign(new Error('from another install'), { [Symbol.for('synthforge.error')]: true, code: 'recipe_invalid', exitCode: 2 });
    expect(foreign instanceof SynthforgeError).toBe(false);
    expect(SynthforgeError.isInstance(foreign)).toBe(true);
    expect(SynthforgeError.isInstance(new Error('plain'))).toBe(false);
    expect(SynthforgeError.isInstance(null)).toBe(false);
    expect(SynthforgeError.isInstance({ code: 'x' })).toBe(false);
  });
});

describe('conditions a user or provider causes are coded errors, not bugs', () => {
  it('a cancelled run: run_cancelled, exit 4', () => {
    const error = new RunCancelledError();
    expect(error).toBeInstanceOf(RunCancelledError);
    expect(SynthforgeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'run_cancelled', exitCode: EXIT_CODES.cancelled, name: 'RunCancelledError' });
  });

  it('one request larger than the batch byte limit: request_too_large, exit 2', async () => {
    const writer = new ShardWriter({ directory: tempDir(), prefix: 't', shardId: (index) => `s${index}`, maxRequests: 10, maxBytes: 100, onShard: () => {} });
    const error = await caught(() => writer.add('0'.repeat(64), () => 'x'.repeat(300)));
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: 'request_too_large', exitCode: EXIT_CODES.usage, details: { bytes: 301, maxBytes: 100 } });
  });

  it('a shard that may have been submitted to a provider that cannot look batches up: shard_submission_unknown', async () => {
    const shard = { id: 's1', status: 'submitting', model: 'm', inputPath: 'in.jsonl', requestCount: 1, kind: 'chat' };
    const context = {
      runId: 'r1',
      store: { getShard: () => shard },
      provider: { id: 'openai' },
      isCancelled: () => false,
    } as unknown as DriveContext;
    const error = await caught(() => driveShard(context, {} as never, 's1'));
    expect(SynthforgeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'shard_submission_unknown', exitCode: EXIT_CODES.failed, details: { shardId: 's1', provider: 'openai' } });
  });

  it('a version number that other writers keep taking: version_publish_conflict', async () => {
    const datasetDir = tempDir();
    const staging = join(datasetDir, '.staging-1-ab');
    mkdirSync(join(staging, 'data'), { recursive: true });
    for (let number = 1; number <= 100; number++) {
      mkdirSync(join(datasetDir, `v${number}`));
      writeFileSync(join(datasetDir, `v${number}`, 'manifest.json'), '{}');
    }
    const error = await caught(() => publishVersion(staging, datasetDir, 1, async () => {}));
    expect(SynthforgeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'version_publish_conflict', exitCode: EXIT_CODES.failed });
  });
});
