/**
 * `synthforge preview` as text, one block per record as it goes: every request with its prompt, answer
 * and judgment, the dedup and filter decisions, and the row the output format would write.
 */
import { formatUsd } from '../../cost/cost.js';
import type { PreviewEvent, PreviewSummary } from '../../engine/preview-events.js';
import { terminalSafeLines } from './terminal-text.js';

/** The text of one event (empty when the event prints nothing). */
export function renderPreviewEvent(event: PreviewEvent): string {
  return terminalSafeLines(linesOf(event).join('\n'));
}

function linesOf(event: PreviewEvent): string[] {
  switch (event.type) {
    case 'preview-start': {
      const cost = event.estimateUsd === null ? 'cost unknown (no price for some model)' : `estimated ${formatUsd(event.estimateUsd)} at synchronous prices`;
      const budget = event.budgetUsd !== undefined ? ` (budget ${formatUsd(event.budgetUsd)})` : '';
      const where = event.offline ? ' against the built-in emulator' : '';
      return [`preview ${event.recipe}: ${event.records} record(s), up to ${event.requests} request(s) to send${where}, ${event.cached} cached; ${cost}${budget}`];
    }
    case 'preview-record':
      return ['', `record ${event.index + 1}: ${event.record}${event.source ? ` (${event.source})` : ''}`];
    case 'preview-request': {
      const spent = event.cached ? 'cached, not sent' : [event.usage ? `${event.usage.inputTokens} in / ${event.usage.outputTokens} out` : '', event.costUsd !== undefined ? formatUsd(event.costUsd) : ''].filter(Boolean).join(', ');
      const lines = [`  ${event.step} [${event.record}, sample ${event.sampleIndex}]: ${event.outcome}${event.reason ? ` (${event.reason})` : ''}${spent ? `; ${spent}` : ''}`];
      if (event.messages) {
        lines.push('    prompt:');
        for (const message of event.messages) lines.push(...indent(`${message.role}: ${message.content}`, 6));
      }
      if (event.input !== undefined) lines.push(...indent(`input: ${event.input}`, 4));
      if (event.text !== undefined) lines.push(...indent(`answer: ${event.text}`, 4));
      else if (event.value && event.input === undefined) lines.push(...indent(`answer: ${JSON.stringify(event.value)}`, 4));
      return lines;
    }
    case 'preview-rejected':
      return [`  ${event.step}: ${event.record} rejected: ${event.reason}`];
    case 'preview-dedup': {
      if (event.keep) return [`  ${event.step}: ${event.record} kept`];
      const measure = event.reason === 'semantic' ? 'cosine' : 'Jaccard';
      const similarity = event.similarity === undefined ? '' : `, ${measure} ${event.similarity.toFixed(3)}`;
      return [`  ${event.step}: ${event.record} dropped (${event.reason} duplicate of ${event.duplicateOf}${similarity})`];
    }
    case 'preview-filter':
      return [event.keep ? `  ${event.step}: ${event.record} kept` : `  ${event.step}: ${event.record} removed by ${event.rule}: ${event.detail}`];
    case 'preview-row':
      return event.row ? [`  row: ${JSON.stringify(event.row)}`] : [`  row: not written: ${event.problems?.join('; ')}`];
    case 'preview-end':
      return ['', renderPreviewSummary(event.summary)];
  }
}

export function renderPreviewSummary(summary: PreviewSummary): string {
  const cost = summary.costUsd === null ? 'cost unknown' : `cost ${formatUsd(summary.costUsd)} at synchronous prices`;
  const estimate = summary.estimateUsd === null ? '' : ` (estimated ${formatUsd(summary.estimateUsd)})`;
  const stopped = summary.status === 'completed' ? '' : ` [${summary.status}]`;
  return (
    `preview${stopped}: ${summary.records} record(s), ${summary.sent} request(s) sent, ${summary.cached} cached; ` +
    `${summary.valid} valid, ${summary.invalid} invalid; ${summary.rows} row(s); ${cost}${estimate}\n` +
    `valid answers are cached in ${summary.stateDir}: a run of this recipe with the same state directory does not send them again`
  );
}

function indent(text: string, spaces: number): string[] {
  const pad = ' '.repeat(spaces);
  return text.split('\n').map((line) => `${pad}${line}`);
}
