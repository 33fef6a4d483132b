/**
 * The on-disk layout of versions: `<outputs>/<dataset>/v<N>/`. A version is built in a staging
 * directory beside them (`.staging-<pid>-<random>`, invisible to `listVersions`) and renamed into
 * place, so a reader sees a whole version or none. rename(2) never replaces a non-empty directory,
 * which is what keeps two writers racing for the same number from overwriting each other.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { SynthforgeError, UsageError } from '../errors.js';

const VERSION_NAME = /^v([1-9]\d*)$/;
const STAGING_NAME = /^\.staging-(\d+)-[0-9a-f]+$/;
const DATASET_NAME = /^[a-z0-9][a-z0-9-]*$/;
const MAX_PUBLISH_ATTEMPTS = 100;

export function versionTag(number: number): string {
  return `v${number}`;
}

export function versionNumberOf(name: string): number | undefined {
  const match = VERSION_NAME.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Output paths stay inside the output root whatever a recipe says. */
export function safeJoin(root: string, ...segments: string[]): string {
  const path = join(root, ...segments);
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new UsageError('output_path_escape', `refusing to write outside the output root: ${segments.join('/')}`);
  }
  return path;
}

export function datasetDirOf(outputsRoot: string, dataset: string): string {
  if (!DATASET_NAME.test(dataset)) {
    throw new UsageError('dataset_name_invalid', `"${dataset}" is not a dataset name (lowercase letters, digits and '-')`, { details: { dataset } });
  }
  return safeJoin(outputsRoot, dataset);
}

/** Version numbers present, ascending; [] when the dataset folder does not exist. */
export async function versionNumbers(datasetDir: string): Promise<number[]> {
  const entries = await readdir(datasetDir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => versionNumberOf(entry.name))
    .filter((number): number is number => number !== undefined)
    .sort((a, b) => a - b);
}

export async function latestVersionNumber(datasetDir: string): Promise<number> {
  return (await versionNumbers(datasetDir)).at(-1) ?? 0;
}

export async function createStagingDir(datasetDir: string): Promise<string> {
  await mkdir(datasetDir, { recursive: true });
  await removeAbandonedStagingDirs(datasetDir);
  const dir = join(datasetDir, `.staging-${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(join(dir, 'data'), { recursive: true });
  return dir;
}

/** Staging folders of processes that died mid-write (kill -9, power loss): nobody will finish them. */
export async function removeAbandonedStagingDirs(datasetDir: string): Promise<void> {
  for (const entry of await readdir(datasetDir).catch(() => [] as string[])) {
    const match = STAGING_NAME.exec(entry);
    if (match && !processAlive(Number(match[1]))) await rm(join(datasetDir, entry), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Renames the staging folder to the first free `v<N>` from `number` on. `prepare(n)` writes what
 * names the version (manifest, card) and runs again if another writer took `n` first.
 */
export async function publishVersion(stagingDir: string, datasetDir: string, number: number, prepare: (number: number) => Promise<void>): Promise<number> {
  for (let attempt = 0; attempt < MAX_PUBLISH_ATTEMPTS; attempt++, number++) {
    await prepare(number);
    try {
      await rename(stagingDir, join(datasetDir, versionTag(number)));
      return number;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
  }
  // Only other writers publishing a hundred versions in a row get here; running again succeeds.
  throw new SynthforgeError('version_publish_conflict', `could not publish a version in ${datasetDir} after ${MAX_PUBLISH_ATTEMPTS} attempts: other writers kept taking the next number; run the command again`, {
    details: { datasetDir, attempts: MAX_PUBLISH_ATTEMPTS },
  });
}

/** Read-only files: a published version is never modified, and this makes an accident loud. */
export async function makeFilesReadOnly(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    // Dirent.parentPath arrived in Node 20.12; `path` is its older name.
    if (entry.isFile()) await chmod(join(entry.parentPath ?? entry.path, entry.name), 0o444);
  }
}
