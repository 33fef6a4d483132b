// The knob lives in layer 0 (src/pool-threads.ts) so that the dataset's write pool reads it too.
export { poolThreads, type PoolStage, type PoolThreads } from '../pool-threads.js';
