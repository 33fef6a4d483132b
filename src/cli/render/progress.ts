/**
 * Turns run events into progress on stderr: live bars (cli-progress) on a terminal, plain lines
 * otherwise (CI logs, pipes), nothing but NDJSON on stdout under --json.
 */
import { clearScreenDown } from 'node:readline';
import cliProgress from 'cli-progress';
import type { RunEvent } from '../../engine/run-events.js';
import { colorLabel, colorsFor, type Colors } from './colors.js';
import { outputRedactor } from './redact-output.js';
import { terminalSafe } from './terminal-text.js';

export type ProgressSink = { onEvent(event: RunEvent): void; stop(): void };

export function createProgressSink(options: { json: boolean; tty: boolean; write?: (text: string) => void }): ProgressSink {
  const colors = colorsFor(process.stderr);
  const sink = options.json
    ? ndjsonSink()
    : options.tty
      ? new TerminalProgress(process.stderr, colors)
      : new LineProgress(options.write ?? ((text) => process.stderr.write(text)), colors);
  const redactor = outputRedactor();
  return { onEvent: (event) => sink.onEvent(redactor.value(event)), stop: () => sink.stop() };
}

function ndjsonSink(): ProgressSink {
  return {
    onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
    stop: () => {},
  };
}

/** Per step: requests planned, submitted, completed at the provider, and valid after checking. */
export class StepTallies {
  private readonly steps = new Map<string, { planned: number; submitted: number; completed: Map<string, number>; valid: number }>();

  apply(event: RunEvent): string | undefined {
    if (!('step' in event)) return undefined;
    const tally = this.steps.get(event.step) ?? { planned: 0, submitted: 0, completed: new Map<string, number>(), valid: 0 };
    this.steps.set(event.step, tally);
    if (event.type === 'plan') tally.planned += event.toSend;
    else if (event.type === 'shard-submit') tally.submitted += event.requests;
    else if (event.type === 'shard-progress') tally.completed.set(event.shardId, event.completed + event.failed);
    else if (event.type === 'shard-collect') {
      tally.completed.set(event.shardId, event.results + event.missing);
      tally.valid += event.valid;
    } else return undefined;
    return event.step;
  }

  describe(step: string): string {
    const tally = this.steps.get(step)!;
    return `planned ${tally.planned} · submitted ${tally.submitted} · completed ${this.completed(step)} · valid ${tally.valid}`;
  }

  completed(step: string): number {
    return [...(this.steps.get(step)?.completed.values() ?? [])].reduce((sum, count) => sum + count, 0);
  }

  planned(step: string): number {
    return this.steps.get(step)?.planned ?? 0;
  }
}

/** One line per meaningful change; shard polling only when its status word changes. */
export class LineProgress implements ProgressSink {
  private readonly lastStatus = new Map<string, string>();
  private readonly tallies = new StepTallies();

  constructor(
    private readonly write: (text: string) => void,
    private readonly colors: Colors = colorsFor({}),
  ) {}

  onEvent(event: RunEvent): void {
    const step = this.tallies.apply(event);
    const line = describeEvent(event, this.lastStatus);
    if (line !== undefined) this.write(`${colorLabel(terminalSafe(line), this.colors)}\n`);
    if (step && (event.type === 'shard-submit' || event.type === 'shard-collect')) this.write(`  ${step}: ${this.tallies.describe(step)}\n`);
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
    case 'queue-wait': {
      const unit = event.unit === 'requests' ? 'requests' : 'tokens';
      // The configured limit while the run holds to it (less its margin), the learnt room once a refusal lowered it.
      const shown = event.limit !== undefined && event.room >= Math.floor(event.limit * 0.9) ? event.limit : event.room;
      const of = Number.isFinite(shown) ? `/${compactCount(shown)}` : '';
      return `  ${event.step}: waiting: ${compactCount(event.queued)}${of} ${unit} queued for ${event.queue}`;
    }
    case 'shard-requeue':
      return `  ${event.step}: batch ${event.batchId} refused for a full queue (${event.message}); sending it again once queued batches finish (no attempt spent)`;
    case 'step-end':
      return `step ${event.step} done: ${event.counts.input} in, ${event.counts.output} out${event.counts.rejected ? `, ${event.counts.rejected.count} rejected` : ''}`;
    case 'version-written':
      return event.reusedExisting
        ? `data unchanged: identical to ${event.dataset}@${event.version}, no new version`
        : `wrote ${event.dataset}@${event.version}: ${event.rows} rows in ${event.path}`;
    case 'warning':
      return `warning: ${event.message}`;
    case 'run-end':
      // The summary itself is the command's result, printed on stdout by the command.
      return undefined;
  }
}

/** 1,900,000 → 1.9M, 90,000 → 90k: the scale of a queue at a glance. */
export function compactCount(value: number): string {
  const scaled = (divisor: number, suffix: string): string => `${Number((value / divisor).toFixed(value >= divisor * 100 ? 0 : 1))}${suffix}`;
  if (value >= 1e6) return scaled(1e6, 'M');
  if (value >= 1e4) return scaled(1e3, 'k');
  return String(value);
}

/**
 * Live bars on a terminal: one per generate step, completed against planned, with the other counts
 * beside. Log lines go above the bars. cli-progress would print them on its next redraw, over the
 * first bar line only (a second log line lands on what is left of the next bar) and not at all once
 * the bars stop; so each line is printed at once, with the bar area cleared first and every bar
 * redrawn under it, and printed plainly while no bar is live.
 */
export class TerminalProgress implements ProgressSink {
  private readonly bars: cliProgress.MultiBar;
  private readonly stepBars = new Map<string, cliProgress.SingleBar>();
  private readonly tallies = new StepTallies();
  private clearBeforeRedraw = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly colors: Colors = colorsFor(stream),
  ) {
    this.bars = new cliProgress.MultiBar(
      // forceRedraw: a bar whose numbers did not change must still be drawn again below a new log line.
      { format: ' {step} |{bar}| {value}/{total} {detail}', hideCursor: true, clearOnComplete: false, forceRedraw: true, stream },
      cliProgress.Presets.shades_classic,
    );
    // Emitted with the cursor back on the first bar line, before the buffered log lines are written.
    this.bars.on('redraw-pre', () => {
      if (!this.clearBeforeRedraw) return;
      this.clearBeforeRedraw = false;
      clearScreenDown(this.stream);
    });
  }

  onEvent(event: RunEvent): void {
    const step = this.tallies.apply(event);
    if (step) {
      let bar = this.stepBars.get(step);
      if (!bar) {
        bar = this.bars.create(0, 0, { step: step.padEnd(12), detail: '' });
        this.stepBars.set(step, bar);
      }
      bar.setTotal(Math.max(1, this.tallies.planned(step)));
      bar.update(this.tallies.completed(step), { detail: this.tallies.describe(step) });
      return;
    }
    if (event.type === 'run-end') {
      this.stop();
      return;
    }
    const line = describeEvent(event);
    if (line) this.log(`${colorLabel(terminalSafe(line), this.colors)}\n`);
  }

  stop(): void {
    if (this.bars.isActive) this.bars.stop();
  }

  private log(text: string): void {
    if (!this.bars.isActive) {
      this.stream.write(text);
      return;
    }
    this.clearBeforeRedraw = true;
    this.bars.log(text);
    this.bars.update();
  }
}
