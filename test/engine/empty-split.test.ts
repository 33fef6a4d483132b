import { describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/api/run-recipe.js';
import type { RunEvent } from '../../src/engine/run-events.js';
import { defineRecipe } from '../../src/recipe/define-recipe.js';
import { FAST_TIMING } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

describe('a declared split that gets no rows', () => {
  it('is published, and warned about in the events and the summary', async () => {
    const recipe = defineRecipe({
      name: 'tiny-splits',
      seeds: [{ inline: [{ topic: 'tea' }, { topic: 'coffee' }, { topic: 'juice' }] }],
      steps: [{ filter: { field: 'topic', min_chars: 1 } }],
      output: { format: 'raw', splits: { train: 0.999, test: 0.001 } },
    });
    const events: RunEvent[] = [];
    const summary = await runRecipe(recipe, { cwd: tempDir(), offline: true, env: {}, emulator: { faults: { timing: FAST_TIMING } }, onEvent: (event) => events.push(event) });
    expect(summary.status).toBe('completed');
    expect(summary.output?.emptySplits).toEqual(['test']);
    const warnings = events.flatMap((event) => (event.type === 'warning' ? [event.message] : []));
    expect(warnings).toContainEqual(expect.stringContaining('split "test" of tiny-splits@v1 got no rows (of 3)'));
  });
});
