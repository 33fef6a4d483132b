#!/usr/bin/env node
/**
 * The `synthforge` executable: chooses how V8 collects garbage, then loads the command line (main.ts).
 *
 * Incremental marking is off unless SYNTHFORGE_INCREMENTAL_MARKING=1. While post-processing, the main
 * thread's heap is small (≈ 20 MB), and V8 then starts marking again right after nearly every full
 * collection: a collection every 70–100 ms that frees almost nothing. Without incremental marking V8
 * collects when the heap reaches its limit or external memory grows. Measured on 2 cores: 10–16% less
 * CPU and wall time at 1M result lines, 3–5% more lines/s at 100K, the dedup caller's time per
 * document −10 to −25%, for 18–36 MiB more peak RSS (bench/README.md, "Ninth session").
 *
 * The flag is set here, before main.ts and its modules are loaded, so that no marking is under way
 * when it changes. V8 flags are process-wide: worker threads follow it too. A program that runs
 * recipes through the library keeps whatever flags its own process was started with.
 */
import { setFlagsFromString } from 'node:v8';

if (process.env.SYNTHFORGE_INCREMENTAL_MARKING !== '1') setFlagsFromString('--no-incremental-marking');
await import('./main.js');
