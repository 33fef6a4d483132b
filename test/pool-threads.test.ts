import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { SynthforgeError } from '../src/errors.js';
import { poolThreads } from '../src/pool-threads.js';

const NAME = 'SYNTHFORGE_EMIT_THREADS';
const saved = process.env[NAME];

afterEach(() => {
  if (saved === undefined) delete process.env[NAME];
  else process.env[NAME] = saved;
});

function threadsWith(threads: string | undefined): ReturnType<typeof poolThreads> {
  if (threads === undefined) delete process.env[NAME];
  else process.env[NAME] = threads;
  return poolThreads('EMIT');
}

describe('pool thread counts', () => {
  it('counts threads beside the calling thread in *_THREADS (0: none); empty is the default', () => {
    expect(threadsWith('0')).toEqual({ threads: 0, explicit: true });
    expect(threadsWith('1')).toEqual({ threads: 1, explicit: true });
    expect(threadsWith('3')).toEqual({ threads: 3, explicit: true });
    expect(threadsWith('').explicit).toBe(false);
  });

  it('defaults to one thread per core but the calling thread’s, 8 at most, and none on two cores', () => {
    const cores = availableParallelism();
    expect(threadsWith(undefined)).toEqual({ threads: cores <= 2 ? 0 : Math.min(cores - 1, 8), explicit: false });
  });

  it('refuses a *_THREADS that is not a whole number of threads, naming the variable and what it expects', () => {
    for (const value of ['-1', '1.5', 'two']) {
      const error = (() => {
        try {
          threadsWith(value);
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
