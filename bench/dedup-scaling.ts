// How dedupStream scales with worker threads, and what the calling thread costs per document: the
// calling thread (reading, the ordered LSH decisions) is what caps the speed-up, so its CPU time per
// document is the figure to shrink. Not a `*.bench.ts` (the runner does not pick it up): run it as
//   node --import tsx bench/dedup-scaling.ts --docs=100k --workers=1,2 [--pairs=3] [--chunk=2048] [--from=lines]
// --from=lines: the documents as a stage file's lines (`{ id, fields: { text } }`), deduplicated as
// the dedup step runs them (dedupStageLines: the workers parse the lines); by default, records in memory
// through dedupStream.
// Each worker count N > 1 is timed back to back with a 1-thread run, `--pairs` times, and the speed-up
// is the median of those pairs' ratios (this machine's speed swings too much between runs for a ratio
// of separate medians). The caller's time is the main thread's own CPU time, read from Linux's
// per-thread counters (/proc/self/task/<pid>/stat, 10 ms ticks): Node 20 has no per-thread CPU clock,
// and the event loop's active time would also count the time the thread sat preempted by the
// workers on a machine with fewer cores than threads. Elsewhere it falls back to that active time.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberOption, optionValue } from './bench-args.js';
import { isEntryPoint } from './bench-child.js';
import { formatCount, formatRatio, printSummary, printTable } from './bench-table.js';
import { generateCorpus } from './synthetic-corpus.js';
import { dedupStageLines, dedupStream, type DedupStreamOptions } from '../src/dedup/dedup-stream.js';
import { parseDedupSpec, resolveDedupConfig, type DedupSpec } from '../src/dedup/dedup-spec.js';
import type { DedupVerdict } from '../src/dedup/deduper.js';
import { SketchPool } from '../src/dedup/sketch-pool.js';

type Record_ = { id: string; fields: { text: string } };

export interface ScalingRun {
  workers: number;
  docs: number;
  seconds: number;
  docsPerSecond: number;
  /** Main-thread CPU microseconds per document. */
  callerMicrosPerDoc: number;
  /** Process CPU (every thread) microseconds per document. */
  cpuMicrosPerDoc: number;
  /** sha256 of the verdicts in order: runs compare by it, so no run keeps a list per document. */
  verdictsDigest: string;
}

export interface ScalingCase {
  workers: number;
  docsPerSecond: number;
  singleDocsPerSecond: number;
  speedup: number;
  callerMicrosPerDoc: number;
  cpuMicrosPerDoc: number;
  identical: boolean;
}

async function* replay(records: readonly Record_[]): AsyncIterable<Record_> {
  for (const record of records) yield record;
}

function verdictWord(verdict: DedupVerdict): string {
  return verdict.keep ? 'keep' : `${verdict.reason}:${verdict.duplicateOf}:${'similarity' in verdict ? verdict.similarity : ''}`;
}

/** Where the documents come from: records in memory, or the lines of a stage file (`path`). */
type Source = { records: readonly Record_[]; path: string | undefined; docs: number };

async function* verdictsOf(source: Source, spec: DedupSpec, options: DedupStreamOptions): AsyncIterable<DedupVerdict> {
  if (source.path === undefined) {
    for await (const { verdict } of dedupStream(replay(source.records), spec, options)) yield verdict;
    return;
  }
  for await (const batch of dedupStageLines(source.path, spec, options)) {
    for (const verdict of batch.verdicts) {
      if (verdict === undefined) throw new Error('a corpus line failed to parse');
      yield verdict;
    }
  }
}

/** One timed pass; the pool (when workers > 1) is started beforehand, so start-up is not timed. */
async function timeRun(source: Source, spec: DedupSpec, workers: number, chunkSize: number): Promise<ScalingRun> {
  const pool = workers > 1 ? await SketchPool.create(resolveDedupConfig(spec), workers) : undefined;
  try {
    const verdicts = createHash('sha256');
    let docs = 0;
    const elu = performance.eventLoopUtilization();
    const callerBefore = mainThreadCpuMicros();
    const cpu = process.cpuUsage();
    const started = performance.now();
    // The record count up front, as the dedup step passes it, so the index is sized once.
    const options = pool === undefined ? { chunkSize, expectedRecords: source.docs } : { chunkSize, workers, pool, expectedRecords: source.docs };
    for await (const verdict of verdictsOf(source, spec, options)) {
      verdicts.update(`${verdictWord(verdict)}\n`);
      docs++;
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const callerAfter = mainThreadCpuMicros();
    const active = performance.eventLoopUtilization(elu).active;
    // /proc counts in clock ticks (10 ms): a pass shorter than one reads 0, and the event loop's
    // active time (sub-millisecond) stands in, as it does where /proc is missing.
    const ticked = callerBefore === undefined || callerAfter === undefined ? 0 : callerAfter - callerBefore;
    const callerMicros = ticked > 0 ? ticked : active * 1000;
    return {
      workers,
      docs,
      seconds,
      docsPerSecond: docs / seconds,
      callerMicrosPerDoc: callerMicros / docs,
      cpuMicrosPerDoc: (used.user + used.system) / docs,
      verdictsDigest: verdicts.digest('hex'),
    };
  } finally {
    await pool?.close();
  }
}

const ticksPerSecond = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The main thread's user + system CPU microseconds, or undefined where /proc has no per-thread figures. */
function mainThreadCpuMicros(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime field 14, stime field 15 (proc(5)).
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function measureScaling(docs: number, workerCounts: readonly number[], pairs: number, chunkSize: number, fromLines = false): Promise<ScalingCase[]> {
  const records: Record_[] = [];
  for (const document of generateCorpus({ documents: docs })) records.push({ id: document.id, fields: { text: document.text } });
  const directory = fromLines ? mkdtempSync(join(tmpdir(), 'synthforge-dedup-scaling-')) : undefined;
  const path = directory === undefined ? undefined : join(directory, 'stage.jsonl');
  if (path !== undefined) {
    writeFileSync(path, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
    // Read from the file, the corpus is not kept: the calling thread's heap is then as small as a
    // run's dedup step's, and its collections do not mark hundreds of MB of documents.
    records.length = 0;
  }
  try {
    return await measureCases({ records, path, docs }, workerCounts, pairs, chunkSize);
  } finally {
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  }
}

async function measureCases(records: Source, workerCounts: readonly number[], pairs: number, chunkSize: number): Promise<ScalingCase[]> {
  const spec = parseDedupSpec({ fields: ['text'], near: { threshold: 0.8 } });
  // Warm-up: the first pass pays for JIT compilation and the WebAssembly kernel.
  const reference = await timeRun(records, spec, 1, chunkSize);
  const cases: ScalingCase[] = [];
  for (const workers of workerCounts) {
    const singles: ScalingRun[] = [];
    const multis: ScalingRun[] = [];
    for (let pair = 0; pair < (workers === 1 ? 1 : pairs); pair++) {
      singles.push(await timeRun(records, spec, 1, chunkSize));
      if (workers > 1) multis.push(await timeRun(records, spec, workers, chunkSize));
    }
    const runs = workers === 1 ? singles : multis;
    const ratios = workers === 1 ? [1] : multis.map((run, index) => run.docsPerSecond / singles[index]!.docsPerSecond);
    cases.push({
      workers,
      docsPerSecond: median(runs.map((run) => run.docsPerSecond)),
      singleDocsPerSecond: median(singles.map((run) => run.docsPerSecond)),
      speedup: median(ratios),
      callerMicrosPerDoc: median(runs.map((run) => run.callerMicrosPerDoc)),
      cpuMicrosPerDoc: median(runs.map((run) => run.cpuMicrosPerDoc)),
      identical: [...singles, ...multis].every((run) => run.docs === reference.docs && run.verdictsDigest === reference.verdictsDigest),
    });
  }
  return cases;
}

export async function run(args: readonly string[]): Promise<void> {
  const docs = numberOption(args, 'docs', 100_000);
  const workerCounts = (optionValue(args, 'workers') ?? '1,2').split(',').filter(Boolean).map(Number);
  if (workerCounts.some((count) => !Number.isInteger(count) || count < 1)) throw new Error('--workers expects positive integers, e.g. --workers=1,2');
  const pairs = Math.max(1, numberOption(args, 'pairs', 3));
  const chunkSize = numberOption(args, 'chunk', 2048);
  const fromLines = optionValue(args, 'from') === 'lines';
  const cases = await measureScaling(docs, workerCounts, pairs, chunkSize, fromLines);
  console.log(`dedup scaling: ${formatCount(docs)} docs${fromLines ? ' read as stage lines' : ''}, chunks of ${chunkSize}, ${pairs} back-to-back pair(s) per worker count, ${availableParallelism()} cores`);
  printTable(
    ['workers', 'docs/s', '1-thread docs/s (same pairs)', 'speed-up (median of pairs)', 'caller µs/doc', 'process CPU µs/doc', 'verdicts = 1 thread'],
    cases.map((entry) => [
      String(entry.workers),
      formatCount(entry.docsPerSecond),
      formatCount(entry.singleDocsPerSecond),
      formatRatio(entry.speedup),
      entry.callerMicrosPerDoc.toFixed(2),
      entry.cpuMicrosPerDoc.toFixed(2),
      entry.identical ? 'yes' : 'NO',
    ]),
  );
  for (const entry of cases) {
    printSummary('dedup-scaling', {
      docs,
      from: fromLines ? 'lines' : 'records',
      workers: entry.workers,
      docs_per_s: entry.docsPerSecond,
      speedup: entry.speedup,
      caller_us_per_doc: entry.callerMicrosPerDoc,
      identical: entry.identical ? 'yes' : 'no',
    });
  }
  if (cases.some((entry) => !entry.identical)) process.exitCode = 1;
}

if (isEntryPoint(import.meta.url)) await run(process.argv.slice(2));
