// Request planning benchmark (requests rendered and sharded per second). For each size (in requests) and each n (samples per record), N/n seed records are written
// as JSONL, then a child process (planning-child.ts) loads them into the stage file and runs the real
// planRound: Jinja render → request key → store bookkeeping (RunStore in a temp state dir) → shard
// JSONL files through the step's provider's encodeRequest (--model=provider/model, default
// openai/gpt-4o-mini). The baseline, measured in its own child on
// the same stage file, only reads the records and writes one JSON.stringify line per request: the
// ratio is what our per-request work costs over that floor.
// Options: --sizes=100000,1000000 (requests), --full (100K and 1M), --n=1,3, --keep (leave the
// temp folder), --breakdown=N (records in the per-piece cost breakdown, default 20000),
// --in-process (no child processes: for the smoke test; RSS figures are then not per size),
// --json=PATH (also write every raw measurement there), --model=anthropic/claude-haiku-4-5 (another provider's
// wire lines).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasFlag, optionValue, saveJson, sizesOption } from './bench-args.js';
import { runMeasurement } from './bench-child.js';
import { formatCount, formatMiB, formatMicros, formatRatio, formatSeconds, printSummary, printTable } from './bench-table.js';
import { runPlanningChild, type PlanningChildResult } from './planning-child.js';
import { writeSeedFile } from './scale-recipe.js';

const DEFAULT_SIZES = [100_000];
const FULL_SIZES = [100_000, 1_000_000];

interface Row {
  size: number;
  n: number;
  ours: PlanningChildResult;
  floor: PlanningChildResult;
}

export async function run(args: string[]): Promise<void> {
  const sizes = sizesOption(args, DEFAULT_SIZES, FULL_SIZES);
  const samples = (optionValue(args, 'n') ?? '1,3').split(',').map(Number);
  const breakdown = optionValue(args, 'breakdown') ?? '20000';
  const model = optionValue(args, 'model');
  const inProcess = hasFlag(args, 'in-process');
  const root = mkdtempSync(join(tmpdir(), 'synthforge-bench-planning-'));
  console.log(`request planning (${model ?? 'openai/gpt-4o-mini'}): sizes ${sizes.map(formatCount).join(', ')} requests × n ∈ {${samples.join(', ')}}; ${cpus().length} CPUs; work folder ${root}`);
  const rows: Row[] = [];
  try {
    for (const size of sizes) {
      for (const n of samples) {
        const records = Math.ceil(size / n);
        const seeds = join(root, `seeds-${records}.jsonl`);
        await writeSeedFile(seeds, records);
        const work = join(root, `plan-${size}-n${n}`);
        mkdirSync(work);
        const measure = (childArgs: string[]): Promise<PlanningChildResult> => runMeasurement('planning-child.ts', childArgs, inProcess, runPlanningChild);
        const ours = await measure(['--mode=plan', `--dir=${work}`, `--seeds=${seeds}`, `--n=${n}`, `--breakdown=${breakdown}`, ...(model ? [`--model=${model}`] : [])]);
        const floor = await measure(['--mode=baseline', `--dir=${join(work, 'baseline')}`, `--stage=${ours.stagePath}`, `--n=${n}`]);
        rows.push({ size, n, ours, floor });
        if (!hasFlag(args, 'keep')) rmSync(work, { recursive: true, force: true });
        rmSync(seeds, { force: true });
      }
    }
  } finally {
    if (!hasFlag(args, 'keep')) rmSync(root, { recursive: true, force: true });
  }
  printResults(rows);
  saveJson(args, rows);
}

function printResults(rows: readonly Row[]): void {
  console.log('\nplanning (render → request key → store → shard JSONL), one child process per row; baseline = read records + JSON.stringify one line per request');
  printTable(
    ['requests', 'n', 'records', 'seconds', 'requests/s', 'CPU µs/req', 'baseline req/s', '× baseline time', 'peak RSS', 'shards', 'shard MB', 'store MB'],
    rows.map(({ size, n, ours, floor }) => {
      const plan = ours.stages[1]!;
      const base = floor.stages[0]!;
      return [
        formatCount(size),
        n,
        formatCount(ours.records),
        formatSeconds(plan.seconds),
        formatCount(plan.items / plan.seconds),
        formatMicros(plan.cpuSeconds, plan.items),
        formatCount(base.items / base.seconds),
        formatRatio(plan.seconds / base.seconds),
        formatMiB(plan.peakRssBytes),
        ours.shards,
        (ours.outputBytes / 1e6).toFixed(0),
        (ours.storeBytes / 1e6).toFixed(0),
      ];
    }),
  );
  console.log('\nmemory per row (peak RSS sampled during the stage; after-GC heap says what the stage left behind)');
  printTable(
    ['requests', 'n', 'start RSS', 'seed load peak', 'planRound peak', 'heap after plan (GC)', 'process maxRSS', 'baseline peak'],
    rows.map(({ size, n, ours, floor }) => [
      formatCount(size),
      n,
      formatMiB(ours.startRssBytes),
      formatMiB(ours.stages[0]!.peakRssBytes),
      formatMiB(ours.stages[1]!.peakRssBytes),
      formatMiB(ours.stages[1]!.heapAfterGcBytes),
      formatMiB(ours.stages[1]!.maxRssBytes),
      formatMiB(floor.stages[0]!.peakRssBytes),
    ]),
  );
  const seedRows = rows.map(({ size, n, ours }) => [formatCount(size), n, formatCount(ours.stages[0]!.items / ours.stages[0]!.seconds), formatMicros(ours.stages[0]!.cpuSeconds, ours.stages[0]!.items)]);
  console.log('\nseed loading (openSeeds JSONL → stage file, outside the planning figure)');
  printTable(['requests', 'n', 'records/s', 'CPU µs/record'], seedRows);
  const pieces = rows.flatMap(({ size, n, ours }) =>
    ours.breakdown ? Object.entries(ours.breakdown.microsPerRequest).map(([piece, micros]) => [formatCount(size), n, piece, micros.toFixed(1)]) : [],
  );
  if (pieces.length > 0) {
    console.log('\nwhere a request goes (CPU µs per request, measured piece by piece on the first records after the run; the rest of the planRound figure is store bookkeeping and shard writing)');
    printTable(['requests', 'n', 'piece', 'CPU µs/req'], pieces);
  }
  console.log('');
  for (const { size, n, ours, floor } of rows) {
    const plan = ours.stages[1]!;
    const base = floor.stages[0]!;
    printSummary('planning', {
      requests: size,
      n,
      req_per_s: plan.items / plan.seconds,
      cpu_us_per_req: (plan.cpuSeconds * 1e6) / Math.max(plan.items, 1),
      baseline_req_per_s: base.items / base.seconds,
      baseline_ratio: plan.seconds / base.seconds,
      peak_rss_mib: plan.peakRssBytes / 2 ** 20,
    });
  }
}
