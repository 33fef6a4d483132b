/**
 * `synthforge view` from the built CLI: it prints where it listens, serves, and stops on SIGINT
 * with exit code 0; a non-loopback --host warns on stderr.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

function startView(args: string[], cwd: string): Promise<{ url: string; stderr: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'view', '--port', '0', ...args], { cwd, env: { PATH: process.env.PATH ?? '' } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /synthforge view: (http:\/\/\S+\/) /.exec(stdout)?.[1];
      if (url) resolve({ url, stderr: () => stderr, stop: () => (child.kill('SIGINT'), exited) });
    });
    exited.then((code) => reject(new Error(`synthforge view exited (${code}) before listening: ${stderr}`)));
  });
}

describe('synthforge view (CLI)', () => {
  it('listens on 127.0.0.1, serves the datasets of --out, and exits 0 on SIGINT', async () => {
    const dir = tempDir();
    const view = await startView(['--out', 'nowhere', '--state', 'state'], dir);
    expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const body = (await (await fetch(`${view.url}api/datasets`)).json()) as { datasets: unknown[]; outputsRoot: string };
    expect(body).toEqual({ outputsRoot: `${dir}/nowhere`, datasets: [] });
    expect((await (await fetch(`${view.url}api/runs`)).json()) as object).toEqual({ stateDir: `${dir}/state`, runs: [] });
    expect(view.stderr()).toBe('');
    expect(await view.stop()).toBe(0);
  });

  it('warns when --host leaves the loopback address', async () => {
    const view = await startView(['--host', '0.0.0.0'], tempDir());
    expect(view.stderr()).toMatch(/^warning: listening on 0\.0\.0\.0, not only this machine: anyone who can reach port \d+ can read these datasets/);
    expect(await view.stop()).toBe(0);
  });
});
