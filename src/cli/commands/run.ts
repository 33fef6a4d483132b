import { runRecipe, type RunRecipeOptions } from '../../api/run-recipe.js';
import type { RunSummary } from '../../engine/run-report.js';
import { createProgressSink } from '../render/progress.js';
import { parseEmulatorConfig } from './emulator.js';
import { stopOnSignal } from './stop-on-signal.js';

export interface RunCommandOptions {
  recipe: string;
  cwd: string;
  offline?: boolean;
  out?: string;
  state?: string;
  json?: boolean;
  cache?: boolean;
  fresh?: boolean;
  keepRejects?: boolean;
  forceVersion?: boolean;
  emulatorConfig?: string;
  resumeRunId?: string;
  /** First poll interval in ms (grows to 12x while nothing changes). */
  pollIntervalMs?: number;
  /**
   * Called with the run's summary once progress output has stopped, however the run ended: also
   * when it then throws (a budget stop, a failure), so that a stopped run still shows what it did.
   */
  onSummary?: (summary: RunSummary) => void;
}

/** `synthforge run <recipe>`: runs (or continues) a recipe and returns its summary. */
export async function runCommand(options: RunCommandOptions): Promise<RunSummary> {
  const progress = createProgressSink({ json: Boolean(options.json), tty: Boolean(process.stderr.isTTY) });
  // Ctrl-C and SIGTERM stop a run the same way: batches keep running at the provider and the next run picks them up.
  const stop = stopOnSignal();
  let summary: RunSummary | undefined;
  try {
    const runOptions: RunRecipeOptions = {
      cwd: options.cwd,
      offline: Boolean(options.offline),
      onEvent: (event) => {
        if (event.type === 'run-end') summary = event.summary;
        progress.onEvent(event);
      },
      noCache: options.cache === false,
      fresh: Boolean(options.fresh),
      keepRejects: Boolean(options.keepRejects),
      forceVersion: Boolean(options.forceVersion),
      signal: stop.signal,
      ...(options.out ? { outDir: options.out } : {}),
      ...(options.state ? { stateDir: options.state } : {}),
      ...(options.emulatorConfig ? { emulator: parseEmulatorConfig(options.emulatorConfig) } : {}),
      ...(options.resumeRunId ? { resumeRunId: options.resumeRunId } : {}),
      ...(options.pollIntervalMs ? { pollIntervalMs: { initial: options.pollIntervalMs, max: options.pollIntervalMs * 12 } } : {}),
    };
    return await runRecipe(options.recipe, runOptions);
  } finally {
    stop.dispose();
    progress.stop();
    if (summary) options.onSummary?.(summary);
  }
}
