/**
 * A state directory whose store was lost, emptied or damaged is refused with a coded error that
 * says what to do, never treated as new (which would pay for every request again) nor crashed on.
 */
import { mkdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SynthforgeError } from '../../src/errors.js';
import { RunStore } from '../../src/store/run-store.js';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const RUN = { id: 'run-20260101-000000-abcd', recipeName: 'r', recipePath: '/r.yaml', recipeHash: 'h', options: {} };

/** A state directory as a run leaves it: a store that knows one run, and that run's folder. */
function usedStateDir(): string {
  const dir = tempDir();
  const store = new RunStore(dir);
  store.createRun(RUN);
  // Enough rows that the file spans many pages, so cutting it short loses some.
  for (let index = 0; index < 400; index++) {
    store.insertShard({
      id: `${RUN.id}-s0-${index}`,
      runId: RUN.id,
      stepIndex: 0,
      round: 0,
      provider: 'openai',
      model: 'm',
      endpoint: '',
      kind: 'chat',
      inputPath: `/shards/${'x'.repeat(300)}-${index}.jsonl`,
      inputHash: 'h',
      requestCount: 1,
      bytes: 1,
    });
  }
  store.close();
  mkdirSync(join(dir, 'runs', RUN.id), { recursive: true });
  writeFileSync(join(dir, 'runs', RUN.id, 'stage-00.jsonl'), '{"id":"s0-000000"}\n');
  return dir;
}

function refusal(dir: string): SynthforgeError {
  let store: RunStore | undefined;
  try {
    store = new RunStore(dir);
  } catch (error) {
    expect(SynthforgeError.isInstance(error)).toBe(true);
    return error as SynthforgeError;
  }
  store.close();
  throw new Error('the store opened');
}

describe('store integrity', () => {
  it('refuses a zero-length store in a state directory that has run folders', () => {
    const dir = usedStateDir();
    truncateSync(join(dir, 'synthforge.db'), 0);
    const error = refusal(dir);
    expect(error.code).toBe('store_damaged');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`${join(dir, 'synthforge.db')} is empty`);
    expect(error.message).toContain(join(dir, 'runs', RUN.id));
    expect(error.message).toMatch(/Restore .* from a backup/);
    // Refused, not initialised: the file is left as it was found.
    expect(statSync(join(dir, 'synthforge.db')).size).toBe(0);
  });

  it('refuses a state directory whose store file is gone but whose run folders are not', () => {
    const dir = usedStateDir();
    rmSync(join(dir, 'synthforge.db'));
    const error = refusal(dir);
    expect(error.code).toBe('store_damaged');
    expect(error.message).toContain(`${join(dir, 'synthforge.db')} is missing`);
  });

  it('refuses a store that does not know a run folder beside it', () => {
    const dir = usedStateDir();
    mkdirSync(join(dir, 'runs', 'run-20260102-000000-ffff'));
    const error = refusal(dir);
    expect(error.code).toBe('store_damaged');
    expect(error.message).toContain(`does not know the run folder ${join(dir, 'runs', 'run-20260102-000000-ffff')}`);
  });

  it.each([50, 100, 4096, 40_000])('refuses a store cut short at %i bytes with a coded error', (size) => {
    const dir = usedStateDir();
    truncateSync(join(dir, 'synthforge.db'), size);
    const error = refusal(dir);
    expect(error.exitCode).toBe(2);
    expect(['store_damaged', 'store_version_unsupported']).toContain(error.code);
    expect(error.message).toContain(join(dir, 'synthforge.db'));
  });

  it('a store cut short names how much is missing', () => {
    const dir = usedStateDir();
    const file = join(dir, 'synthforge.db');
    truncateSync(file, 40_000);
    const error = refusal(dir);
    expect(error.code).toBe('store_damaged');
    expect(error.message).toMatch(/is damaged: it is 40000 bytes long, its header says \d+ bytes/);
  });

  it('an empty file and no run folders is a new store, as before', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'synthforge.db'), '');
    const store = new RunStore(dir);
    expect(store.listRuns()).toEqual([]);
    store.close();
  });

  it('the CLI refuses a run on an emptied store with exit 2, before anything is sent', async () => {
    const dir = usedStateDir();
    truncateSync(join(dir, 'synthforge.db'), 0);
    writeFileSync(join(dir, 'r.yaml'), 'name: r\nseeds:\n  - inline: [{ topic: tea }]\nsteps:\n  - generate: q\n    model: openai/gpt-4o-mini\n    prompt: "{{ topic }}"\n    schema: { type: object, properties: { q: { type: string } } }\n');
    const result = await runCli(['run', 'r.yaml', '--offline', '--state', dir], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is empty');
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(statSync(join(dir, 'synthforge.db')).size).toBe(0);
    const status = await runCli(['status', '--state', dir], { cwd: dir });
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('is empty');
  });
});
