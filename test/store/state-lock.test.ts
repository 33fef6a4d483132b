import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireStateLock, StateDirectoryBusyError, stateLockHolder } from '../../src/store/state-lock.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

function refusal(stateDir: string): StateDirectoryBusyError {
  try {
    acquireStateLock(stateDir).release();
  } catch (error) {
    return error as StateDirectoryBusyError;
  }
  throw new Error('the lock was granted twice');
}

describe('state directory lock', () => {
  it('is held by one owner at a time and names it to the next one', () => {
    const dir = tempDir();
    const lock = acquireStateLock(dir);
    lock.setRun('run-20260101-000000-abcd');
    const error = refusal(dir);
    expect(error).toBeInstanceOf(StateDirectoryBusyError);
    expect(error.code).toBe('state_dir_busy');
    expect(error.exitCode).toBe(2);
    expect(error.details).toMatchObject({ stateDir: dir, pid: process.pid, runId: 'run-20260101-000000-abcd' });
    expect(error.message).toMatch(/since \d{4}-\d\d-\d\dT/);
    expect(stateLockHolder(dir)).toMatchObject({ pid: process.pid, runId: 'run-20260101-000000-abcd' });
    // Nothing on disk but the lock file and the record: a holder killed now leaves no journal behind.
    expect(existsSync(join(dir, 'run.lock-journal'))).toBe(false);
    lock.release();
    expect(stateLockHolder(dir)).toBeUndefined();
    acquireStateLock(dir).release();
  });

  it('a record left by a holder that is gone does not hold the directory', () => {
    const dir = tempDir();
    acquireStateLock(dir).release();
    writeFileSync(join(dir, 'run.lock.json'), JSON.stringify({ pid: 2 ** 22 + 17, runId: 'run-dead', since: new Date(0).toISOString() }));
    expect(stateLockHolder(dir)).toBeUndefined();
    const lock = acquireStateLock(dir);
    expect(stateLockHolder(dir)).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('release is idempotent', () => {
    const dir = tempDir();
    const lock = acquireStateLock(dir);
    lock.release();
    lock.release();
    acquireStateLock(dir).release();
  });
});
