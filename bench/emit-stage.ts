// The emit stage alone, on a folder a `postprocess-child.ts --mode=measure` run collected (its stage
// files and store are read, never changed), with emit thread counts (beside the calling thread; 0:
// none) tried in turn, interleaved:
//   node .bench-build/emit-stage.js --dir=/tmp/pp --threads=0,1 --repeat=3
// Each try writes <dir>/emit-t<N>.jsonl (the same bytes for every N, checked) and prints wall, CPU
// µs per sample (all threads), the main thread's CPU (/proc, 10 ms ticks) and its active time
// (eventLoopUtilization): the main thread's share is what bounds emit on many cores.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { emitSampleChunks } from '../src/engine/emit-samples.js';
import type { StepCounts } from '../src/engine/run-report.js';
import { stagePath, writeRecords } from '../src/engine/stage-files.js';
import { RunStore } from '../src/store/run-store.js';
import { childOptions, isEntryPoint, reportResult, requiredOption } from './bench-child.js';
import { mainThreadCpuSeconds } from './stage-meter.js';
import { compiled, readPrepared } from './postprocess-child.js';

interface EmitTry {
  threads: number;
  samples: number;
  seconds: number;
  cpuUsPerSample: number;
  mainCpuUsPerSample: number;
  mainActiveUsPerSample: number;
  sha256: string;
  counts: string;
}

async function main(): Promise<void> {
  const options = childOptions(process.argv.slice(2));
  const dir = requiredOption(options, 'dir');
  const threadCounts = (options.get('threads') ?? '0,1').split(',').map(Number);
  const repeat = Number(options.get('repeat') ?? 3);
  const prepared = readPrepared(dir);
  const { generate } = await compiled(prepared.seedsFile, dir);
  const store = new RunStore(prepared.stateDir);
  const tries: EmitTry[] = [];
  try {
    for (let round = 0; round < repeat; round++) {
      for (const threads of threadCounts) {
        const counts: StepCounts = { input: 0, output: 0 };
        const output = join(dir, `emit-t${threads}.jsonl`);
        const mainBefore = mainThreadCpuSeconds();
        const cpuBefore = process.cpuUsage();
        const loopBefore = performance.eventLoopUtilization();
        const started = performance.now();
        await writeRecords(output, emitSampleChunks({ runId: prepared.runId, store }, generate, stagePath(prepared.runDir, 0), counts, { threads, minRecords: 0 }));
        const seconds = (performance.now() - started) / 1000;
        const loop = performance.eventLoopUtilization(loopBefore);
        const cpu = process.cpuUsage(cpuBefore);
        const mainCpu = (mainThreadCpuSeconds() ?? 0) - (mainBefore ?? 0);
        const samples = counts.output;
        const result: EmitTry = {
          threads,
          samples,
          seconds,
          cpuUsPerSample: (cpu.user + cpu.system) / samples,
          mainCpuUsPerSample: (mainCpu * 1e6) / samples,
          mainActiveUsPerSample: (loop.active * 1e3) / samples,
          sha256: createHash('sha256').update(readFileSync(output)).digest('hex'),
          counts: createHash('sha256').update(JSON.stringify(counts)).digest('hex').slice(0, 16),
        };
        tries.push(result);
        console.log(JSON.stringify(result));
      }
    }
  } finally {
    store.close();
  }
  const identical = new Set(tries.map((one) => `${one.sha256} ${one.counts}`)).size === 1;
  reportResult({ mode: 'emit-stage', identical, tries });
}

if (isEntryPoint(import.meta.url)) await main();
