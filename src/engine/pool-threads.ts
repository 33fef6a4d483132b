import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';

/** Threads at most: past this the calling thread (reading, writing the files, the books) is the limit. */
const MAX_THREADS = 8;

/** How many threads a pool runs beside the calling thread (0: none, the calling thread does it all), and whether the user chose. */
export interface PoolThreads {
  threads: number;
  explicit: boolean;
}

/**
 * The threads `SYNTHFORGE_<stage>_THREADS` asks for (0: none), else what the older
 * `SYNTHFORGE_<stage>_WORKERS` did (1: none, N ≥ 2: N; invalid values were ignored and still are),
 * else the default: one per core but the calling thread's, up to MAX_THREADS. On two cores the
 * default is `twoCores`, measured per stage (bench/README.md, pools): the one thread beside the
 * calling thread is then the other core.
 */
export function poolThreads(stage: 'COLLECT' | 'EMIT', twoCores: number): PoolThreads {
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
  const workers = Number(process.env[`SYNTHFORGE_${stage}_WORKERS`]);
  if (Number.isInteger(workers) && workers >= 1) return { threads: workers === 1 ? 0 : workers, explicit: true };
  const cores = availableParallelism();
  return { threads: cores <= 2 ? Math.min(twoCores, cores - 1) : Math.min(cores - 1, MAX_THREADS), explicit: false };
}
