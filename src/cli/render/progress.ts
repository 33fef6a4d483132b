/**
 * Turns run events into progress on stderr: live bars (cli-progress) on a terminal, plain lines
 * otherwise (CI logs, pipes), nothing but NDJSON on stdout under --json.
 */
import cliProgress from 'cli-progress';
import type { RunEvent } from '../../engine/run-events.js';

export type ProgressSink = { onEvent(event: RunEvent): void; stop(): void };

export function createProgressSink(options: { json: boolean; tty: boolean; write?: (text: string) => void }): ProgressSink {
  if (options.json) return ndjsonSink();
  return options.tty ? new TerminalProgress() : new LineProgress(options.write ?? ((text) => process.stderr.write(text)));
}

function ndjsonSink(): ProgressSink {
  return {
    onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
    stop: () => {},
  };
}

/** One line per meaningful change; shard polling only when its status word changes. */
export class LineProgress implements ProgressSink {
  private readonly lastStatus = new Map<string, string>();

  constructor(private readonly write: (text: string) => void) {}

  onEvent(event: RunEvent): void {
    const line = describeEvent(event, this.lastStatus);
    if (line !== undefined) this.write(`${line}\n`);
  }

  stop(): void {}
}

export function describeEvent(event: RunEvent, lastStatus = new Map<string, string>()): string | undefined {
  switch (event.type) {
    case 'run-start':
      return `${event.resumed ? 'resuming' : 'starting'} run ${event.runId} of ${event.recipe}${event.offline ? ' (offline: built-in emulator)' : ''}`;
    case 'seeds-loaded':
      return `seeds: ${event.records} records`;
    case 'step-start':
      return `step ${event.step} (${event.kind})`;
    case 'step-skip':
      return `step ${event.step}: ${event.reason}`;
    case 'plan':
      return `  ${event.step}${event.round > 0 ? ` retry round ${event.round}` : ''}: ${event.requests} requests, ${event.cached} cached, ${event.toSend} to send in ${event.shards} shard(s)`;
    case 'shard-submit':
      return `  ${event.step}: submitted ${event.requests} requests as batch ${event.batchId}${event.reconciled ? ' (found at the provider after a restart)' : ''}`;
    case 'shard-progress': {
      if (lastStatus.get(event.shardId) === event.status) return undefined;
      lastStatus.set(event.shardId, event.status);
      return `  ${event.step}: batch ${event.shardId.split('-').pop()} ${event.status} ${event.completed + event.failed}/${event.total}`;
    }
    case 'shard-end':
      return undefined;
    case 'shard-collect':
      return `  ${event.step}: collected ${event.results} results: ${event.valid} valid, ${event.invalid} invalid, ${event.missing} missing`;
    case 'retry-wait':
      return `  ${event.step}: ${event.operation} failed (${event.message}); retrying in ${Math.round(event.delayMs)} ms`;
    case 'step-end':
      return `step ${event.step} done: ${event.counts.input} in, ${event.counts.output} out`;
    case 'version-written':
      return `wrote ${event.dataset}@${event.version}: ${event.rows} rows in ${event.path}`;
    case 'warning':
      return `warning: ${event.message}`;
    case 'run-end':
      // The summary itself is the command's result, printed on stdout by the command.
      return undefined;
  }
}

/** Live bars on a terminal: one per generate step, counting results collected against requests sent. */
class TerminalProgress implements ProgressSink {
  private readonly bars = new cliProgress.MultiBar(
    { format: ' {step} |{bar}| {value}/{total} {detail}', hideCursor: true, clearOnComplete: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  private readonly stepBars = new Map<string, { bar: cliProgress.SingleBar; done: Map<string, number>; total: number }>();

  onEvent(event: RunEvent): void {
    if (event.type === 'plan') {
      const state = this.stepBars.get(event.step);
      if (state) {
        state.total += event.toSend;
        state.bar.setTotal(state.total);
      } else {
        const bar = this.bars.create(event.toSend, 0, { step: event.step.padEnd(12), detail: `${event.cached} cached` });
        this.stepBars.set(event.step, { bar, done: new Map(), total: event.toSend });
      }
      return;
    }
    if (event.type === 'shard-progress' || event.type === 'shard-collect') {
      const state = this.stepBars.get(event.step);
      if (!state) return;
      const done = event.type === 'shard-progress' ? event.completed + event.failed : event.results + event.missing;
      state.done.set(event.shardId, done);
      const value = [...state.done.values()].reduce((sum, count) => sum + count, 0);
      state.bar.update(value, { detail: event.type === 'shard-progress' ? event.status : 'collected' });
      return;
    }
    if (event.type === 'run-end') {
      this.stop();
      return;
    }
    const line = describeEvent(event);
    if (line && event.type !== 'shard-submit' && event.type !== 'shard-end') this.bars.log(`${line}\n`);
  }

  stop(): void {
    this.bars.stop();
  }
}
