// Running one measurement in a child process, so each size gets its own peak RSS
// (process.resourceUsage().maxRSS only ever grows) and nothing one size allocated skews the next.
// The child prints its result as one `RESULT_MARKER {json}` line on stdout; anything else it prints
// is ignored. Its stderr is kept and quoted (the end of it) when it fails.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBench } from './compile-bench.js';
import { heapGrowingFlags } from '../src/cli/heap-growing.js';

export const RESULT_MARKER = 'BENCH-RESULT';
/** How much of a failed child's stderr goes into the error. */
const STDERR_LINES = 20;

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where compiled children lie, or why they run under tsx; decided once per process. */
let childMode: { directory: string } | { tsx: string } | undefined;

/**
 * How a child runs: compiled against dist/ (compile-bench.ts), or under tsx from the sources where
 * dist/ is stale or SYNTHFORGE_BENCH_TSX=1 asks for it (as every child ran before 2026-12-05, to
 * compare with figures taken then); said once on stderr, since the figures then carry tsx's cost.
 */
function childCommand(script: string): string[] {
  if (childMode === undefined) {
    const built = process.env.SYNTHFORGE_BENCH_TSX === '1' ? { stale: undefined } : compileBench(repositoryRoot);
    childMode = 'directory' in built ? built : { tsx: built.stale === undefined ? 'SYNTHFORGE_BENCH_TSX=1' : `dist/ is older than ${built.stale}; npm run build` };
    if ('tsx' in childMode) process.stderr.write(`bench: children run under tsx, slower than the built code (${childMode.tsx})\n`);
  }
  const flags = ['--expose-gc', ...childNodeFlags()];
  if ('tsx' in childMode) return ['--import', 'tsx', ...flags, join(repositoryRoot, 'bench', script)];
  return [...flags, join(childMode.directory, script.replace(/\.ts$/, '.js'))];
}

/**
 * Node or V8 flags for every child: the heap growing factor the synthforge executable sets (so that
 * the children measure what the CLI runs; SYNTHFORGE_HEAP_GROWING=default leaves V8's own), then
 * SYNTHFORGE_BENCH_NODE_FLAGS (space-separated), to compare heap settings that NODE_OPTIONS refuses.
 * V8 takes the last of two values for one flag.
 */
export function childNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...heapGrowingFlags(env), ...(env.SYNTHFORGE_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean)];
}

/** Runs `bench/<script>` (see childCommand) with --expose-gc and returns the JSON it reported. */
export function runBenchChild<T>(script: string, args: readonly string[]): T {
  const child = spawnSync(process.execPath, [...childCommand(script), ...args], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.error) throw child.error;
  if (child.status !== 0) {
    const stderr = child.stderr.trim().split('\n').slice(-STDERR_LINES).join('\n');
    throw new Error(`bench/${script} ${args.join(' ')} exited with ${child.status ?? child.signal}:\n${stderr}`);
  }
  const line = child.stdout.split('\n').find((text) => text.startsWith(`${RESULT_MARKER} `));
  if (line === undefined) throw new Error(`bench/${script} printed no ${RESULT_MARKER} line`);
  return JSON.parse(line.slice(RESULT_MARKER.length + 1)) as T;
}

/**
 * Runs a measurement in a child process, or with `inProcess` in this one (the smoke tests: seconds
 * instead of a module load per child, at the price of per-size peak RSS). The result goes through
 * JSON either way, so both paths hand back the same shape.
 */
export async function runMeasurement<T>(
  script: string,
  args: readonly string[],
  inProcess: boolean,
  local: (options: Map<string, string>) => Promise<T>,
): Promise<T> {
  if (!inProcess) return runBenchChild<T>(script, args);
  return JSON.parse(JSON.stringify(await local(childOptions(args)))) as T;
}

/** True when `moduleUrl` is the script node was started with (not imported by a benchmark). */
export function isEntryPoint(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(moduleUrl) === process.argv[1];
}

/** Called by a child script to hand its result to the parent. */
export function reportResult(result: unknown): void {
  process.stdout.write(`${RESULT_MARKER} ${JSON.stringify(result)}\n`);
}

/** The `--name=value` arguments of a child script, as a map. */
export function childOptions(argv: readonly string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (const argument of argv) {
    const match = /^--([^=]+)=(.*)$/.exec(argument);
    if (match) options.set(match[1]!, match[2]!);
    // A bare flag (`--sequential`) reads as "true".
    else if (/^--[^=]+$/.test(argument)) options.set(argument.slice(2), 'true');
  }
  return options;
}

export function requiredOption(options: Map<string, string>, name: string): string {
  const value = options.get(name);
  if (value === undefined) throw new Error(`missing --${name}=…`);
  return value;
}

/** Bytes of the files directly in `path` whose name `include` accepts. */
export function folderBytes(path: string, include: (name: string) => boolean = () => true): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isFile() && include(entry.name)) total += statSync(join(path, entry.name)).size;
  }
  return total;
}
