/**
 * What the built CLI loads before it does anything: faker's locales (≈ 0.25 s of a 0.5 s start) only
 * when a recipe samples seeds; the engine, the dataset writer, zod and YAML (≈ 0.4 s of a
 * 0.56 s `--help`) only for a command that runs them. Module loads are recorded by a resolve hook passed in NODE_OPTIONS.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.LOADED_MODULES_FILE, resolved.url + '\\n');
  return resolved;
}
`;

/** Runs the CLI with a hook that writes every module it resolves to a file; returns them with the result. */
async function loadedModules(args: string[], cwd: string): Promise<{ code: number | null; stderr: string; modules: string[] }> {
  const dir = tempDir();
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(hooks, HOOKS);
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const list = join(dir, 'loaded.txt');
  writeFileSync(list, '');
  const result = await runCli(args, { cwd, env: { NODE_OPTIONS: `--import=${pathToFileURL(register).href}`, LOADED_MODULES_FILE: list } });
  return { code: result.code, stderr: result.stderr, modules: readFileSync(list, 'utf8').split('\n').filter(Boolean) };
}

describe('the CLI at start-up', () => {
  it('loads no faker for --help, and loads it when a recipe samples people', async () => {
    const help = await loadedModules(['--help'], process.cwd());
    expect(help.code).toBe(0);
    // The hook saw the CLI's own modules: an empty list would prove nothing.
    expect(help.modules.some((url) => url.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(help.modules.filter((url) => url.includes('@faker-js'))).toEqual([]);
    const heavy = (modules: string[], pattern: RegExp) => modules.filter((url) => pattern.test(url));
    expect(heavy(help.modules, /\/dist\/(engine|dataset)\/|\/node_modules\/(zod|hyparquet-writer|hyparquet|yaml)\//)).toEqual([]);
    const status = await loadedModules(['status'], tempDir());
    expect(status.code).toBe(0);
    expect(status.modules.some((url) => url.endsWith('/dist/engine/run-control.js'))).toBe(true);
    expect(heavy(status.modules, /\/dist\/dataset\/|\/node_modules\/(zod|hyparquet-writer|hyparquet|yaml)\//)).toEqual([]);

    const project = tempDir();
    cpSync(join(process.cwd(), 'recipes'), join(project, 'recipes'), { recursive: true });
    const preview = await loadedModules(['preview', 'recipes/sampled-tickets.yaml', '--offline', '-n', '1'], project);
    expect(preview.stderr).toBe('');
    expect(preview.code).toBe(0);
    expect(preview.modules.some((url) => url.includes('/@faker-js/faker/'))).toBe(true);
  });
});
