// Post-processing benchmark (parse → validate → dedup → write of 1M emulated results; samples/s,
// against the goal that peak RSS at 1M stays ≤ 1.5× peak RSS at 100K, the dedup index aside).
// Per size, three child processes (postprocess-child.ts):
//   prepare   plans the requests for real and writes emulated OpenAI result files (not measured);
//   measure   collect (parse → validate → store), then emit → dedup (exact + near) → write JSONL + Parquet
//             overlapping as a run does it (each reads the one before while it is written), fed by a
//             fake provider (file-batch-provider.ts) that streams the result files through the OpenAI
//             adapter; `--sequential` runs emit, dedup and write one after another, each measured apart;
//   baseline  the I/O floor: read the same result lines and write them back out.
// Peak RSS is per stage (sampled) and per process (maxRSS). "Dedup index aside" is the largest of the
// other stages' peaks and the dedup stage's peak minus the index's typed arrays (DedupStats.indexBytes).
// Options: --sizes=20000,100000 (result lines), --full (100K and 1M), --keep, --in-process (no child
// processes: for the smoke test; peak RSS is then not per size), --json=PATH (raw measurements),
// --sequential (stage by stage, as runs were before steps overlapped).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasFlag, saveJson, sizesOption } from './bench-args.js';
import { runMeasurement } from './bench-child.js';
import { formatCount, formatMiB, formatMicros, formatRatio, formatSeconds, printSummary, printTable } from './bench-table.js';
import { runPostprocessChild, type BaselineResult, type MeasureResult, type PrepareResult } from './postprocess-child.js';

const DEFAULT_SIZES = [20_000, 100_000];
const FULL_SIZES = [100_000, 1_000_000];
/** Our memory goal: peak RSS at 1M ≤ 1.5× at 100K, the dedup index aside. */
const RSS_GOAL = 1.5;

interface SizeResult {
  size: number;
  prepare: PrepareResult;
  measure: MeasureResult;
  baseline: BaselineResult;
}

export async function run(args: string[]): Promise<void> {
  const sizes = sizesOption(args, DEFAULT_SIZES, FULL_SIZES);
  const inProcess = hasFlag(args, 'in-process');
  const root = mkdtempSync(join(tmpdir(), 'synthforge-bench-postprocess-'));
  console.log(`post-processing: ${sizes.map(formatCount).join(', ')} emulated result lines; one child process per size and mode; work folder ${root}`);
  const results: SizeResult[] = [];
  try {
    for (const size of sizes) {
      const dir = join(root, `size-${size}`);
      const child = <T>(mode: string, extra: string[] = []): Promise<T> =>
        runMeasurement('postprocess-child.ts', [`--mode=${mode}`, `--dir=${dir}`, ...extra], inProcess, runPostprocessChild) as Promise<T>;
      const prepare = await child<PrepareResult>('prepare', [`--records=${size}`]);
      const measure = await child<MeasureResult>('measure', hasFlag(args, 'sequential') ? ['--sequential'] : []);
      const baseline = await child<BaselineResult>('baseline');
      results.push({ size, prepare, measure, baseline });
      if (!hasFlag(args, 'keep')) rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    if (!hasFlag(args, 'keep')) rmSync(root, { recursive: true, force: true });
  }
  printResults(results);
  saveJson(args, results);
}

/** Peak RSS of the measure child with the dedup index's typed arrays taken out of the dedup stage. */
export function peakWithoutIndex(measure: MeasureResult): number {
  const indexBytes = measure.dedup?.indexBytes ?? 0;
  return Math.max(...measure.stages.map((stage) => (stage.name.includes('dedup') ? stage.peakRssBytes - indexBytes : stage.peakRssBytes)));
}

/**
 * The main thread's own CPU over the measured stages (Linux's per-thread counter), or undefined where
 * a stage could not read it. With a core for every pool thread this is what bounds post-processing.
 */
export function mainThreadSeconds(measure: MeasureResult): number | undefined {
  let total = 0;
  for (const stage of measure.stages) {
    if (stage.mainCpuSeconds === undefined) return undefined;
    total += stage.mainCpuSeconds;
  }
  return total;
}

function printResults(results: readonly SizeResult[]): void {
  console.log('\ninput (prepare child, not measured): result lines with planted faults and duplicates');
  printTable(
    ['lines', 'shards', 'valid', 'line errors', 'malformed JSON', 'schema-invalid', 'exact dup. planted', 'result MB', 'prepare s (plan + generate)'],
    results.map(({ size, prepare }) => {
      const { tally, shards } = prepare.prepared;
      return [
        formatCount(size),
        shards,
        formatCount(tally.valid),
        formatCount(tally.lineErrors),
        formatCount(tally.malformed),
        formatCount(tally.schemaInvalid),
        formatCount(tally.exactDuplicates),
        (tally.outputBytes / 1e6).toFixed(0),
        `${formatSeconds(prepare.planSeconds)} + ${formatSeconds(prepare.generateSeconds)}`,
      ];
    }),
  );

  console.log('\nstages (measure child; items/s counts what the stage consumed: result lines, samples, records, rows)');
  printTable(
    ['lines', 'stage', 'items', 'seconds', 'items/s', 'CPU µs/item', 'peak RSS', 'heap after (GC)', 'external after (GC)'],
    results.flatMap(({ size, measure }) =>
      measure.stages.map((stage) => [
        formatCount(size),
        stage.name,
        formatCount(stage.items),
        formatSeconds(stage.seconds),
        formatCount(stage.items / stage.seconds),
        formatMicros(stage.cpuSeconds, stage.items),
        formatMiB(stage.peakRssBytes),
        formatMiB(stage.heapAfterGcBytes),
        formatMiB(stage.externalAfterGcBytes),
      ]),
    ),
  );

  console.log('\nend to end (result lines / sum of stage seconds) against the I/O floor (read + write the same lines)');
  console.log('main thread: its own CPU, what bounds lines/s (10⁶ / µs) once every pool has a core of its own');
  printTable(
    ['lines', 'seconds', 'lines/s', 'CPU µs/line', 'main thread µs/line', 'rows written', 'floor lines/s', '× floor time', 'floor peak RSS'],
    results.map(({ size, measure, baseline }) => {
      const seconds = measure.stages.reduce((sum, stage) => sum + stage.seconds, 0);
      const cpu = measure.stages.reduce((sum, stage) => sum + stage.cpuSeconds, 0);
      const main = mainThreadSeconds(measure);
      const floor = baseline.stages[0]!;
      return [
        formatCount(size),
        formatSeconds(seconds),
        formatCount(measure.resultLines / seconds),
        formatMicros(cpu, measure.resultLines),
        main === undefined ? 'n/a' : formatMicros(main, measure.resultLines),
        formatCount(measure.counts.rows),
        formatCount(floor.items / floor.seconds),
        formatRatio(seconds / floor.seconds),
        formatMiB(floor.peakRssBytes),
      ];
    }),
  );

  console.log('\noutcomes');
  printTable(
    ['lines', 'valid', 'invalid by reason', 'exact dup.', 'near dup.', 'rows', 'splits', 'JSONL MB', 'Parquet MB', 'store MB', 'store MB / 1K', 'answer files MB'],
    results.map(({ size, measure }) => [
      formatCount(size),
      formatCount(measure.counts.valid),
      Object.entries(measure.counts.invalid).map(([reason, count]) => `${reason} ${formatCount(count)}`).join(', '),
      formatCount(measure.counts.exact),
      formatCount(measure.counts.near),
      formatCount(measure.counts.rows),
      Object.entries(measure.counts.splits).map(([split, count]) => `${split} ${formatCount(count)}`).join(', '),
      (measure.dataBytes.jsonl / 1e6).toFixed(0),
      (measure.dataBytes.parquet / 1e6).toFixed(0),
      (measure.storeBytes / 1e6).toFixed(0),
      (measure.storeBytes / 1e6 / (measure.resultLines / 1000)).toFixed(3),
      ((measure.shardFileBytes ?? 0) / 1e6).toFixed(0),
    ]),
  );

  console.log('\npeak RSS (goal: largest size ≤ 1.5× smallest, dedup index aside)');
  printTable(
    ['lines', 'start RSS', 'process maxRSS', 'dedup index (typed arrays)', 'peak, dedup index aside', 'largest stage without dedup'],
    results.map(({ size, measure }) => [
      formatCount(size),
      formatMiB(measure.startRssBytes),
      formatMiB(Math.max(...measure.stages.map((stage) => stage.maxRssBytes))),
      formatMiB(measure.dedup?.indexBytes ?? 0),
      formatMiB(peakWithoutIndex(measure)),
      formatMiB(Math.max(...measure.stages.filter((stage) => !stage.name.includes('dedup')).map((stage) => stage.peakRssBytes))),
    ]),
  );
  if (results.length >= 2) {
    const small = results[0]!;
    const large = results[results.length - 1]!;
    const ratio = peakWithoutIndex(large.measure) / peakWithoutIndex(small.measure);
    const processRatio = Math.max(...large.measure.stages.map((s) => s.maxRssBytes)) / Math.max(...small.measure.stages.map((s) => s.maxRssBytes));
    console.log(
      `peak RSS ${formatCount(large.size)} / ${formatCount(small.size)}: ${formatRatio(ratio)} dedup index aside (goal ≤ ${RSS_GOAL}×: ${ratio <= RSS_GOAL ? 'met' : 'NOT met'}), ${formatRatio(processRatio)} for the whole process`,
    );
  }  console.log('');
  for (const { size, measure, baseline } of results) {
    const seconds = measure.stages.reduce((sum, stage) => sum + stage.seconds, 0);
    const cpu = measure.stages.reduce((sum, stage) => sum + stage.cpuSeconds, 0);
    const floor = baseline.stages[0]!;
    const main = mainThreadSeconds(measure);
    printSummary('postprocess', {
      lines: size,
      lines_per_s: measure.resultLines / seconds,
      cpu_us_per_line: (cpu * 1e6) / Math.max(measure.resultLines, 1),
      ...(main === undefined ? {} : { main_us_per_line: (main * 1e6) / Math.max(measure.resultLines, 1) }),
      floor_lines_per_s: floor.items / floor.seconds,
      floor_ratio: seconds / floor.seconds,
      peak_rss_mib_index_aside: peakWithoutIndex(measure) / 2 ** 20,
      store_mb_per_1k: measure.storeBytes / 1e6 / (Math.max(measure.resultLines, 1) / 1000),
    });
  }
}
