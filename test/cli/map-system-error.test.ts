import { describe, expect, it } from 'vitest';
import { mapSystemError } from '../../src/cli/map-system-error.js';
import { EXIT_CODES, SynthforgeError } from '../../src/errors.js';

function errnoError(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

/** better-sqlite3's SqliteError: a plain Error subclass whose code is the SQLite result code. */
class SqliteError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'SqliteError';
  }
}

describe('mapSystemError', () => {
  it('turns ENOSPC into a coded disk_full error naming the path, exit 1', () => {
    const cause = errnoError('ENOSPC', "ENOSPC: no space left on device, write '/data/state/runs/r/stage-00.jsonl.partial'", {
      syscall: 'write',
      path: '/data/state/runs/r/stage-00.jsonl.partial',
    });
    const mapped = mapSystemError(cause);
    expect(SynthforgeError.isInstance(mapped)).toBe(true);
    expect(mapped).toMatchObject({ code: 'disk_full', exitCode: EXIT_CODES.failed, cause });
    expect(mapped!.message).toBe(
      'disk full: no space left on the device while writing /data/state/runs/r/stage-00.jsonl.partial; free some space (or point --state/--out at another disk) and run the same command again: the run continues where it stopped',
    );
  });

  it('turns a disk quota error and SQLITE_FULL into the same error', () => {
    expect(mapSystemError(errnoError('EDQUOT', 'EDQUOT: disk quota exceeded, write'))).toMatchObject({ code: 'disk_full' });
    const sqlite = mapSystemError(new SqliteError('database or disk is full', 'SQLITE_FULL'));
    expect(sqlite).toMatchObject({ code: 'disk_full', exitCode: EXIT_CODES.failed });
    expect(sqlite!.message).toMatch(/^disk full: the state database cannot grow \(SQLITE_FULL\); free some space/);
  });

  it('finds the disk error behind a wrapping error', () => {
    const wrapped = new Error('writing the dataset failed', { cause: errnoError('ENOSPC', 'ENOSPC: no space left on device') });
    expect(mapSystemError(wrapped)).toMatchObject({ code: 'disk_full' });
  });

  it('leaves other errors alone', () => {
    expect(mapSystemError(new TypeError('x is not a function'))).toBeUndefined();
    expect(mapSystemError(errnoError('EACCES', 'EACCES: permission denied'))).toBeUndefined();
    expect(mapSystemError('a string')).toBeUndefined();
    expect(mapSystemError(undefined)).toBeUndefined();
  });
});
