/** A CLI run that keeps going while a test looks at it from outside: its process, and the run it works on. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { describeRun, listRuns } from '../../src/engine/run-control.js';
import { CLI, type CliResult } from '../helpers/cli.js';

export interface LiveCli {
  child: ChildProcessWithoutNullStreams;
  /** Settles when the process has exited. */
  done: Promise<CliResult>;
}

/** Starts the built CLI without waiting for it, with a clean provider environment. */
export function startCli(args: string[], options: { cwd: string; env?: Record<string, string> }): LiveCli {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env };
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/**
 * Waits until the newest run of the state directory has `shards` batches submitted, reading the
 * store (a state, not the clock, ends the wait). Fails if the process exits first.
 */
export async function waitForSubmitted(stateDir: string, shards: number, live: LiveCli): Promise<string> {
  let exited: CliResult | undefined;
  void live.done.then((result) => (exited = result));
  for (;;) {
    if (exited) throw new Error(`the run exited (${exited.code}) before submitting ${shards} batches:\n${exited.stderr}`);
    const runs = safely(() => listRuns(stateDir).runs);
    const newest = runs?.[0];
    if (newest && (safely(() => describeRun(stateDir, newest.id).shards.byStatus.submitted) ?? 0) >= shards) return newest.id;
    await delay(20);
  }
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    // The run may not have created its store yet.
    return undefined;
  }
}
