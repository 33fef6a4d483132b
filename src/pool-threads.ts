import { availableParallelism } from 'node:os';
import { UsageError } from './errors.js';

/** Threads at most: past this the calling thread (reading, writing the files, the books) is the limit. */
const MAX_THREADS = 8;

/** The stages with a pool of threads, each with its variable `SYNTHFORGE_<stage>_THREADS`. */
export type PoolStage = 'COLLECT' | 'EMIT' | 'WRITE';

/** How many threads a pool runs beside the calling thread (0: none, the calling thread does it all), and whether the user chose. */
export interface PoolThreads {
  threads: number;
  explicit: boolean;
}

/**
 * The threads `SYNTHFORGE_<stage>_THREADS` asks for (0: none), else one per core but the calling
 * thread's, up to MAX_THREADS, and none on two cores. Measured there on a quiet machine (bench/README.md,
 * "Lead re-measure, fifth session"): one thread beside the calling thread cost collect 1.45× and
 * emit 1.37× the CPU, and made neither stage shorter (emit 1.60 against 1.37 s): a thread's start and
 * warm-up are not paid back by one more core.
 */
export function poolThreads(stage: PoolStage): PoolThreads {
  const name = `SYNTHFORGE_${stage}_THREADS`;
  const threads = process.env[name];
  if (threads !== undefined && threads !== '') {
    const wanted = Number(threads);
    if (!Number.isInteger(wanted) || wanted < 0) {
      throw new UsageError('invalid_thread_count', `${name}=${threads}: expected a whole number of threads beside the calling thread (0: none)`, {
        details: { variable: name, value: threads },
      });
    }
    return { threads: wanted, explicit: true };
  }
  const cores = availableParallelism();
  return { threads: cores <= 2 ? 0 : Math.min(cores - 1, MAX_THREADS), explicit: false };
}
