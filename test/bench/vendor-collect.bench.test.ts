import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { measure, prepare } from '../../bench/vendor-collect.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const savedThreads = process.env.SYNTHFORGE_COLLECT_THREADS;

afterEach(() => {
  if (savedThreads === undefined) delete process.env.SYNTHFORGE_COLLECT_THREADS;
  else process.env.SYNTHFORGE_COLLECT_THREADS = savedThreads;
});

describe('vendor collect benchmark (smoke)', () => {
  for (const provider of ['anthropic', 'gemini'] as const) {
    it(`prepares ${provider} results in the vendor's format and collects every line, on the calling thread and on one thread`, async () => {
      for (const threads of ['0', '1']) {
        const dir = join(tempDir(), 'run');
        await prepare(new Map([['dir', dir], ['provider', provider], ['records', '300']]));
        const stage = await measure(new Map([['dir', dir], ['threads', threads]]));
        expect(stage.items).toBe(300);
        expect(stage.cpuSeconds).toBeGreaterThan(0);
      }
    });
  }
});
