/**
 * One run at a time per state directory: a second run is refused at once, naming the process that
 * holds the directory; reading commands keep working; a holder that died leaves nothing to clean up.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { startCli, waitForSubmitted } from './live-run.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const RECIPE = `name: locked
seeds:
  - product: { topic: [tea, coffee, cocoa, mate], audience: [child, chef, pilot] }
steps:
  - generate: question
    model: openai/gpt-4o-mini
    max_requests_per_batch: 6
    prompt: "Ask a {{ audience }} question about {{ topic }}."
    schema: { type: object, properties: { question: { type: string } }, required: [question] }
`;

function project(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
  writeFileSync(join(dir, 'other.yaml'), RECIPE.replace('name: locked', 'name: other'));
  return dir;
}

const env = () => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: emulators.current.openaiBaseURL });
const SLOW_BATCHES = { faults: { timing: { validatingMs: 5, inProgressMs: 600_000, finalizingMs: 5 } } };

describe('state directory lock', () => {
  it('refuses a second run at once, naming the process, its run and since when; status, validate and plan still work', async () => {
    const emulator = await emulators.start(SLOW_BATCHES);
    const dir = project();
    const first = startCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env: env() });
    try {
      const runId = await waitForSubmitted(join(dir, '.synthforge'), 2, first);
      for (const recipe of ['recipe.yaml', 'other.yaml']) {
        const second = await runCli(['run', recipe, '--poll-interval', '10'], { cwd: dir, env: env() });
        expect(second.code).toBe(2);
        expect(second.stderr).toMatch(
          new RegExp(`state directory ${escape(join(dir, '.synthforge'))} is in use by synthforge process ${first.child.pid} \\(run ${runId}, since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)`),
        );
        expect(second.stderr).toContain('--state');
        expect(second.stderr).not.toMatch(/internal error|database is locked|\n\s+at /);
      }
      expect(emulator.stats().batchesCreated.openai).toBe(2);

      const status = await runCli(['status', runId], { cwd: dir });
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`run ${runId} of locked: running (process ${first.child.pid} is working on it)`);
      expect((await runCli(['validate', 'recipe.yaml'], { cwd: dir })).code).toBe(0);
      expect((await runCli(['plan', 'recipe.yaml'], { cwd: dir })).code).toBe(0);
    } finally {
      first.child.kill('SIGKILL');
      await first.done;
    }
    // Several CLI processes one after another, on two shared cores.
  }, 180_000);

  it('takes over the lock of a process that died holding it, and the new run completes', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = project();
    const crashed = await runCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env: { ...env(), SYNTHFORGE_FAILPOINT: 'polling' } });
    expect(crashed.signal).toBe('SIGKILL');
    // The dead process's record is still there: nothing removed it, and nothing needs to.
    const holderFile = join(dir, '.synthforge', 'run.lock.json');
    expect(JSON.parse(readFileSync(holderFile, 'utf8'))).toMatchObject({ runId: expect.stringMatching(/^run-/) });

    const resumed = await runCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env: env() });
    expect(resumed.stderr).toContain('resuming run');
    expect(resumed.code).toBe(0);
    // Released on the way out, so the record of a finished run does not linger.
    expect(existsSync(holderFile)).toBe(false);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
