/**
 * How far V8 lets a heap grow past what survived its last full collection before it starts the next:
 * 3× (the synthforge executable, cli/bin.ts, sets it; the benchmarks give their children the same).
 * Why, with the measurements, is in bin.ts.
 */
export const HEAP_GROWING_FLAG = '--heap-growing-percent=200';

/** The flag, unless SYNTHFORGE_HEAP_GROWING=default asks for V8's own factor. */
export function heapGrowingFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.SYNTHFORGE_HEAP_GROWING === 'default' ? [] : [HEAP_GROWING_FLAG];
}
