// The dedup step as a run executes it (runDedupStep: read the stage file → dedupStream → kept lines
// and the rejects, every removed record kept), on a stage file an earlier postprocess measure left
// (`<dir>/state/runs/<run>/stage-01.jsonl`), with the CPU split between the calling thread and the
// rest (the sketch workers, plus V8's helper threads):
//   node --expose-gc --import tsx bench/dedup-stage.ts --input=STAGE --out=DIR [--workers=N] [--repeats=N] [--keep-removed=no]
// --out gets kept.jsonl and rejects.jsonl (for a `cmp` against another build on the same input).
// The rejects keep the removed records (`--keep-rejects`) unless --keep-removed=no, a run's default.
// --workers=N overrides the count runDedupStep picks (1: everything on the calling thread).
// The caller's share of the CPU bounds the speed-up N workers can give (Amdahl): 1 / share.
// Main-thread CPU comes from /proc/self/task/<pid>/stat (Linux, 10 ms ticks), as in dedup-scaling.ts.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { numberOption, optionValue } from './bench-args.js';
import { isEntryPoint } from './bench-child.js';
import { mainThreadCpuSeconds } from './stage-meter.js';
import { parseDedupSpec } from '../src/dedup/dedup-spec.js';
import { runDedupStep, sketchWorkers } from '../src/engine/dedup-step.js';
import { StepRejects } from '../src/engine/step-rejects.js';
import type { DedupStep } from '../src/recipe/recipe.js';

/** The bench recipe's dedup step (scale-recipe.ts): exact + near at 0.8 on `answer`. */
const STEP: DedupStep = { kind: 'dedup', name: 'dedup', index: 1, spec: parseDedupSpec({ fields: ['answer'], near: { threshold: 0.8 } }) };

function countLines(path: string): number {
  const bytes = readFileSync(path);
  let lines = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) lines++;
  return lines;
}

export interface DedupStageRun {
  workers: number;
  records: number;
  seconds: number;
  cpuMicrosPerRecord: number;
  callerMicrosPerRecord: number;
  /** The calling thread's share of the stage's CPU; 1 / share bounds the speed-up of any worker count. */
  callerShare: number;
}

async function runOnce(input: string, out: string, records: number, workers: number | undefined, keepRemoved: boolean): Promise<DedupStageRun> {
  (globalThis as { gc?: () => void }).gc?.();
  const rejects = new StepRejects(join(out, 'rejects.jsonl'), { keepRemoved });
  const options = { rejects, records, ...(workers === undefined ? {} : { workers }) };
  // Linux only (/proc), as every figure of this bench's callers.
  const mainBefore = mainThreadCpuSeconds() ?? Number.NaN;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const counts = await runDedupStep(STEP, input, join(out, 'kept.jsonl'), options);
  await rejects.commit();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const callerSeconds = (mainThreadCpuSeconds() ?? Number.NaN) - mainBefore;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    workers: workers ?? sketchWorkers(records),
    records: counts.input,
    seconds,
    cpuMicrosPerRecord: (cpuSeconds / counts.input) * 1e6,
    callerMicrosPerRecord: (callerSeconds / counts.input) * 1e6,
    callerShare: callerSeconds / cpuSeconds,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const input = optionValue(args, 'input');
  const out = optionValue(args, 'out');
  if (input === undefined || out === undefined) throw new Error('usage: dedup-stage.ts --input=STAGE_FILE --out=DIR [--workers=N] [--repeats=N] [--keep-removed=no]');
  const workersText = optionValue(args, 'workers');
  const workers = workersText === undefined ? undefined : Number(workersText);
  const repeats = numberOption(args, 'repeats', 1);
  const keepRemoved = optionValue(args, 'keep-removed') !== 'no';
  mkdirSync(out, { recursive: true });
  const records = countLines(input);
  for (let repeat = 0; repeat < repeats; repeat++) {
    const run = await runOnce(input, out, records, workers, keepRemoved);
    console.log(
      `summary dedup_stage workers=${run.workers} records=${run.records} seconds=${run.seconds.toFixed(2)} cpu_us=${run.cpuMicrosPerRecord.toFixed(1)} caller_us=${run.callerMicrosPerRecord.toFixed(1)} caller_share=${run.callerShare.toFixed(3)} amdahl_bound=${(1 / run.callerShare).toFixed(2)}`,
    );
  }
}

if (isEntryPoint(import.meta.url)) await main();
