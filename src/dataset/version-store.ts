/**
 * The on-disk layout of versions: `<outputs>/<dataset>/v<N>/`. A version is built in a staging
 * directory beside them (`.staging-<pid>-<random>`, invisible to `listVersions`) and renamed into
 * place, so a reader sees a whole version or none. rename(2) never replaces a non-empty directory,
 * which is what keeps two writers racing for the same number from overwriting each other.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, lstat, mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
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

/**
 * Everything that can be known about where a version will be written, checked before a run sends
 * anything (and again right before publishing): a run that cannot publish must not be paid for.
 * The output root exists as a writable directory or can be created; the dataset folder, if there,
 * is a writable directory whose real path (links resolved) stays inside the root's real path; and
 * each `v<N>` in it is a real directory, since publishing renames a folder onto the next free name
 * and reads the latest version's manifest. A root that is itself a link to a directory is fine.
 */
export async function checkOutputRoot(outputsRoot: string, dataset: string): Promise<void> {
  const rootStat = await stat(outputsRoot).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (!rootStat) return checkCreatable(outputsRoot);
  if (!rootStat.isDirectory()) throw outputRootError(`output root ${outputsRoot} is ${describeNonDirectory(rootStat)}, not a directory; point --out at a directory`, outputsRoot);
  await requireWritable(outputsRoot, `output root ${outputsRoot}`);

  const datasetDir = datasetDirOf(outputsRoot, dataset);
  const link = await lstat(datasetDir).catch(() => undefined);
  if (!link) return;
  if (link.isSymbolicLink()) {
    const target = await realpath(datasetDir).catch(() => undefined);
    if (target === undefined) throw outputRootError(`${datasetDir} is a symbolic link to nothing; remove it or point --out elsewhere`, datasetDir);
    const root = await realpath(outputsRoot);
    const inside = relative(root, target);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
      throw outputRootError(`${datasetDir} leads to ${target}, outside the output root ${outputsRoot}; versions are written inside the output root only: remove the link or point --out at ${dirname(target)}`, datasetDir);
    }
  }
  const datasetStat = await stat(datasetDir);
  if (!datasetStat.isDirectory()) throw outputRootError(`${datasetDir} is ${describeNonDirectory(datasetStat)}, not a directory; the dataset "${dataset}" needs a folder there`, datasetDir);
  await requireWritable(datasetDir, datasetDir);
  for (const entry of await readdir(datasetDir, { withFileTypes: true })) {
    if (versionNumberOf(entry.name) === undefined || entry.isDirectory()) continue;
    const path = join(datasetDir, entry.name);
    const what = entry.isSymbolicLink() ? 'a symbolic link' : 'not a directory';
    throw outputRootError(`${path} is ${what}; a version folder must be a real directory (versions are immutable folders written in place): move it away or point --out elsewhere`, path);
  }
}

/** An output root that does not exist yet: its nearest existing ancestor must be a writable directory. */
async function checkCreatable(outputsRoot: string): Promise<void> {
  let ancestor = dirname(outputsRoot);
  for (;;) {
    const found = await stat(ancestor).catch(() => undefined);
    if (found) {
      if (!found.isDirectory()) throw outputRootError(`cannot create output root ${outputsRoot}: ${ancestor} is ${describeNonDirectory(found)}`, outputsRoot);
      return requireWritable(ancestor, `cannot create output root ${outputsRoot}: ${ancestor}`);
    }
    const parent = dirname(ancestor);
    if (parent === ancestor) return;
    ancestor = parent;
  }
}

async function requireWritable(dir: string, subject: string): Promise<void> {
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw outputRootError(`${subject} is not writable by this user`, dir);
  }
}

function describeNonDirectory(found: { isFile(): boolean }): string {
  return found.isFile() ? 'a file' : 'a special file';
}

function outputRootError(message: string, path: string): UsageError {
  return new UsageError('output_root_invalid', message, { details: { path } });
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
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      continue;
    }
    // Only once published: the retries above still write into staging, and renaming a read-only folder is refused.
    await makeFoldersReadOnly(join(datasetDir, versionTag(number)));
    return number;
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

/**
 * Read-only folders (0555): with read-only files alone a file could still be removed or added in a
 * published version. Whoever owns it can still delete it, after a `chmod -R u+w`.
 */
export async function makeFoldersReadOnly(dir: string): Promise<void> {
  const folders = (await readdir(dir, { withFileTypes: true, recursive: true })).filter((entry) => entry.isDirectory());
  for (const entry of folders) await chmod(join(entry.parentPath ?? entry.path, entry.name), 0o555);
  await chmod(dir, 0o555);
}
