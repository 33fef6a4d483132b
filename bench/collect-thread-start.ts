// What a collect thread (src/engine/collect-worker.ts) costs to start: a pool of one thread is
// started, judges one result line, and is closed, `--rounds` times one after another. Prints the
// time to the first reply and the process CPU (all threads) per start, and what two warm threads
// add to the process's RSS. Runs against a compiled dist/ (`--dist`, default this checkout's), so
// two builds compare on one machine in one sitting. Run it compiled (bench/compile-bench.ts): under
// tsx every thread would register tsx's loader too, a cost no user pays:
//   npm run build && node .bench-build/collect-thread-start.js [--dist=/other/checkout/dist] [--rounds=10]
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { ANSWER_SCHEMA } from './scale-recipe.js';

const args = new Map(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]));
const dist = resolve(args.get('dist') ?? 'dist');
const rounds = Number(args.get('rounds') ?? 10);

const load = (path: string): Promise<Record<string, unknown>> => import(pathToFileURL(`${dist}/${path}`).href);
const { CollectPool } = (await load('engine/collect-pool.js')) as { CollectPool: new (size: number, data: unknown) => Pool };
const { customIdOf } = (await load('engine/shard-files.js')) as { customIdOf(shard: string, line: number): string };
const { OPENAI_RESULT_DECODER } = (await load('providers/openai/openai-result-decoder.js')) as { OPENAI_RESULT_DECODER: string };

interface Pool {
  judge(shardId: string, lines: number, bytes: Uint8Array<ArrayBuffer>): Promise<{ lines: Int32Array }>;
  close(): Promise<void>;
}

const data = { decoder: { module: OPENAI_RESULT_DECODER }, schemaName: 'answer', jsonSchema: ANSWER_SCHEMA, mode: 'native' };
const SHARD = 'bench-shard';

function resultLines(count: number): Uint8Array<ArrayBuffer> {
  const lines: string[] = [];
  for (let line = 0; line < count; line++) {
    const content = JSON.stringify({ answer: `A patient answer number ${line}, long enough for its minimum length.`, confidence: 1 + (line % 5), topics: ['battery'] });
    const body = {
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 40, completion_tokens: 30, total_tokens: 70, prompt_tokens_details: { cached_tokens: 0 } },
    };
    lines.push(JSON.stringify({ id: `batch_req_${line}`, custom_id: customIdOf(SHARD, line), response: { status_code: 200, request_id: `r${line}`, body }, error: null }));
  }
  return new TextEncoder().encode(`${lines.join('\n')}\n`) as Uint8Array<ArrayBuffer>;
}

const startMs: number[] = [];
const startCpuMs: number[] = [];
for (let round = 0; round < rounds; round++) {
  const cpu = process.cpuUsage();
  const began = performance.now();
  const pool = new CollectPool(1, data);
  const judged = await pool.judge(SHARD, 1, resultLines(1));
  if (judged.lines[0] !== 0) throw new Error('the line was not judged as the shard’s');
  startMs.push(performance.now() - began);
  const used = process.cpuUsage(cpu);
  startCpuMs.push((used.user + used.system) / 1000);
  await pool.close();
}

// Two threads, warm after judging 20K lines between them: what they hold.
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
const pool = new CollectPool(2, data);
await Promise.all(Array.from({ length: 20 }, () => pool.judge(SHARD, 1000 * 20, resultLines(1000))));
const rssTwo = process.memoryUsage().rss - rssBefore;
await pool.close();

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`collect thread start (${dist}, ${rounds} rounds): first reply median ${median(startMs).toFixed(1)} ms, CPU median ${median(startCpuMs).toFixed(1)} ms; 2 warm threads +${(rssTwo / 2 ** 20).toFixed(0)} MiB RSS`);
console.log(`BENCH-RESULT ${JSON.stringify({ firstReplyMs: median(startMs), startCpuMs: median(startCpuMs), twoThreadsRssMiB: rssTwo / 2 ** 20 })}`);
