// The benchmark runner: runs every bench/*.bench.ts, or only those whose file name contains one of
// the bare-word filters. Arguments starting with "-" are passed to every selected benchmark.
//   npm run bench                      all benchmarks
//   npm run bench -- minhash           bench/minhash.bench.ts only
//   npm run bench -- minhash --million also its opt-in 1M-document case
// A benchmark file exports `async function run(args: string[]): Promise<void>` and prints its own
// table; the runner adds a header, the machine line and the elapsed time.
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchModule {
  run(args: string[]): Promise<void>;
}

const directory = dirname(fileURLToPath(import.meta.url));

export function selectBenchFiles(files: readonly string[], filters: readonly string[]): string[] {
  const benches = files.filter((file) => file.endsWith('.bench.ts')).sort();
  return filters.length === 0 ? benches : benches.filter((file) => filters.some((filter) => file.includes(filter)));
}

/** Bare words are filters, except a number (or list of numbers) that is the value of the option before it. */
export function splitArguments(argv: readonly string[]): { filters: string[]; passed: string[] } {
  const filters: string[] = [];
  const passed: string[] = [];
  for (const [index, argument] of argv.entries()) {
    const previous = index > 0 ? argv[index - 1]! : '';
    const isOptionValue = previous.startsWith('-') && !previous.includes('=') && /^[\d][\d_.,kKmM]*$/.test(argument);
    if (argument.startsWith('-') || isOptionValue) passed.push(argument);
    else filters.push(argument);
  }
  return { filters, passed };
}

async function main(): Promise<void> {
  const { filters, passed } = splitArguments(process.argv.slice(2));
  const available = readdirSync(directory);
  const selected = selectBenchFiles(available, filters);
  if (selected.length === 0) {
    console.error(`no benchmark matches ${filters.join(', ')}; available: ${selectBenchFiles(available, []).join(', ')}`);
    process.exit(1);
  }
  const cpu = cpus();
  console.log(`machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  for (const file of selected) {
    console.log(`\n=== ${file} ${passed.join(' ')}`.trimEnd());
    const started = performance.now();
    const module = (await import(pathToFileURL(join(directory, file)).href)) as Partial<BenchModule>;
    if (typeof module.run !== 'function') throw new Error(`${file} does not export run(args)`);
    await module.run(passed);
    console.log(`--- ${file}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
