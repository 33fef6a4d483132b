// Orchestration overhead benchmark: an offline run (runRecipe with the in-process emulator) with a
// known emulator timing. The emulator holds each batch in validating, in_progress and finalizing for
// the configured times; everything else the wall clock shows is overhead: loading and compiling the
// recipe, seeds, planning, upload and create, polling lag, the emulator's own work when it outlasts
// the configured phases, download and collection, emitting, dedup, writing the version.
//   overhead = wall − rounds × (validatingMs + inProgressMs + finalizingMs)
// The recipe is the scale recipe (generate n=1 → near-dup dedup → openai-chat JSONL + Parquet); one
// shard per round below 50,000 requests, max_attempts 1, so one round. A tiny warm-up run first keeps
// module loading and JIT warm-up out of the first row.
// Options: --sizes=2000,20000 (records), --full (2K, 20K, 100K), --timing=V,P,F (ms; default
// 500,2000,500, P raised to 0.75 ms per request when that is larger so the emulator's own answering
// fits inside in_progress), --keep, --no-warmup, --json=PATH (raw measurements).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRecipe } from '../src/api/run-recipe.js';
import type { RunEvent } from '../src/engine/run-events.js';
import type { RunSummary } from '../src/engine/run-report.js';
import { hasFlag, optionValue, saveJson, sizesOption } from './bench-args.js';
import { formatCount, formatRatio, formatSeconds, printSummary, printTable } from './bench-table.js';
import { scaleRecipe, writeSeedFile } from './scale-recipe.js';
import { loadRecipeObject } from '../src/recipe/load-recipe.js';

const DEFAULT_SIZES = [2_000, 20_000];
const FULL_SIZES = [2_000, 20_000, 100_000];

interface Timing {
  validatingMs: number;
  inProgressMs: number;
  finalizingMs: number;
}

interface TimedEvent {
  at: number;
  event: RunEvent;
}

export interface OrchestrationRow {
  records: number;
  requests: number;
  rounds: number;
  timing: Timing;
  wallMs: number;
  cpuMs: number;
  configuredMs: number;
  overheadMs: number;
  phases: Record<string, number>;
  summary: RunSummary;
}

function timingFor(requests: number, requested: string | undefined): Timing {
  if (requested !== undefined) {
    const [validatingMs, inProgressMs, finalizingMs] = requested.split(',').map(Number);
    if (![validatingMs, inProgressMs, finalizingMs].every((value) => Number.isFinite(value) && value! >= 0)) {
      throw new Error(`--timing expects V,P,F in milliseconds, got "${requested}"`);
    }
    return { validatingMs: validatingMs!, inProgressMs: inProgressMs!, finalizingMs: finalizingMs! };
  }
  return { validatingMs: 500, inProgressMs: Math.max(2000, Math.ceil(requests * 0.75)), finalizingMs: 500 };
}

export async function runOffline(root: string, records: number, timing: Timing): Promise<OrchestrationRow> {
  const dir = mkdtempSync(join(root, `run-${records}-`));
  const seedsFile = join(dir, 'seeds.jsonl');
  await writeSeedFile(seedsFile, records);
  const events: TimedEvent[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const summary = await runRecipe(loadRecipeObject(scaleRecipe({ seedsFile, n: 1, dedup: true, name: 'bench-orchestration' }), dir), {
    offline: true,
    emulator: { faults: { timing } },
    cwd: dir,
    onEvent: (event) => events.push({ at: performance.now(), event }),
  });
  const ended = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  if (summary.status !== 'completed') throw new Error(`offline run ended ${summary.status}: ${summary.error?.message ?? ''}`);
  const rounds = events.filter(({ event }) => event.type === 'plan').length;
  const configuredMs = rounds * (timing.validatingMs + timing.inProgressMs + timing.finalizingMs);
  const wallMs = ended - started;
  return {
    records,
    requests: summary.samples.requested,
    rounds,
    timing,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    configuredMs,
    overheadMs: wallMs - configuredMs,
    phases: phasesOf(events, started, ended, timing),
    summary,
  };
}

/**
 * Wall time between consecutive milestones of the run. With one shard per round and one round
 * (this benchmark's recipe), the phases follow each other without overlap and add up to the wall time.
 */
function phasesOf(events: readonly TimedEvent[], started: number, ended: number, timing: Timing): Record<string, number> {
  const first = (predicate: (event: RunEvent) => boolean): number | undefined => events.find(({ event }) => predicate(event))?.at;
  const last = (predicate: (event: RunEvent) => boolean): number | undefined => [...events].reverse().find(({ event }) => predicate(event))?.at;
  const seeds = first((event) => event.type === 'seeds-loaded');
  const planned = last((event) => event.type === 'plan');
  const submitted = last((event) => event.type === 'shard-submit');
  const batchEnded = last((event) => event.type === 'shard-end');
  const collected = last((event) => event.type === 'shard-collect');
  const generated = first((event) => event.type === 'step-end' && event.index === 0);
  const deduplicated = first((event) => event.type === 'step-end' && event.index === 1);
  const written = first((event) => event.type === 'version-written');
  const milestones: [string, number | undefined][] = [
    ['load, compile, start emulator, seeds', seeds],
    ['plan (render, keys, store, shards)', planned],
    ['submit (upload + create)', submitted],
    ['batch lifetime beyond configured (poll lag, emulator work)', batchEnded],
    ['collect (download, parse, validate, store)', collected],
    ['emit samples', generated],
    ['dedup step', deduplicated],
    ['write version', written],
    ['summary, close', ended],
  ];
  const phases: Record<string, number> = {};
  let previous = started;
  for (const [name, at] of milestones) {
    if (at === undefined) continue;
    const span = at - previous;
    phases[name] = name.startsWith('batch lifetime') ? span - (timing.validatingMs + timing.inProgressMs + timing.finalizingMs) : span;
    previous = at;
  }
  return phases;
}

export async function run(args: string[]): Promise<void> {
  const sizes = sizesOption(args, DEFAULT_SIZES, FULL_SIZES);
  const requestedTiming = optionValue(args, 'timing');
  const root = mkdtempSync(join(tmpdir(), 'synthforge-bench-orchestration-'));
  console.log(`orchestration overhead: offline runs of ${sizes.map(formatCount).join(', ')} records (n = 1, one round), in this process`);
  const rows: OrchestrationRow[] = [];
  try {
    if (!hasFlag(args, 'no-warmup')) await runOffline(root, 20, { validatingMs: 0, inProgressMs: 0, finalizingMs: 0 });
    for (const records of sizes) rows.push(await runOffline(root, records, timingFor(records, requestedTiming)));
  } finally {
    if (!hasFlag(args, 'keep')) rmSync(root, { recursive: true, force: true });
  }
  console.log('\noverhead = wall − rounds × (validating + in_progress + finalizing); CPU is this process, emulator included');
  printTable(
    ['records', 'requests', 'timing V/P/F ms', 'configured s', 'wall s', 'overhead s', 'overhead ms/req', 'overhead / configured', 'CPU s', 'rows'],
    rows.map((row) => [
      formatCount(row.records),
      formatCount(row.requests),
      `${row.timing.validatingMs}/${row.timing.inProgressMs}/${row.timing.finalizingMs}`,
      formatSeconds(row.configuredMs / 1000),
      formatSeconds(row.wallMs / 1000),
      formatSeconds(row.overheadMs / 1000),
      (row.overheadMs / row.requests).toFixed(3),
      formatRatio(row.overheadMs / row.configuredMs),
      formatSeconds(row.cpuMs / 1000),
      formatCount(row.summary.output?.rows ?? 0),
    ]),
  );
  console.log('\nwhere the overhead goes (wall seconds between milestones; the batch row is its lifetime minus the configured phases)');
  const names = [...new Set(rows.flatMap((row) => Object.keys(row.phases)))];
  printTable(
    ['phase', ...rows.map((row) => `${formatCount(row.records)} records`)],
    names.map((name) => [name, ...rows.map((row) => (row.phases[name] === undefined ? '–' : formatSeconds(row.phases[name]! / 1000)))]),
  );
  console.log('');
  for (const row of rows) {
    printSummary('orchestration', {
      records: row.records,
      requests: row.requests,
      wall_s: row.wallMs / 1000,
      overhead_s: row.overheadMs / 1000,
      overhead_ms_per_req: row.overheadMs / row.requests,
      overhead_ratio: row.overheadMs / row.configuredMs,
      cpu_s: row.cpuMs / 1000,
    });
  }
  saveJson(args, rows);
}
