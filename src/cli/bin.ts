#!/usr/bin/env node
/**
 * The `synthforge` executable: lets V8's heaps grow to 3× what survives a full collection before the
 * next one starts, then loads the command line (main.ts).
 *
 * While post-processing, the main thread's heap is small (≈ 20 MB) and most of what it allocates is
 * ArrayBuffers: file reads, and batches coming back from the worker threads. With V8's own limits it
 * starts marking again every 50–100 ms, each time freeing almost nothing (V8's trace: 17–18 MB live
 * against a 41 MB limit at every start). Measured on 2 cores with every stage on threads, as a many-core
 * machine runs it: the main thread's CPU per result line −10 to −20%, the process's −2 to −5% at 100K
 * lines, peak RSS within the run-to-run spread at 100K and at 1M (bench/README.md, "Tenth session").
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
