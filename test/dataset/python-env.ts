/**
 * A Python with pyarrow and datasets for the interop test, created once and reused: a venv under
 * the temp dir, keyed by the Python version and the package list, marked `ready` only when the
 * packages import. Packages come from pip's own configuration: local wheel folders and file://
 * indexes when pip is configured with them (offline, no network), else pip's configured index with
 * short timeouts. A failed attempt is remembered for a day so a bare machine stays fast.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = ['pyarrow', 'datasets'];
const CHECK = 'import pyarrow, datasets; print(pyarrow.__version__, datasets.__version__)';
const INSTALL_TIMEOUT_MS = 8 * 60_000;
const LOCK_STALE_MS = 15 * 60_000;
const FAILURE_MEMORY_MS = 24 * 60 * 60_000;
/** Bump to rebuild every cached environment. */
const CACHE_VERSION = 1;

export type PythonEnv = { ok: true; python: string; versions: string } | { ok: false; reason: string };

export function preparePythonEnv(): PythonEnv {
  const system = run('python3', ['-c', 'import sys; print(sys.version.split()[0])']);
  if (system.status !== 0) return { ok: false, reason: 'python3 is not installed' };
  const pythonVersion = system.stdout.trim();

  // A Python that already has both packages needs no venv.
  const direct = run('python3', ['-c', CHECK]);
  if (direct.status === 0) return { ok: true, python: 'python3', versions: direct.stdout.trim() };

  const key = createHash('sha256').update(`${CACHE_VERSION} ${pythonVersion} ${PACKAGES.join(',')}`).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `synthforge-pyenv-${key}`);
  const python = join(dir, 'venv', 'bin', 'python');
  const ready = join(dir, 'ready');
  const failed = join(dir, 'failed');
  if (existsSync(ready)) return { ok: true, python, versions: readFileSync(ready, 'utf8').trim() };
  if (existsSync(failed) && Date.now() - statSync(failed).mtimeMs < FAILURE_MEMORY_MS) {
    return { ok: false, reason: `${readFileSync(failed, 'utf8').trim()} (remembered from an earlier attempt; delete ${dir} to retry)` };
  }

  const lock = `${dir}.lock`;
  if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
  try {
    mkdirSync(lock);
  } catch {
    return { ok: false, reason: `another process is building ${dir}` };
  }
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const outcome = build(dir, python);
    if (!outcome.ok) writeFileSync(failed, outcome.reason);
    else writeFileSync(ready, outcome.versions);
    return outcome;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function build(dir: string, python: string): PythonEnv {
  const venv = run('python3', ['-m', 'venv', join(dir, 'venv')]);
  if (venv.status !== 0) return { ok: false, reason: `python3 -m venv failed (Debian needs python3-venv): ${lastLine(venv.stderr)}` };
  const install = run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...pipSourceArgs(), ...PACKAGES], INSTALL_TIMEOUT_MS);
  if (install.status !== 0) return { ok: false, reason: `pip could not install ${PACKAGES.join(' ')}: ${lastLine(install.stderr) || 'timed out'}` };
  const check = run(python, ['-c', CHECK]);
  if (check.status !== 0) return { ok: false, reason: `installed, but the import failed: ${lastLine(check.stderr)}` };
  return { ok: true, python, versions: check.stdout.trim() };
}

/**
 * Local package sources from pip's configuration (`pip config list`: files and PIP_* variables).
 * With any local index, the configured remote ones are replaced, so nothing waits on a network.
 */
function pipSourceArgs(): string[] {
  const listed = run('python3', ['-m', 'pip', 'config', 'list']).stdout;
  const values = (name: string) =>
    [...listed.matchAll(new RegExp(`^[^\\n]*\\.${name}='([^']*)'`, 'gm'))].flatMap((match) => match[1]!.split(/\s+/)).filter(Boolean);
  const local = (location: string) => (location.startsWith('file:') ? existsSync(fileURLToPath(location)) : location.startsWith('/') && existsSync(location));
  const indexes = [...values('index-url'), ...values('extra-index-url')].filter(local);
  const links = values('find-links').filter(local);
  if (indexes.length) {
    return ['--index-url', indexes[0]!, ...indexes.slice(1).flatMap((url) => ['--extra-index-url', url]), ...links.flatMap((link) => ['--find-links', link])];
  }
  if (links.length) return ['--no-index', ...links.flatMap((link) => ['--find-links', link])];
  return ['--retries', '0', '--timeout', '20'];
}

function run(command: string, args: string[], timeout = 60_000): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout, env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' } });
  return { status: result.error ? null : result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter((line) => !line.startsWith('WARNING')).at(-1) ?? '';
}
