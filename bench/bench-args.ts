// Argument helpers shared by the benchmarks: `--name=value` and `--name value` both work, so
// `npm run bench -- postprocess --sizes 100000,1000000` reads like the README says.
import { writeFileSync } from 'node:fs';

/** The value of `--name`, or undefined when it is absent. */
export function optionValue(args: readonly string[], name: string): string | undefined {
  const flag = `--${name}`;
  for (let index = 0; index < args.length; index++) {
    const argument = args[index]!;
    if (argument.startsWith(`${flag}=`)) return argument.slice(flag.length + 1);
    if (argument === flag) {
      const next = args[index + 1];
      if (next !== undefined && !next.startsWith('-')) return next;
    }
  }
  return undefined;
}

export function hasFlag(args: readonly string[], name: string): boolean {
  return args.includes(`--${name}`);
}

export function numberOption(args: readonly string[], name: string, fallback: number): number {
  const value = optionValue(args, name);
  if (value === undefined) return fallback;
  const parsed = parseCount(value);
  if (!Number.isFinite(parsed)) throw new Error(`--${name} expects a number, got "${value}"`);
  return parsed;
}

/**
 * The sizes a benchmark runs at: `--sizes a,b` when given, else `full` with `--full`, else the
 * defaults. Sizes accept `_` separators and a `k`/`m` suffix (`100k`, `1m`).
 */
export function sizesOption(args: readonly string[], defaults: readonly number[], full: readonly number[]): number[] {
  const value = optionValue(args, 'sizes');
  const sizes = value === undefined ? [...(hasFlag(args, 'full') ? full : defaults)] : value.split(',').filter(Boolean).map(parseCount);
  for (const size of sizes) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`--sizes expects positive integers, got "${value}"`);
  }
  return sizes;
}

function parseCount(text: string): number {
  const match = /^([\d_.]+)([km]?)$/i.exec(text.trim());
  if (!match) return Number.NaN;
  const base = Number(match[1]!.replaceAll('_', ''));
  const suffix = match[2]!.toLowerCase();
  return Math.round(base * (suffix === 'k' ? 1e3 : suffix === 'm' ? 1e6 : 1));
}

/** With `--json=PATH`, writes the raw measurements there (every figure, not only the printed ones). */
export function saveJson(args: readonly string[], results: unknown): void {
  const path = optionValue(args, 'json');
  if (path !== undefined) writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
