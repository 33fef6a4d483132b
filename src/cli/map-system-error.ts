import { SynthforgeError } from '../errors.js';

/** Error codes that mean the disk (or the user's quota on it) is full: Node's errno names and SQLite's. */
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/**
 * The coded error for a condition of the machine rather than of synthforge, found anywhere in an
 * error's cause chain, or undefined. A full disk can surface in any write (a stage file, a shard, the
 * SQLite store, a dataset version) and is not a bug: it gets its own code and message and exit 1.
 * Every file synthforge writes is renamed into place when complete and the store commits
 * transactionally, so running the command again after freeing space continues the run.
 */
export function mapSystemError(error: unknown): SynthforgeError | undefined {
  const full = findInCauses(error, (candidate) => DISK_FULL_CODES.has(String(candidate.code)));
  if (full === undefined) return undefined;
  const what =
    full.code === 'SQLITE_FULL'
      ? 'the state database cannot grow (SQLITE_FULL)'
      : `no space left on the device${typeof full.path === 'string' ? ` while writing ${full.path}` : ''}`;
  const message = `disk full: ${what}; free some space (or point --state/--out at another disk) and run the same command again: the run continues where it stopped`;
  return new SynthforgeError('disk_full', message, { exit: 'failed', cause: error, details: { errno: String(full.code) } });
}

interface SystemError {
  code?: unknown;
  path?: unknown;
}

function findInCauses(error: unknown, test: (candidate: SystemError) => boolean): SystemError | undefined {
  const seen = new Set<unknown>();
  for (let current = error; typeof current === 'object' && current !== null && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    if (test(current as SystemError)) return current as SystemError;
  }
  return undefined;
}
