import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { SynthforgeError } from '../../src/errors.js';
import { poolThreads } from '../../src/engine/pool-threads.js';

const NAMES = ['SYNTHFORGE_EMIT_THREADS', 'SYNTHFORGE_EMIT_WORKERS'] as const;
const saved = NAMES.map((name) => process.env[name]);

afterEach(() => {
  NAMES.forEach((name, index) => {
    if (saved[index] === undefined) delete process.env[name];
    else process.env[name] = saved[index];
  });
});

function threadsWith(threads: string | undefined, workers: string | undefined): ReturnType<typeof poolThreads> {
  for (const [name, value] of [[NAMES[0], threads], [NAMES[1], workers]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return poolThreads('EMIT', 1);
}

describe('pool thread counts', () => {
  it('counts threads beside the calling thread in *_THREADS (0: none), and wins over *_WORKERS', () => {
    expect(threadsWith('0', undefined)).toEqual({ threads: 0, explicit: true });
    expect(threadsWith('1', undefined)).toEqual({ threads: 1, explicit: true });
    expect(threadsWith('3', '1')).toEqual({ threads: 3, explicit: true });
  });

  it('reads the older *_WORKERS as before: 1 is the calling thread, N ≥ 2 is N threads, anything else the default', () => {
    expect(threadsWith(undefined, '1')).toEqual({ threads: 0, explicit: true });
    expect(threadsWith(undefined, '2')).toEqual({ threads: 2, explicit: true });
    expect(threadsWith(undefined, 'many').explicit).toBe(false);
    expect(threadsWith('', '0').explicit).toBe(false);
  });

  it('defaults to one thread per core but the calling thread’s, the measured count on two cores', () => {
    const cores = availableParallelism();
    expect(threadsWith(undefined, undefined)).toEqual({ threads: cores <= 2 ? Math.min(1, cores - 1) : Math.min(cores - 1, 8), explicit: false });
  });

  it('refuses a *_THREADS that is not a whole number of threads, naming the variable and what it expects', () => {
    for (const value of ['-1', '1.5', 'two']) {
      const error = (() => {
        try {
          threadsWith(value, undefined);
        } catch (caught) {
          return caught;
        }
        throw new Error('expected a refusal');
      })();
      expect(SynthforgeError.isInstance(error) && error.code).toBe('invalid_thread_count');
      expect((error as Error).message).toBe(`SYNTHFORGE_EMIT_THREADS=${value}: expected a whole number of threads beside the calling thread (0: none)`);
    }
  });
});
