import { formatUsd } from '../../cost/cost.js';
import type { RunPlan, StepQueuePlan } from '../../engine/estimate-run.js';
import type { ProductSeedCount } from '../../seeds/expand-product.js';
import { renderRecipeIssues } from './recipe-issues.js';
import { terminalSafeLines } from './terminal-text.js';

export function renderPlan(plan: RunPlan & { products?: ProductSeedCount[] }): string {
  const lines = [`${plan.dataset}: ${plan.seedRecords} seed records`];
  for (const product of plan.products ?? []) lines.push(`  ${describeProductSeed(product)}`);
  for (const step of plan.steps) {
    const bound = step.exact ? '' : 'up to ';
    if (step.kind === 'generate' || step.kind === 'embed') {
      lines.push(
        `  ${step.name}: ${step.provider}/${step.model}, structured output ${step.outputMode}; ` +
          `${bound}${step.inputRecords} records → ${bound}${step.requests} requests${step.cached ? ` (${step.cached} cached)` : ''} in ${bound}${step.shards} shard(s)`,
      );
      if (step.estimate) {
        lines.push(`    estimate: ${describeEstimate(step.estimate)}`);
        lines.push(`    output tokens: ~${step.estimate.outputTokensPerRequest} per request (${step.estimate.basis})`);
      }
      if (step.queue) lines.push(`    queue: ${describeQueue(step.queue)}`);
    } else {
      lines.push(`  ${step.name} (${step.kind}): ${bound}${step.inputRecords} records in`);
    }
  }
  lines.push(`total estimate: ${describeEstimate(plan.estimate)}${plan.budgetUsd !== undefined ? `; budget ${formatUsd(plan.budgetUsd)}` : ''}`);
  const warnings = plan.warnings?.length ? `\n${renderRecipeIssues(plan.warnings)}` : '';
  return terminalSafeLines(lines.join('\n')) + warnings;
}

const QUEUE_UNITS = { input_tokens: 'input tokens', requests: 'requests' } as const;
const LIMIT_SOURCES = { environment: 'from SYNTHFORGE_QUEUE_LIMITS', recipe: 'from queue_limits', default: "provider's default" } as const;

/** `openai/gpt-4o-mini: ~120,000 input tokens to queue, limit 2,000,000 (…): fits at once`. */
export function describeQueue(queue: StepQueuePlan): string {
  const head = `${queue.name}: ~${count(queue.queued)} ${QUEUE_UNITS[queue.unit]} to queue`;
  if (queue.limit === undefined) return `${head}, no limit (${LIMIT_SOURCES[queue.source]}): a full queue is learnt from the provider's refusals`;
  // The real limit depends on the account and no API tells it: say where to set it.
  const hint = queue.source === 'default' ? "; set your account's in queue_limits or SYNTHFORGE_QUEUE_LIMITS" : '';
  const waves = queue.waves ?? 1;
  const fit = waves <= 1 ? 'fits at once' : `about ${waves} fills of the queue (later shards wait for earlier batches to end)`;
  return `${head}, limit ${count(queue.limit)} (${LIMIT_SOURCES[queue.source]}${hint}): ${fit}`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function describeEstimate(estimate: RunPlan['estimate']): string {
  const cost =
    estimate.batchUsd === null
      ? 'cost unknown (no price for some model; add prices: to the recipe)'
      : `${formatUsd(estimate.batchUsd)} batch vs ${formatUsd(estimate.syncUsd ?? 0)} synchronous (saves ${formatUsd(estimate.savingsUsd ?? 0)})`;
  const range = estimate.range?.batchUsd ? ` (95% interval ${formatUsd(estimate.range.batchUsd[0])}–${formatUsd(estimate.range.batchUsd[1])} batch)` : '';
  return `~${estimate.inputTokens} input + ~${estimate.outputTokens} output tokens, ${cost}${range}`;
}

/** `seeds[0]: product of 6 combinations → 4 records` (the second part only when limit or sample cut it). */
export function describeProductSeed(product: ProductSeedCount): string {
  const records = product.records === product.combinations ? "" : ` → ${product.records.toLocaleString("en-US")} records`;
  return `seeds[${product.source}]: product of ${product.combinations.toLocaleString("en-US")} combinations${records}`;
}
