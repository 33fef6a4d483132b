import { formatUsd } from '../../cost/cost.js';
import type { RunPlan } from '../../engine/estimate-run.js';

export function renderPlan(plan: RunPlan): string {
  const lines = [`${plan.dataset}: ${plan.seedRecords} seed records`];
  for (const step of plan.steps) {
    const bound = step.exact ? '' : 'up to ';
    if (step.kind === 'generate' || step.kind === 'embed') {
      lines.push(
        `  ${step.name}: ${step.provider}/${step.model}, structured output ${step.outputMode}; ` +
          `${bound}${step.inputRecords} records → ${bound}${step.requests} requests in ${bound}${step.shards} shard(s)`,
      );
      if (step.estimate) lines.push(`    estimate: ${describeEstimate(step.estimate)}`);
    } else {
      lines.push(`  ${step.name} (${step.kind}): ${bound}${step.inputRecords} records in`);
    }
  }
  lines.push(`total estimate: ${describeEstimate(plan.estimate)}${plan.budgetUsd !== undefined ? `; budget ${formatUsd(plan.budgetUsd)}` : ''}`);
  return lines.join('\n');
}

function describeEstimate(estimate: RunPlan['estimate']): string {
  const cost =
    estimate.batchUsd === null
      ? 'cost unknown (no price for some model; add prices: to the recipe)'
      : `${formatUsd(estimate.batchUsd)} batch vs ${formatUsd(estimate.syncUsd ?? 0)} synchronous (saves ${formatUsd(estimate.savingsUsd ?? 0)})`;
  return `~${estimate.inputTokens} input + ~${estimate.outputTokens} output tokens, ${cost}`;
}
