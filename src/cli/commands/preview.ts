import { previewRecipe, type PreviewRecipeOptions } from '../../api/preview-recipe.js';
import type { PreviewEvent, PreviewSummary } from '../../engine/preview-events.js';
import { UsageError } from '../../errors.js';
import { parseEmulatorConfig } from './emulator.js';
import { stopOnSignal } from './stop-on-signal.js';

/** More would be a run: a preview pays synchronous prices, twice the batch price. */
export const MAX_PREVIEW_RECORDS = 1000;

export interface PreviewCommandOptions {
  recipe: string;
  cwd: string;
  /** `-n` as typed; validated here so a bad value is a usage error (exit 2) naming the flag. */
  records?: string;
  offline?: boolean;
  state?: string;
  emulatorConfig?: string;
  onEvent: (event: PreviewEvent) => void;
}

/** `synthforge preview <recipe> [-n N]`: the first N records through every step, synchronously. */
export async function previewCommand(options: PreviewCommandOptions): Promise<PreviewSummary> {
  const records = parseRecordCount(options.records);
  // The first Ctrl-C stops cleanly, a second one at once.
  const stop = stopOnSignal();
  try {
    const previewOptions: PreviewRecipeOptions = {
      cwd: options.cwd,
      offline: Boolean(options.offline),
      onEvent: options.onEvent,
      signal: stop.signal,
      ...(records !== undefined ? { records } : {}),
      ...(options.state ? { stateDir: options.state } : {}),
      ...(options.emulatorConfig ? { emulator: parseEmulatorConfig(options.emulatorConfig) } : {}),
    };
    return await previewRecipe(options.recipe, previewOptions);
  } finally {
    stop.dispose();
  }
}

export function parseRecordCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(count) || count < 1 || count > MAX_PREVIEW_RECORDS) {
    throw new UsageError('preview_records_invalid', `-n expects a whole number of records from 1 to ${MAX_PREVIEW_RECORDS}, got ${JSON.stringify(value)}`);
  }
  return count;
}
