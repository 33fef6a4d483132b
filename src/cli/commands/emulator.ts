import { existsSync, readFileSync } from 'node:fs';
import { startEmulator, type EmulatorOptions, type EmulatorServer } from '../../emulator/emulator.js';
import { parseAnswerWords } from '../../emulator/core/emulator-options.js';
import { UsageError } from '../../errors.js';

export interface EmulatorCommandOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  config?: string;
  /** `--repair-success-rate`: the share of repair turns answered validly (overrides the config's). */
  repairSuccessRate?: number;
  /** `mean[,spread]` words per free-text answer and string field. */
  answerWords?: string;
  /** Queue limits (0 = none); absent: the environment's, else none. */
  openaiEnqueuedTokens?: number;
  anthropicQueuedRequests?: number;
  geminiEnqueuedTokens?: number;
}

/** `synthforge emulator`: serves the provider batch APIs locally until interrupted. */
export async function emulatorCommand(options: EmulatorCommandOptions): Promise<EmulatorServer> {
  const config = options.config ? parseEmulatorConfig(options.config) : {};
  const faults = options.repairSuccessRate === undefined ? config.faults : { ...config.faults, repairSuccessRate: options.repairSuccessRate };
  const queueLimits = {
    ...(options.openaiEnqueuedTokens !== undefined ? { openaiMaxEnqueuedTokens: options.openaiEnqueuedTokens } : {}),
    ...(options.anthropicQueuedRequests !== undefined ? { anthropicMaxQueuedRequests: options.anthropicQueuedRequests } : {}),
    ...(options.geminiEnqueuedTokens !== undefined ? { geminiMaxEnqueuedTokens: options.geminiEnqueuedTokens } : {}),
  };
  return startEmulator({
    ...config,
    ...(faults ? { faults } : {}),
    limits: { ...config.limits, ...queueLimits },
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.answerWords !== undefined ? { answerLength: parseAnswerWords(options.answerWords, '--answer-words') } : {}),
  });
}

/** Emulator options from inline JSON or a JSON file (fault rates, timing, seed). */
export function parseEmulatorConfig(value: string): Partial<EmulatorOptions> {
  const text = existsSync(value) ? readFileSync(value, 'utf8') : value;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Partial<EmulatorOptions>;
  } catch (error) {
    throw new UsageError('emulator_config_invalid', `--emulator-config expects a JSON object or a JSON file: ${(error as Error).message}`);
  }
}
