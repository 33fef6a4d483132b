import { afterEach } from 'vitest';
import { startEmulator, type EmulatorOptions, type EmulatorServer } from '../../src/emulator/emulator.js';

/** Batch phase times short enough for the suite, long enough that each status is seen. */
export const FAST_TIMING = { validatingMs: 5, inProgressMs: 10, finalizingMs: 5 };

/** Test keys and every provider's base URL pointed at `emulator`: what a run against it reads from the environment. */
export function emulatorEnv(emulator: EmulatorServer): Record<string, string> {
  return {
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: emulator.openaiBaseURL,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    ANTHROPIC_BASE_URL: emulator.anthropicBaseURL,
    GEMINI_API_KEY: 'gm-test',
    GEMINI_BASE_URL: emulator.geminiBaseURL,
  };
}

export interface TestEmulators {
  /** Starts an emulator that is closed after the current test. */
  start(options?: EmulatorOptions): Promise<EmulatorServer>;
  /** The emulator started last in this test, for helpers outside the test body. */
  readonly current: EmulatorServer;
}

/** Emulators started during a test, each closed after it (as useTempDirs removes directories). */
export function useEmulators(): TestEmulators {
  const started: EmulatorServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((emulator) => emulator.close()));
  });
  return {
    async start(options) {
      const emulator = await startEmulator(options);
      started.push(emulator);
      return emulator;
    },
    get current() {
      const emulator = started.at(-1);
      if (emulator === undefined) throw new Error('no emulator was started in this test');
      return emulator;
    },
  };
}
