// Child process of planning.bench.ts: one measurement per process, so peak RSS is per size.
//   --mode=plan      seeds JSONL → stage file (openSeeds + writeRecords, as runRecipe loads seeds), then
//                    planRound: render → request key → store bookkeeping → shard JSONL files, with a
//                    real RunStore and the step's provider's encodeRequest (--model, default
//                    openai/gpt-4o-mini); then a per-request cost breakdown over the first --breakdown records.
//   --mode=baseline  the floor: read the same stage file and write one JSON.stringify line per request.
// Arguments: --mode, --dir (a fresh work folder), --seeds (JSONL), --n, [--stage (baseline input)],
// [--breakdown=N], [--model=provider/model].
import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { DataRecord } from '../src/domain.js';
import { compileRecipe, isBatchStep, type CompiledBatchStep } from '../src/engine/compile-recipe.js';
import { planRound } from '../src/engine/plan-round.js';
import { readRecords, writeRecords, newRunId, runDirectory, stagePath } from '../src/engine/stage-files.js';
import { renderRecordRequests } from '../src/engine/render-requests.js';
import { toSeedSpecs } from '../src/engine/seed-sources.js';
import { requestEstimator, type RequestEstimator } from '../src/engine/step-pricing.js';
import type { ProviderCapabilities } from '../src/providers/batch-provider.js';
import { DEFAULT_CAPABILITIES } from '../src/api/providers.js';
import { loadRecipeObject } from '../src/recipe/load-recipe.js';
import { openSeeds } from '../src/seeds/open-seeds.js';
import { RunStore } from '../src/store/run-store.js';
import { childOptions, folderBytes, isEntryPoint, reportResult, requiredOption } from './bench-child.js';
import { scaleRecipe } from './scale-recipe.js';
import { baselineRss, measureStage, type StageMeasure } from './stage-meter.js';

export interface PlanningChildResult {
  mode: 'plan' | 'baseline';
  records: number;
  requests: number;
  shards: number;
  outputBytes: number;
  storeBytes: number;
  stagePath: string;
  startRssBytes: number;
  stages: StageMeasure[];
  /** CPU µs per request of each piece of planning, over the first records (plan mode only). */
  breakdown?: { records: number; requests: number; microsPerRequest: Record<string, number> };
}

async function plan(options: Map<string, string>): Promise<PlanningChildResult> {
  const dir = requiredOption(options, 'dir');
  const n = Number(requiredOption(options, 'n'));
  const model = options.get('model');
  const loaded = loadRecipeObject(scaleRecipe({ seedsFile: requiredOption(options, 'seeds'), n, ...(model ? { model } : {}) }), dir);
  const compiled = await compileRecipe(loaded, DEFAULT_CAPABILITIES);
  const step = compiled.steps[0]!;
  if (!isBatchStep(step)) throw new Error('the bench recipe starts with a generate step');
  const stateDir = join(dir, 'state');
  const store = new RunStore(stateDir);
  const runId = newRunId();
  store.createRun({ id: runId, recipeName: loaded.recipe.name, recipePath: '(bench)', recipeHash: loaded.recipe.source.workHash, options: {} });
  const runDir = runDirectory(stateDir, runId);
  mkdirSync(runDir, { recursive: true });
  const stage = stagePath(runDir, 0);
  // No network: planning reads only the provider's capabilities (limits, encoding).
  const capabilities = step.capabilities;
  const estimator = await requestEstimator(step, compiled.recipe);
  const startRssBytes = await baselineRss();
  try {
    const seeds = await measureStage('seeds → stage file', () =>
      writeRecords(stage, openSeeds(toSeedSpecs(compiled.recipe), { baseDir: compiled.recipe.source.dir })),
    );
    let shards = 0;
    const planned = await measureStage('planRound', async () => {
      const result = await planRound({ runId, runDir, store, noCache: false, estimator }, step, stage, 0);
      shards = result.shards;
      return result.toSend;
    });
    const breakdownRecords = Number(options.get('breakdown') ?? '20000');
    const breakdown = await measureBreakdown(stage, step, capabilities, estimator, breakdownRecords);
    return {
      mode: 'plan',
      records: seeds.items,
      requests: planned.items,
      shards,
      outputBytes: folderBytes(join(runDir, 'shards')),
      storeBytes: folderBytes(stateDir, (name) => name.startsWith('synthforge.db')),
      stagePath: stage,
      startRssBytes,
      stages: [seeds, planned],
      breakdown,
    };
  } finally {
    store.close();
  }
}

/**
 * Where a request's planning time goes, measured piece by piece over the first `limit` records of
 * the stage file (after the main measurement, so the code is warm). What is left of the planRound
 * figure after these pieces is store bookkeeping and shard writing.
 */
async function measureBreakdown(
  stage: string,
  step: CompiledBatchStep,
  capabilities: ProviderCapabilities,
  estimator: RequestEstimator,
  limit: number,
): Promise<PlanningChildResult['breakdown']> {
  const records: DataRecord[] = [];
  for await (const record of readRecords(stage)) {
    records.push(record);
    if (records.length >= limit) break;
  }
  const cpu = (work: () => void): number => {
    const before = process.cpuUsage();
    work();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1e6;
  };
  let requests = 0;
  const rendered = records.flatMap((record) => [...renderRecordRequests(step, record)]);
  const renderSeconds = cpu(() => {
    for (const record of records) for (const _item of renderRecordRequests(step, record)) requests++;
  });
  const encodeSeconds = cpu(() => {
    for (const item of rendered) capabilities.encodeRequest(item.request);
  });
  const tokenSeconds = cpu(() => {
    for (const item of rendered) estimator.inputTokens(item.request);
  });
  const perRequest = (seconds: number): number => (requests === 0 ? 0 : (seconds * 1e6) / requests);
  return {
    records: records.length,
    requests,
    microsPerRequest: {
      'render + request key': perRequest(renderSeconds),
      'encodeRequest (wire line)': perRequest(encodeSeconds),
      'input token estimate': perRequest(tokenSeconds),
    },
  };
}

async function baseline(options: Map<string, string>): Promise<PlanningChildResult> {
  const dir = requiredOption(options, 'dir');
  const n = Number(requiredOption(options, 'n'));
  const stage = requiredOption(options, 'stage');
  mkdirSync(dir, { recursive: true });
  const outputPath = join(dir, 'baseline-requests.jsonl');
  let records = 0;
  const startRssBytes = await baselineRss();
  const written = await measureStage('read records, write one line per request', async () => {
    const output = createWriteStream(outputPath);
    let requests = 0;
    for await (const record of readRecords(stage)) {
      records++;
      for (let sample = 0; sample < n; sample++) {
        requests++;
        if (!output.write(`${JSON.stringify({ custom_id: `${record.id}-${sample}`, fields: record.fields })}\n`)) await once(output, 'drain');
      }
    }
    output.end();
    await once(output, 'finish');
    return requests;
  });
  return {
    mode: 'baseline',
    records,
    requests: written.items,
    shards: 1,
    outputBytes: statSync(outputPath).size,
    storeBytes: 0,
    stagePath: stage,
    startRssBytes,
    stages: [written],
  };
}

export function runPlanningChild(options: Map<string, string>): Promise<PlanningChildResult> {
  return requiredOption(options, 'mode') === 'plan' ? plan(options) : baseline(options);
}

if (isEntryPoint(import.meta.url)) reportResult(await runPlanningChild(childOptions(process.argv.slice(2))));
