import { describe, expect, it } from 'vitest';
import { renderErrorMessage } from '../../src/cli/render/error.js';
import { LineProgress } from '../../src/cli/render/progress.js';
import { renderStatus } from '../../src/cli/render/status.js';
import { renderRunSummary } from '../../src/cli/render/summary.js';
import { terminalSafe, terminalSafeLines } from '../../src/cli/render/terminal-text.js';
import type { RunSummary } from '../../src/engine/run-report.js';

/** Anything a terminal would act on instead of showing: C0 but newline, DEL, C1, bidi controls. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = 'ok\u001b[2J\rfake line\u009b31m\u0007\u202eevil\u0000';

describe('terminalSafe', () => {
  it('shows control characters as escapes and leaves other text alone', () => {
    expect(terminalSafe(HOSTILE)).toBe('ok\\x1b[2J\\rfake line\\x9b31m\\x07\\u202eevil\\x00');
    expect(terminalSafe('tab\tand\nnewline')).toBe('tab\\tand\\nnewline');
    expect(terminalSafe('café 中文 😀 — “quoted”')).toBe('café 中文 😀 — “quoted”');
  });

  it('keeps the layout of a rendered block', () => {
    expect(terminalSafeLines('line 1\n\tline 2\r\u001b[K')).toBe('line 1\n\tline 2\\r\\x1b[K');
  });
});

describe('renderers', () => {
  const summary: RunSummary = {
    version: 1,
    runId: 'run-1',
    dataset: 'd',
    status: 'failed',
    offline: true,
    steps: [
      {
        name: 'q',
        kind: 'generate',
        provider: 'openai',
        model: 'gpt-4o-mini',
        outputMode: 'native',
        counts: { input: 1, output: 0, requested: 1, sent: 1, invalid: { not_json: { count: 1, examples: [HOSTILE] } } },
      },
    ],
    samples: { requested: 1, valid: 0, invalid: { not_json: 1 }, sent: 1, cached: 0 },
    rejected: 0,
    batches: [],
    cost: { usd: 0, syncUsd: 0, savingsUsd: 0, estimateUsd: 0, inputTokens: 0, outputTokens: 0, unpriced: false },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 5,
    error: { code: 'x', message: `provider said: ${HOSTILE}` },
  };

  it('the run summary escapes an answer excerpt and an error message', () => {
    const text = renderRunSummary(summary);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('invalid not_json: 1  e.g. ok\\x1b[2J\\rfake line');
    expect(text).toContain('error: provider said: ok\\x1b[2J');
  });

  it('progress lines escape a provider message', () => {
    const lines: string[] = [];
    new LineProgress((text) => lines.push(text)).onEvent({ type: 'warning', message: HOSTILE } as never);
    expect(lines.join('')).toBe('warning: ok\\x1b[2J\\rfake line\\x9b31m\\x07\\u202eevil\\x00\n');
  });

  it('status and the error line escape what came from data', () => {
    const status = renderStatus({ runs: [{ id: 'run-1', recipeName: `r${HOSTILE}`, status: 'failed', alive: false, createdAt: 0 }] } as never);
    expect(status).not.toMatch(RAW_CONTROL);
    expect(renderErrorMessage(`seeds.jsonl:3: invalid JSON near "${HOSTILE}"`)).toBe(
      'error: seeds.jsonl:3: invalid JSON near "ok\\x1b[2J\\rfake line\\x9b31m\\x07\\u202eevil\\x00"',
    );
  });
});
