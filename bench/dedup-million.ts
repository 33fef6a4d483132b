// Child process of minhash.bench.ts --million: deduplicates a JSONL corpus ({"id","text"} per line)
// with dedupStream and prints one JSON line with the wall time and the peak RSS of this process
// (process.resourceUsage().maxRSS), so the figure holds only the deduper and the reading, not the
// corpus generation.
//   node --import tsx bench/dedup-million.ts FILE [--workers=2] [--limit=N] [--threshold=0.8] [--max-index-mb=N]
import { createReadStream } from 'node:fs';
import type { DedupStats } from '../src/dedup/deduper.js';
import { dedupStream } from '../src/dedup/dedup-stream.js';
import { parseDedupSpec } from '../src/dedup/dedup-spec.js';

export interface MillionResult {
  docs: number;
  kept: number;
  seconds: number;
  /** User + system CPU time of the process, every thread. */
  cpuSeconds: number;
  docsPerSecond: number;
  maxRssBytes: number;
  heapUsedBytes: number;
  workers: number;
  stats: DedupStats | undefined;
}

function option(args: readonly string[], name: string, fallback: number): number {
  const found = args.find((argument) => argument.startsWith(`--${name}=`));
  return found === undefined ? fallback : Number(found.slice(name.length + 3));
}

async function* readJsonl(path: string, limit: number): AsyncIterable<{ id: string; fields: { text: string } }> {
  let rest = '';
  let count = 0;
  for await (const piece of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + (piece as string)).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.length === 0) continue;
      const parsed = JSON.parse(line) as { id: string; text: string };
      yield { id: parsed.id, fields: { text: parsed.text } };
      if (++count >= limit) return;
    }
  }
  if (rest.length > 0 && count < limit) {
    const parsed = JSON.parse(rest) as { id: string; text: string };
    yield { id: parsed.id, fields: { text: parsed.text } };
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args.find((argument) => !argument.startsWith('--'));
  if (file === undefined) throw new Error('usage: dedup-million.ts FILE [--workers=2] [--limit=N]');
  const workers = option(args, 'workers', 2);
  const limit = option(args, 'limit', Number.POSITIVE_INFINITY);
  const maxIndexMb = option(args, 'max-index-mb', 0);
  const spec = parseDedupSpec({ fields: ['text'], near: { threshold: option(args, 'threshold', 0.8) }, ...(maxIndexMb > 0 ? { max_index_mb: maxIndexMb } : {}) });
  let stats: DedupStats | undefined;
  let docs = 0;
  let kept = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for await (const { verdict } of dedupStream(readJsonl(file, limit), spec, { workers, onStats: (value) => (stats = value) })) {
    docs++;
    if (verdict.keep) kept++;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const result: MillionResult = {
    docs,
    kept,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    docsPerSecond: docs / seconds,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: process.memoryUsage().heapUsed,
    workers,
    stats,
  };
  console.log(JSON.stringify(result));
}

await main();
