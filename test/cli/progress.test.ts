import { describe, expect, it } from 'vitest';
import { LineProgress, StepTallies } from '../../src/cli/render/progress.js';
import type { RunEvent } from '../../src/engine/run-events.js';

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
});
