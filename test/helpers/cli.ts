import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The package's bin, as `npx synthforge` runs it (it sets V8's collector, then loads main.js). */
export const CLI = join(process.cwd(), 'dist', 'cli', 'bin.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (npm test builds first) in `cwd`, with a clean provider environment;
 * `nodeArgs` go to node before the CLI's path (V8 flags, e.g. a GC trace).
 */
export function runCli(args: string[], options: { cwd: string; env?: Record<string, string>; nodeArgs?: string[] }): Promise<CliResult> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], { cwd: options.cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
