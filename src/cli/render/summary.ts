import { join } from 'node:path';
import type { RunSummary, StepCounts } from '../../engine/run-report.js';
import { terminalSafe, terminalSafeLines } from './terminal-text.js';

/** The end-of-run summary: requests, valid and invalid samples with reasons, output path. */
export function renderRunSummary(summary: RunSummary): string {
  const lines: string[] = [];
  lines.push(`run ${summary.runId} ${summary.status}${summary.offline ? ' (offline, emulator)' : ''} in ${formatDuration(summary.durationMs)}`);
  for (const step of summary.steps) lines.push(...renderStep(step));
  const invalid = Object.entries(summary.samples.invalid).filter(([, count]) => count > 0);
  const invalidTotal = invalid.reduce((sum, [, count]) => sum + count, 0);
  lines.push(
    `samples: ${summary.samples.requested} requested, ${summary.samples.sent} requests sent, ${summary.samples.cached} from cache, ` +
      `${summary.samples.valid} valid, ${invalidTotal} invalid${invalid.length ? ` (${invalid.map(([reason, count]) => `${reason} ${count}`).join(', ')})` : ''}`,
  );
  const cost = summary.cost;
  lines.push(
    `tokens: ${cost.inputTokens} in, ${cost.outputTokens} out; cost $${cost.usd.toFixed(4)} (batch; estimated $${cost.estimateUsd.toFixed(4)})` +
      (cost.syncUsd > 0 ? `, $${cost.syncUsd.toFixed(4)} at synchronous prices, saved $${cost.savingsUsd.toFixed(4)}` : '') +
      (cost.unpriced ? '; some models have no known price (see prices: in the recipe)' : ''),
  );
  if (summary.rejected > 0) lines.push(renderRejected(summary));
  if (summary.output?.reusedExisting) {
    lines.push(`output: ${summary.output.path} is unchanged — same data files as ${summary.output.dataset}@${summary.output.version}, no version added (--force-version writes one)`);
  } else if (summary.output) {
    lines.push(`output: ${summary.output.path} (${summary.output.rows} rows, ${summary.output.dataset}@${summary.output.version})`);
  }
  if (summary.error) lines.push(`error: ${terminalSafe(summary.error.message)}`);
  return terminalSafeLines(lines.join('\n'));
}

/** Records rejected as bad input: how many, and where they are listed with source and reason. */
function renderRejected(summary: RunSummary): string {
  const unmapped = summary.output?.unmapped ?? 0;
  const bySteps = summary.rejected - unmapped;
  const parts: string[] = [];
  if (bySteps > 0) parts.push(`${bySteps} record${bySteps === 1 ? '' : 's'}${summary.rejectsFile ? `, listed in ${summary.rejectsFile}` : ''}`);
  if (unmapped > 0 && summary.output) parts.push(`${unmapped} record${unmapped === 1 ? '' : 's'} the output format could not take, listed in ${join(summary.output.path, 'unmapped.jsonl')}`);
  return `rejected: ${parts.join('; ')}`;
}

function renderStep(step: RunSummary['steps'][number]): string[] {
  const lines = renderStepCounts(step);
  const rejected = step.counts.rejected;
  if (rejected) {
    lines[0] += `; rejected ${rejected.count}`;
    lines.push(...rejected.examples.slice(0, 1).map((example) => `    rejected: ${example}`));
  }
  return lines;
}

function renderStepCounts(step: RunSummary['steps'][number]): string[] {
  const counts: StepCounts = step.counts;
  if (step.kind === 'generate' || step.kind === 'embed') {
    const lines = [
      `  ${step.name} [${step.provider}/${step.model}, ${step.outputMode}]: ${counts.requested ?? 0} samples, ${counts.sent ?? 0} sent, ` +
        `${counts.cached ?? 0} cached, ${counts.succeeded ?? 0} valid (${validBreakdown(counts)})`,
    ];
    const repaired = Object.entries(counts.repair?.valid_after_repair.by_reason ?? {});
    if (repaired.length > 0) lines.push(`    repaired: ${repaired.map(([reason, count]) => `${reason} ${count}`).join(', ')}`);
    for (const [reason, entry] of Object.entries(counts.invalid ?? {})) {
      if (!entry) continue;
      lines.push(`    invalid ${reason}: ${entry.count}${entry.examples[0] ? `  e.g. ${terminalSafe(entry.examples[0])}` : ''}`);
    }
    if (counts.judge) lines.push(judgeLine(counts.judge));
    return lines;
  }
  if (step.kind === 'dedup') {
    const duplicates = counts.duplicates;
    const semantic = duplicates?.semantic ? `, ${duplicates.semantic} semantic` : '';
    return [`  ${step.name} [dedup]: ${counts.input} in, ${counts.output} kept; removed ${duplicates?.exact ?? 0} exact, ${duplicates?.near ?? 0} near${semantic} duplicates`];
  }
  if (step.kind === 'decontaminate') {
    return [`  ${step.name} [decontaminate]: ${counts.input} in, ${counts.output} kept; removed ${counts.contaminated ?? 0} overlapping the evaluation set`];
  }
  const rules = (counts.filtered ?? []).filter((rule) => rule.removed > 0).map((rule) => `${rule.rule}: ${rule.removed}`);
  return [`  ${step.name} [filter]: ${counts.input} in, ${counts.output} kept${rules.length ? `; removed by ${rules.join(', ')}` : ''}`];
}

/** `judged 20, kept 14; below correctness 5, below total 3` or `judged 6, kept 4; orders disagreed 2`. */
function judgeLine(judge: NonNullable<StepCounts['judge']>): string {
  const dropped =
    judge.mode === 'pairwise'
      ? [`orders disagreed ${judge.disagreed ?? 0}`, ...(judge.incomplete ? [`one order invalid ${judge.incomplete}`] : [])]
      : Object.entries(judge.below ?? {}).map(([key, count]) => `below ${key} ${count}`);
  return `    judged ${judge.judged}, kept ${judge.kept}${dropped.length ? `; ${dropped.join(', ')}` : ''}`;
}

/** `3 first try, 1 after repair, 1 after retry`; a step counted before repair rounds shows no repair figure. */
function validBreakdown(counts: StepCounts): string {
  const repair = counts.repair;
  if (!repair) return `${counts.firstTry ?? 0} first try, ${counts.retried ?? 0} after retry`;
  return `${repair.valid_first_try} first try, ${repair.valid_after_repair.total} after repair, ${repair.valid_after_retry} after retry`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
