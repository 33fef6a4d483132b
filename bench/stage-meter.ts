// Time, CPU and memory of one stage of a benchmark child process. Memory is measured three ways,
// because each answers a different question:
//   - peakRssBytes: the highest RSS sampled while the stage ran (every SAMPLE_MS, and at both ends):
//     the stage's own peak, which process-wide maxRSS cannot give once an earlier stage peaked higher;
//   - maxRssBytes: process.resourceUsage().maxRSS after the stage (the kernel's high-water mark);
//   - heapAfterGcBytes / rssAfterGcBytes: after a full GC at the end of the stage, what it left
//     behind. A figure here that grows with the dataset is a leak.
// Children run with --expose-gc; without it the GC steps are skipped and the after-GC figures are
// just the current ones.

import { readFileSync } from 'node:fs';

const SAMPLE_MS = 20;

export interface StageMeasure {
  name: string;
  /** What the stage processed (lines, samples, requests). */
  items: number;
  seconds: number;
  /** User + system CPU of the whole process (every thread) during the stage. */
  cpuSeconds: number;
  /** Time the main thread's event loop was not idle (eventLoopUtilization): the share no worker takes over. */
  mainActiveSeconds: number;
  /** The main thread's own CPU (Linux: /proc, 10 ms ticks; absent elsewhere): active time less the waits for a core. */
  mainCpuSeconds?: number;
  peakRssBytes: number;
  maxRssBytes: number;
  heapAfterGcBytes: number;
  rssAfterGcBytes: number;
  /** Memory outside the JS heap after GC, ArrayBuffers included (the dedup index's typed arrays live here). */
  externalAfterGcBytes: number;
  /**
   * process.memoryUsage() at the sample that saw peakRssBytes: tells the JS heap (heapUsed) from
   * buffers (arrayBuffers, external) and what neither counts (wasm memories, worker heaps, native).
   */
  atPeak?: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
}

const collect = (globalThis as { gc?: () => void }).gc;
/** V8 frees ArrayBuffer backing stores on a background task after the GC that found them dead. */
const RELEASE_WAIT_MS = 200;

/** A full GC, a pause for the freed ArrayBuffers to be released, and another GC. */
export async function fullGc(): Promise<void> {
  if (!collect) return;
  collect();
  await new Promise((resolve) => setTimeout(resolve, RELEASE_WAIT_MS));
  collect();
}

export async function measureStage(name: string, work: () => Promise<number>): Promise<StageMeasure> {
  await fullGc();
  let peak = process.memoryUsage.rss();
  let atPeak: StageMeasure['atPeak'];
  const sample = (): void => {
    const rss = process.memoryUsage.rss();
    if (rss < peak && atPeak !== undefined) return;
    peak = rss;
    const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    atPeak = { rss, heapUsed, heapTotal, external, arrayBuffers };
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  const cpuBefore = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  const mainBefore = mainThreadCpuSeconds();
  const started = performance.now();
  let items: number;
  try {
    items = await work();
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const loop = performance.eventLoopUtilization(loopBefore);
  const mainAfter = mainThreadCpuSeconds();
  sample();
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  await fullGc();
  const after = process.memoryUsage();
  return {
    name,
    items,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    mainActiveSeconds: loop.active / 1000,
    ...(mainBefore !== undefined && mainAfter !== undefined ? { mainCpuSeconds: mainAfter - mainBefore } : {}),
    peakRssBytes: peak,
    maxRssBytes,
    heapAfterGcBytes: after.heapUsed,
    rssAfterGcBytes: after.rss,
    externalAfterGcBytes: after.external,
    ...(atPeak === undefined ? {} : { atPeak }),
  };
}

/** The RSS of this process right now, after a GC: the floor the stages start from. */
export async function baselineRss(): Promise<number> {
  await fullGc();
  return process.memoryUsage.rss();
}

/** CPU seconds of the process's main thread so far, where /proc has them. */
export function mainThreadCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
