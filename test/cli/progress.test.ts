import { afterEach, describe, expect, it, vi } from 'vitest';
import { LineProgress, StepTallies, TerminalProgress } from '../../src/cli/render/progress.js';
import type { RunEvent } from '../../src/engine/run-events.js';
import type { RunSummary } from '../../src/engine/run-report.js';
import { TerminalScreen } from '../helpers/terminal-screen.js';

const events: RunEvent[] = [
  { type: 'run-start', runId: 'run-1', recipe: 'demo', resumed: false, offline: true, stateDir: '/s' },
  { type: 'plan', step: 'q', round: 0, requests: 10, cached: 2, toSend: 8, shards: 2 },
  { type: 'shard-submit', step: 'q', shardId: 'run-1-s0-0000', batchId: 'b1', requests: 5 },
  { type: 'shard-progress', step: 'q', shardId: 'run-1-s0-0000', status: 'in_progress', completed: 2, failed: 0, total: 5 },
  { type: 'shard-progress', step: 'q', shardId: 'run-1-s0-0000', status: 'in_progress', completed: 4, failed: 1, total: 5 },
  { type: 'shard-collect', step: 'q', shardId: 'run-1-s0-0000', results: 5, valid: 4, invalid: 1, missing: 0 },
];

describe('progress', () => {
  it('tallies planned / submitted / completed / valid per step', () => {
    const tallies = new StepTallies();
    for (const event of events) tallies.apply(event);
    expect(tallies.describe('q')).toBe('planned 8 · submitted 5 · completed 5 · valid 4');
  });

  it('prints plain lines when not on a terminal, one per status change', () => {
    const lines: string[] = [];
    const progress = new LineProgress((text) => lines.push(text));
    for (const event of events) progress.onEvent(event);
    const text = lines.join('');
    expect(text).toContain('starting run run-1 of demo (offline: built-in emulator)');
    expect(text).toContain('q: 10 requests, 2 cached, 8 to send in 2 shard(s)');
    expect(text.match(/in_progress/g)).toHaveLength(1);
    expect(text).toContain('q: planned 8 · submitted 5 · completed 5 · valid 4');
  });

  describe('on a terminal', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('prints log lines above the bars, never torn into a bar line, and none lost when the bars stop', () => {
      vi.useFakeTimers();
      const screen = new TerminalScreen(100);
      const progress = new TerminalProgress(screen as unknown as NodeJS.WriteStream);
      const logLines: string[] = [];
      const feed = (event: RunEvent): void => {
        progress.onEvent(event);
        // Bars redraw on a timer: let it fire between events, as a real run's polling does.
        vi.advanceTimersByTime(150);
      };
      feed(events[0]!);
      logLines.push('starting run run-1 of demo (offline: built-in emulator)');
      feed({ type: 'step-start', step: 'question-1', index: 0, kind: 'generate' });
      logLines.push('step question-1 (generate)');
      for (const event of events.slice(1)) feed({ ...event, step: 'question-1' } as RunEvent);
      // A second bar: log lines now land where two bar lines were drawn.
      feed({ type: 'step-start', step: 'answer-2', index: 1, kind: 'generate' });
      logLines.push('step answer-2 (generate)');
      feed({ type: 'plan', step: 'answer-2', round: 0, requests: 3, cached: 0, toSend: 3, shards: 1 });
      feed({ type: 'step-end', step: 'question-1', index: 0, counts: { input: 10, output: 4 } } as RunEvent);
      logLines.push('step question-1 done: 10 in, 4 out');
      feed({ type: 'step-start', step: 'filter-3', index: 1, kind: 'filter' });
      logLines.push('step filter-3 (filter)');
      feed({ type: 'warning', message: 'split "test" got no rows' });
      logLines.push('warning: split "test" got no rows');
      // The last lines arrive right before the run ends, with no redraw in between.
      progress.onEvent({ type: 'step-end', step: 'filter-3', index: 1, counts: { input: 4, output: 3 } } as RunEvent);
      logLines.push('step filter-3 done: 4 in, 3 out');
      progress.onEvent({ type: 'run-end', summary: {} as RunSummary });

      const shown = screen.text().filter((line) => line !== '');
      const barLines = shown.filter((line) => /[█░]/.test(line));
      expect(barLines.length).toBeGreaterThan(0);
      expect(barLines.map((line) => line.split('|')[0]!.trim())).toEqual(['question-1', 'answer-2']);
      expect(shown.filter((line) => !/[█░]/.test(line))).toEqual(logLines);
    });
  });
});
