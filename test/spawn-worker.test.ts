import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { twinOf, workerExecArgv } from '../src/spawn-worker.js';
import { useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();

/** A script that digests 'abc' on the digest thread and prints the digest: a worker started by spawnWorker. */
const DIGEST = (module: string) => `
  const { DigestThread } = await import(${JSON.stringify(module)});
  const thread = new DigestThread();
  const file = thread.open();
  file.update(new TextEncoder().encode('abc'));
  console.log(await file.finish());
  await thread.close();
`;
const ABC = createHash('sha256').update('abc').digest('hex');

describe('worker threads', () => {
  it('start from a program run with --input-type and -e, compiled or from the sources', () => {
    const runs = [
      { args: ['--input-type=module', '-e', DIGEST(pathToFileURL(join(process.cwd(), 'dist', 'dataset', 'digest-thread.js')).href)], env: {} },
      { args: ['--input-type', 'module', '-e', DIGEST(pathToFileURL(join(process.cwd(), 'dist', 'dataset', 'digest-thread.js')).href)], env: {} },
      // From the sources: the compiled twin where dist/ is fresh, tsx's loader otherwise (forced here).
      { args: ['--import', 'tsx', '--input-type=module', '-e', DIGEST('./src/dataset/digest-thread.ts')], env: {} },
      { args: ['--import', 'tsx', '--input-type=module', '-e', DIGEST('./src/dataset/digest-thread.ts')], env: { SYNTHFORGE_FROM_SOURCES: '1' } },
    ];
    for (const { args, env } of runs) {
      const child = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...env } });
      expect(child.stderr).toBe('');
      expect(child.stdout.trim()).toBe(ABC);
    }
  });

  it('start from a program run with V8\'s options, from a file or with -e', () => {
    const dir = tempDir();
    const script = join(dir, 'digest.mjs');
    writeFileSync(script, DIGEST(pathToFileURL(join(process.cwd(), 'dist', 'dataset', 'digest-thread.js')).href));
    const v8Options = ['--max-old-space-size=512', '--expose-gc', '--heap-growing-percent=200'];
    for (const args of [[...v8Options, script], [...v8Options, '--input-type=module', '-e', readFileSync(script, 'utf8')]]) {
      const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
      expect(child.stderr).toBe('');
      expect(child.stdout.trim()).toBe(ABC);
    }
  });

  it('get the Node options less those that name the main script, or inherit them all when none does', () => {
    expect(workerExecArgv(['--input-type', 'module', '--expose-gc', '-e', 'code', '--import', 'tsx'])).toEqual(['--expose-gc', '--import', 'tsx']);
    expect(workerExecArgv(['--input-type=module', '--eval=code', '--print', 'x', '-p', 'y', '--max-old-space-size=100'])).toEqual(['--max-old-space-size=100']);
    expect(workerExecArgv(['--expose-gc', '--import', 'tsx'])).toBeUndefined();
    expect(workerExecArgv([])).toBeUndefined();
  });
});

describe('a source module\'s compiled twin', () => {
  it('is the same path under dist/ with .js, for sources of the repository only', () => {
    const root = join('/', 'repo');
    const url = (path: string) => pathToFileURL(join(root, path)).href;
    expect(twinOf(root, url('src/engine/collect-worker.ts'))).toBe(url('dist/engine/collect-worker.js'));
    expect(twinOf(root, url('src/spawn-worker.ts'))).toBe(url('dist/spawn-worker.js'));
    // Already compiled, a declaration, outside src/, a user's module beside the repository.
    for (const path of ['dist/engine/a.js', 'src/domain.d.ts', 'test/a.ts', 'srcx/a.ts', '../elsewhere/src/a.ts']) expect(twinOf(root, url(path))).toBeUndefined();
    expect(twinOf(root, 'node:fs')).toBeUndefined();
  });
});
