#!/usr/bin/env node
/**
 * The `synthforge` executable: lets V8's heaps grow to 3× what survives a full collection before the
 * next one starts, then loads the command line (main.ts).
 *
 * While post-processing, the main thread's heap is small (≈ 20 MB) and most of what it allocates is
 * ArrayBuffers: file reads, and batches coming back from the worker threads. With V8's own limits it
 * starts marking again as often as every 50–100 ms, each time freeing almost nothing (V8's trace:
 * 17–23 MB of old generation at every start, against a limit ≈ 24 MB above it). Measured on 2 cores,
 * pairs in the same run: at 1M result lines 9–15% less CPU and 11–13% less wall time, the same peak
 * RSS; at 100K 2–5% less CPU; with every stage on threads, as a many-core machine runs it, the main
 * thread's CPU per line −4 to −22% (bench/README.md, "Tenth session").
 *
 * `--heap-growing-percent` keeps V8's collector and its limits, only further apart: unlike turning
 * incremental marking off (tried and withdrawn: V8 then let the old generation outgrow its limit), a
 * heap that grows is still collected. The flag is read at every full collection, so setting it here
 * takes effect for this thread and every worker thread started later. SYNTHFORGE_HEAP_GROWING=default
 * keeps V8's own factor. A program that runs recipes through the library keeps whatever its own process
 * was started with (`node --heap-growing-percent=200 …` gives it the same).
 */
import { setFlagsFromString } from 'node:v8';
import { heapGrowingFlags } from './heap-growing.js';

for (const flag of heapGrowingFlags()) setFlagsFromString(flag);
await import('./main.js');
