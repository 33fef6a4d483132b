/**
 * What the answers already in the response cache say about a step: how many output (and input)
 * tokens its answers hold. `plan`, `preview` and a run estimate output tokens from these when they
 * exist, instead of from the schema's shape, which can be off many times over (a one-sentence summary
 * under a schema with no maxLength is estimated at about a paragraph).
 *
 * A step is recognised across runs by the dataset name, the step's name and its model: a preview, an
 * earlier run, or a run of an edited prompt of the same step all count.
 */
import type { ObservedTokens } from '../cost/estimate-output-tokens.js';
import type { RunStore } from '../store/run-store.js';

export interface StepObservation {
  output: ObservedTokens;
  /** Mean input tokens per answer, as the provider counted them. */
  meanInputTokens: number;
  /** Where the answers come from, as `plan` names it: `observed: 20 answers from a preview`. */
  basis: string;
}

export function observationKey(stepName: string, provider: string, model: string): string {
  return `${stepName}\u0000${provider}/${model}`;
}

/** Observations per step (keyed by `observationKey`) of every run of `dataset` in the store. */
export function observeSteps(store: RunStore, dataset: string): Map<string, StepObservation> {
  const groups = new Map<string, { output: ObservedTokens; input: number; previews: Set<string>; runs: Set<string> }>();
  for (const row of store.answerTokenStats(dataset)) {
    const key = observationKey(row.stepName, row.provider, row.model);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { output: { answers: 0, sum: 0, sumOfSquares: 0 }, input: 0, previews: new Set(), runs: new Set() }));
    group.output.answers += row.answers;
    group.output.sum += row.outputTokens;
    group.output.sumOfSquares += row.outputTokensSquared;
    group.input += row.inputTokens;
    (row.runOptions.preview === true ? group.previews : group.runs).add(row.runId);
  }
  const observations = new Map<string, StepObservation>();
  for (const [key, group] of groups) {
    if (group.output.answers === 0) continue;
    observations.set(key, {
      output: group.output,
      meanInputTokens: group.input / group.output.answers,
      basis: `observed: ${group.output.answers} answer${group.output.answers === 1 ? '' : 's'} from ${sources(group.previews.size, group.runs.size)}`,
    });
  }
  return observations;
}

function sources(previews: number, runs: number): string {
  const parts: string[] = [];
  if (previews > 0) parts.push(previews === 1 ? 'a preview' : `${previews} previews`);
  if (runs > 0) parts.push(runs === 1 ? 'an earlier run' : `${runs} earlier runs`);
  return parts.join(' and ');
}
