// Collect of Anthropic or Gemini results on collect's threads against the calling thread alone: the
// main thread's busy time and the process CPU (all threads) per result line, with
// SYNTHFORGE_COLLECT_THREADS=0 and =N interleaved over fresh prepared folders (collecting mutates one).
//   node --import tsx bench/vendor-collect.ts [--provider=anthropic|gemini] [--records=60000] [--rounds=3] [--threads=2] [--dir=/tmp/vendor-collect]
// Children (compiled against dist/ unless SYNTHFORGE_BENCH_TSX=1, as bench-child.ts runs them):
//   --mode=prepare  seeds → planRound (the vendor's own encoding) → every shard submitted to
//                   VendorFileProvider, whose submit writes the shard's results in the vendor's format:
//                   the post-processing bench's emulated answers (emulated-results.ts) rewritten as
//                   Anthropic result lines or Gemini responses-file lines. Not measured.
//   --mode=measure  collect every shard (driveShard), as a run does once its batches have ended.
// The provider reads the results file from disk in place of the adapter's download, with the
// adapter's own decoder module, so what differs from a real run is the HTTP transfer only.
import { createReadStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { textLinesOf, wholeLineChunks } from '../src/dataset/line-chunks.js';
import { DEFAULT_CAPABILITIES } from '../src/api/providers.js';
import { compileRecipe, isBatchStep, type CompiledBatchStep, type CompiledRecipe } from '../src/engine/compile-recipe.js';
import { driveShard, type DriveContext } from '../src/engine/shard-lifecycle.js';
import { usagePricer } from '../src/engine/step-pricing.js';
import { ANTHROPIC_CAPABILITIES } from '../src/providers/anthropic/anthropic-capabilities.js';
import * as anthropicDecoder from '../src/providers/anthropic/anthropic-result-decoder.js';
import type { BatchHandle, BatchItemResult, BatchProvider, BatchStatus, ShardSubmission } from '../src/providers/batch-provider.js';
import { GEMINI_CAPABILITIES } from '../src/providers/gemini/gemini-capabilities.js';
import * as geminiDecoder from '../src/providers/gemini/gemini-result-decoder.js';
import { loadRecipeObject } from '../src/recipe/load-recipe.js';
import { RunStore } from '../src/store/run-store.js';
import { childOptions, isEntryPoint, reportResult, requiredOption, runBenchChild } from './bench-child.js';
import { DEFAULT_RESULT_FAULTS, EmulatedResultWriter } from './emulated-results.js';
import { scaleRecipe, writeSeedFile } from './scale-recipe.js';
import { measureStage, type StageMeasure } from './stage-meter.js';
import { plannedRun } from './planned-run.js';

type Vendor = 'anthropic' | 'gemini';

const VENDORS = {
  anthropic: { model: 'anthropic/claude-haiku-4-5', capabilities: ANTHROPIC_CAPABILITIES, decoder: anthropicDecoder, module: anthropicDecoder.ANTHROPIC_RESULT_DECODER, idField: 'custom_id' },
  gemini: { model: 'gemini/gemini-2.5-flash', capabilities: GEMINI_CAPABILITIES, decoder: geminiDecoder, module: geminiDecoder.GEMINI_RESULT_DECODER, idField: 'key' },
} as const;

interface OpenAILine {
  custom_id: string;
  response: { status_code: number; body: { error?: { message: string }; choices?: { message: { content: string } }[]; usage?: { prompt_tokens: number; completion_tokens: number } } };
}

/** One emulated OpenAI result line as the vendor would have returned it. */
export function vendorLine(vendor: Vendor, text: string, index: number): string {
  const line = JSON.parse(text) as OpenAILine;
  const id = line.custom_id;
  const { body } = line.response;
  if (line.response.status_code >= 400) {
    const message = body.error?.message ?? 'error';
    return vendor === 'anthropic'
      ? JSON.stringify({ custom_id: id, result: { type: 'errored', error: { type: 'error', error: { type: 'api_error', message } } } })
      : JSON.stringify({ key: id, error: { code: 13, message, status: 'INTERNAL' } });
  }
  const content = body.choices![0]!.message.content;
  const usage = body.usage!;
  if (vendor === 'anthropic') {
    const message = {
      id: `msg_${index.toString(16).padStart(24, '0')}`, type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001', content: [{ type: 'text', text: content }],
      stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
    return JSON.stringify({ custom_id: id, result: { type: 'succeeded', message } });
  }
  const response = {
    candidates: [{ content: { parts: [{ text: content }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: usage.prompt_tokens, candidatesTokenCount: usage.completion_tokens, totalTokenCount: usage.prompt_tokens + usage.completion_tokens },
    modelVersion: 'gemini-2.5-flash', responseId: `r${index.toString(16)}`,
  };
  return JSON.stringify({ key: id, response });
}

/** A vendor adapter's result half over a results file on disk; submit writes that file (see the header). */
class VendorFileProvider implements BatchProvider {
  readonly id: Vendor;
  readonly capabilities;
  readonly resultDecoder;
  private submitted = 0;
  private lines = 0;

  constructor(
    private readonly vendor: Vendor,
    private readonly resultsDir: string,
    private readonly writer?: EmulatedResultWriter,
  ) {
    this.id = vendor;
    this.capabilities = VENDORS[vendor].capabilities;
    this.resultDecoder = { module: VENDORS[vendor].module };
  }

  async submit(shard: ShardSubmission): Promise<BatchHandle> {
    const batchId = `batch_bench${String(this.submitted++).padStart(6, '0')}`;
    const base = join(this.resultsDir, batchId);
    // The writer reads OpenAI's `custom_id` from each shard line.
    const ids = readFileSync(shard.inputPath, 'utf8').split('\n').filter(Boolean).map((text) => (JSON.parse(text) as Record<string, string>)[VENDORS[this.vendor].idField]!);
    writeFileSync(`${base}.ids.jsonl`, ids.map((id) => `${JSON.stringify({ custom_id: id })}\n`).join(''));
    await this.writer!.writeShard(`${base}.ids.jsonl`, batchId, base);
    const openai = [`${base}.output.jsonl`, `${base}.errors.jsonl`].flatMap((path) => readFileSync(path, 'utf8').split('\n').filter(Boolean));
    writeFileSync(`${base}.results.jsonl`, openai.map((text) => `${vendorLine(this.vendor, text, this.lines++)}\n`).join(''));
    for (const suffix of ['ids', 'output', 'errors']) rmSync(`${base}.${suffix}.jsonl`);
    return { version: 1, provider: this.vendor, model: shard.model, batchId };
  }

  poll(): Promise<BatchStatus> {
    return Promise.resolve({ state: 'ended', rawStatus: 'ended' });
  }

  cancel(): Promise<BatchStatus> {
    return this.poll();
  }

  async *results(handle: BatchHandle): AsyncIterable<BatchItemResult> {
    for await (const chunk of this.resultChunks(handle)) {
      for (const line of textLinesOf(chunk)) {
        const result = VENDORS[this.vendor].decoder.decodeResultLine(line);
        if (result) yield result;
      }
    }
  }

  resultChunks(handle: BatchHandle): AsyncIterable<Uint8Array> {
    return wholeLineChunks(createReadStream(join(this.resultsDir, `${handle.batchId}.results.jsonl`), { highWaterMark: 1 << 20 }));
  }
}

interface Prepared {
  vendor: Vendor;
  runId: string;
  stateDir: string;
  resultsDir: string;
  seedsFile: string;
}

async function compiled(vendor: Vendor, seedsFile: string, dir: string): Promise<{ recipe: CompiledRecipe; generate: CompiledBatchStep }> {
  const recipe = await compileRecipe(loadRecipeObject(scaleRecipe({ seedsFile, n: 1, name: 'bench-vendor-collect', model: VENDORS[vendor].model }), dir), DEFAULT_CAPABILITIES);
  const generate = recipe.steps[0];
  if (!generate || !isBatchStep(generate)) throw new Error('the bench recipe starts with a generate step');
  return { recipe, generate };
}

function driveContext(runId: string, store: RunStore, provider: BatchProvider, recipe: CompiledRecipe, emit: DriveContext['emit']): DriveContext {
  return { runId, store, provider, emit, pollIntervalMs: { initial: 25, max: 250 }, maxCallRetries: 0, isCancelled: () => false, priceUsage: usagePricer(recipe) };
}

export async function prepare(options: Map<string, string>): Promise<{ records: number }> {
  const dir = requiredOption(options, 'dir');
  const vendor = requiredOption(options, 'provider') as Vendor;
  const records = Number(requiredOption(options, 'records'));
  mkdirSync(dir, { recursive: true });
  const seedsFile = join(dir, 'seeds.jsonl');
  await writeSeedFile(seedsFile, records);
  const { recipe, generate } = await compiled(vendor, seedsFile, dir);
  const stateDir = join(dir, 'state');
  const resultsDir = join(dir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const store = new RunStore(stateDir);
  const provider = new VendorFileProvider(vendor, resultsDir, new EmulatedResultWriter(DEFAULT_RESULT_FAULTS, records));
  try {
    const { runId } = await plannedRun(store, recipe, generate);
    const context = driveContext(runId, store, provider, recipe, () => {});
    for (const shard of store.shardsOfStep(runId, generate.step.index)) await driveShard(context, generate, shard.id, { until: 'ended' });
    const prepared: Prepared = { vendor, runId, stateDir, resultsDir, seedsFile };
    writeFileSync(join(dir, 'prepared.json'), JSON.stringify(prepared));
    return { records };
  } finally {
    store.close();
  }
}

export async function measure(options: Map<string, string>): Promise<StageMeasure> {
  const dir = requiredOption(options, 'dir');
  process.env.SYNTHFORGE_COLLECT_THREADS = requiredOption(options, 'threads');
  const prepared = JSON.parse(readFileSync(join(dir, 'prepared.json'), 'utf8')) as Prepared;
  const { recipe, generate } = await compiled(prepared.vendor, prepared.seedsFile, dir);
  const store = new RunStore(prepared.stateDir);
  let lines = 0;
  const context = driveContext(prepared.runId, store, new VendorFileProvider(prepared.vendor, prepared.resultsDir), recipe, (event) => {
    if (event.type === 'shard-collect') lines += event.results;
  });
  try {
    return await measureStage('collect', async () => {
      for (const shard of store.shardsOfStep(prepared.runId, generate.step.index)) await driveShard(context, generate, shard.id);
      return lines;
    });
  } finally {
    store.close();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Prepares a fresh folder per measurement and measures 0 and N threads interleaved, the order swapped each round. */
function compare(options: Map<string, string>): void {
  const vendor = (options.get('provider') ?? 'anthropic') as Vendor;
  const records = options.get('records') ?? '60000';
  const rounds = Number(options.get('rounds') ?? 3);
  const threads = options.get('threads') ?? '2';
  const root = options.get('dir') ?? '/tmp/vendor-collect';
  const figures: Record<string, { cpu: number[]; main: number[]; mainCpu: number[]; wall: number[] }> = {};
  for (let round = 0; round < rounds; round++) {
    for (const count of round % 2 === 0 ? ['0', threads] : [threads, '0']) {
      const dir = join(root, `${vendor}-${round}-${count}`);
      rmSync(dir, { recursive: true, force: true });
      runBenchChild('vendor-collect.ts', ['--mode=prepare', `--dir=${dir}`, `--provider=${vendor}`, `--records=${records}`]);
      const stage = runBenchChild<StageMeasure>('vendor-collect.ts', ['--mode=measure', `--dir=${dir}`, `--threads=${count}`]);
      rmSync(dir, { recursive: true, force: true });
      const perLine = (seconds: number): number => (seconds * 1e6) / stage.items;
      const entry = (figures[count] ??= { cpu: [], main: [], mainCpu: [], wall: [] });
      entry.cpu.push(perLine(stage.cpuSeconds));
      entry.main.push(perLine(stage.mainActiveSeconds));
      entry.mainCpu.push(perLine(stage.mainCpuSeconds ?? Number.NaN));
      entry.wall.push(stage.seconds);
      console.log(`round ${round + 1} threads=${count}: ${stage.items} lines, wall ${stage.seconds.toFixed(2)} s, CPU ${perLine(stage.cpuSeconds).toFixed(1)} µs/line (all threads), main active ${perLine(stage.mainActiveSeconds).toFixed(1)} µs/line, main CPU ${perLine(stage.mainCpuSeconds ?? Number.NaN).toFixed(1)} µs/line`);
    }
  }
  const off = figures['0']!;
  const on = figures[threads]!;
  console.log(
    `summary vendorcollect provider=${vendor} lines=${records} rounds=${rounds} threads=${threads} ` +
      `cpu_us_per_line_0=${median(off.cpu).toFixed(1)} cpu_us_per_line_on=${median(on.cpu).toFixed(1)} ` +
      `main_active_us_per_line_0=${median(off.main).toFixed(1)} main_active_us_per_line_on=${median(on.main).toFixed(1)} ` +
      `main_cpu_us_per_line_0=${median(off.mainCpu).toFixed(1)} main_cpu_us_per_line_on=${median(on.mainCpu).toFixed(1)} ` +
      `main_active_ratio=${(median(on.main) / median(off.main)).toFixed(2)} cpu_ratio=${(median(on.cpu) / median(off.cpu)).toFixed(2)}`,
  );
}

if (isEntryPoint(import.meta.url)) {
  const options = childOptions(process.argv.slice(2));
  const mode = options.get('mode');
  if (mode === 'prepare') reportResult(await prepare(options));
  else if (mode === 'measure') reportResult(await measure(options));
  else compare(options);
}
