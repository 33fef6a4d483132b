/**
 * One run at a time per state directory. Two runs sharing a store and its stage files trip over
 * each other (`database is locked`, a stage file renamed away under the other), so a run holds the
 * directory for as long as it works on it and a second one is refused at once, told who holds it.
 *
 * The lock is an operating-system file lock, not a pid file: SQLite's write lock on `run.lock` (an
 * empty database nothing is ever written to), held by a transaction that stays open. The kernel
 * drops it when the holder exits in any way (kill -9 included), so a dead holder never blocks
 * anyone and two processes racing to take over a stale lock cannot both win, which a pid file
 * cannot promise. SQLite is already loaded for the store; Node has no flock of its own.
 *
 * Who holds it is written beside it, in `run.lock.json`, by the holder only: pid, run id, since
 * when. The record of a holder that died stays until the next holder rewrites it; it is trusted only
 * while the lock itself is held.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';

const LOCK_FILE = 'run.lock';
const HOLDER_FILE = 'run.lock.json';
/**
 * How long taking the lock waits for it. A holder keeps it for the whole run, so waiting longer
 * only delays the refusal; the wait covers a `status` probing it for a moment (see stateLockHolder).
 */
const ACQUIRE_WAIT_MS = 500;

export interface StateLockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  /** Set once the holder has opened or created its run. */
  runId?: string;
}

/** The state directory is held by another live process: retry when it ends, or use another `--state`. */
export class StateDirectoryBusyError extends UsageError {
  constructor(stateDir: string, holder: StateLockHolder | undefined) {
    const who = holder
      ? `synthforge process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`} (${holder.runId ? `run ${holder.runId}, ` : ''}since ${holder.since})`
      : 'another synthforge process (starting up)';
    super(
      'state_dir_busy',
      `state directory ${stateDir} is in use by ${who}. One run at a time per state directory: wait for it to end ` +
        '(`synthforge status` shows its progress, `synthforge cancel <run-id>` stops it), or start this one with another --state.',
      { details: { stateDir, ...(holder ? { pid: holder.pid, host: holder.host, since: holder.since, ...(holder.runId ? { runId: holder.runId } : {}) } : {}) } },
    );
    this.name = 'StateDirectoryBusyError';
  }
}

export interface StateLock {
  /** Records the run the holder works on, for whoever is refused next. */
  setRun(runId: string): void;
  /** Lets the directory go; safe to call twice. */
  release(): void;
}

/** Takes the state directory (creating it), or throws StateDirectoryBusyError naming the holder. */
export function acquireStateLock(stateDir: string): StateLock {
  mkdirSync(stateDir, { recursive: true });
  const db = new Database(join(stateDir, LOCK_FILE), { timeout: ACQUIRE_WAIT_MS });
  try {
    keepJournalInMemory(db);
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    db.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') throw new StateDirectoryBusyError(stateDir, readHolder(stateDir));
    throw error;
  }
  const holder: StateLockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  writeHolder(stateDir, holder);
  let held = true;
  return {
    setRun(runId) {
      if (held) writeHolder(stateDir, { ...holder, runId });
    },
    release() {
      if (!held) return;
      held = false;
      // Removed while still held: once the lock is free, the next holder's record may already be there.
      rmSync(join(stateDir, HOLDER_FILE), { force: true });
      db.close();
    },
  };
}

/**
 * Who holds the state directory now; undefined when nobody does, whatever record a dead holder left.
 * Finding out means trying the lock for an instant, which is why acquireStateLock waits a little.
 */
export function stateLockHolder(stateDir: string): StateLockHolder | undefined {
  return isStateLocked(stateDir) ? readHolder(stateDir) : undefined;
}

function isStateLocked(stateDir: string): boolean {
  let db: Database.Database;
  try {
    db = new Database(join(stateDir, LOCK_FILE), { timeout: 0, fileMustExist: true });
  } catch {
    // No lock file: no run has ever held this directory.
    return false;
  }
  try {
    keepJournalInMemory(db);
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return false;
  } catch (error) {
    // Anything else (a read-only copy of a state directory) means no process can be writing there.
    return (error as { code?: unknown }).code === 'SQLITE_BUSY';
  } finally {
    db.close();
  }
}

/**
 * A write transaction on the empty lock file prepares a first page in memory, which with the default
 * journal mode creates `run.lock-journal` on disk, left behind by a holder that is killed. Nothing
 * is ever written to the lock file, so its journal can live in memory.
 */
function keepJournalInMemory(db: Database.Database): void {
  db.pragma('journal_mode = MEMORY');
}

function writeHolder(stateDir: string, holder: StateLockHolder): void {
  // Written whole and renamed into place, so a reader never sees half a record.
  const temporary = join(stateDir, `${HOLDER_FILE}.${process.pid}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(holder)}\n`);
  renameSync(temporary, join(stateDir, HOLDER_FILE));
}

function readHolder(stateDir: string): StateLockHolder | undefined {
  try {
    const value = JSON.parse(readFileSync(join(stateDir, HOLDER_FILE), 'utf8')) as Partial<StateLockHolder>;
    if (typeof value.pid !== 'number' || typeof value.since !== 'string') return undefined;
    return { pid: value.pid, host: typeof value.host === 'string' ? value.host : '', since: value.since, ...(typeof value.runId === 'string' ? { runId: value.runId } : {}) };
  } catch {
    return undefined;
  }
}
