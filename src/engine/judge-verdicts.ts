/**
 * The arithmetic of a judge's answers, apart from any record or file: the weighted total of a rubric's
 * scores, which `keep_if` thresholds a scored record falls short of, and the verdict of a pairwise
 * comparison asked in both orders.
 */
import { JUDGE_THRESHOLD_PATTERN, JUDGE_TOTAL } from '../recipe/recipe-schema.js';
import type { JudgeStep } from '../recipe/recipe.js';

type Comparison = '>=' | '>' | '<=' | '<' | '==';

export interface Threshold {
  /** A criterion, or `total`. */
  key: string;
  comparison: Comparison;
  value: number;
}

/** A criterion's answer as the judge's schema has it. */
export interface CriterionScore {
  reason: string;
  score: number;
}

/** `keep_if` in the order written; validation (recipe-schema.ts) has already refused a bad one. */
export function parseThresholds(keepIf: JudgeStep['keep_if']): Threshold[] {
  return Object.entries(keepIf ?? {}).map(([key, spec]) => {
    if (typeof spec === 'number') return { key, comparison: '>=', value: spec };
    const match = JUDGE_THRESHOLD_PATTERN.exec(spec)!;
    return { key, comparison: match[1] as Comparison, value: Number(match[2]) };
  });
}

/** The weighted mean of the scores, to three decimals (what is written is what was compared). */
export function weightedTotal(scores: Record<string, CriterionScore>, rubric: NonNullable<JudgeStep['rubric']>): number {
  let sum = 0;
  let weights = 0;
  for (const [name, criterion] of Object.entries(rubric)) {
    sum += (scores[name]?.score ?? 0) * criterion.weight;
    weights += criterion.weight;
  }
  return Math.round((sum / weights) * 1000) / 1000;
}

/** The thresholds a record misses, each with the value it had: `correctness 3, needs >= 4`. */
export function missedThresholds(values: Record<string, number>, thresholds: readonly Threshold[]): { key: string; reason: string }[] {
  const missed: { key: string; reason: string }[] = [];
  for (const threshold of thresholds) {
    const value = values[threshold.key]!;
    if (!compare(value, threshold)) missed.push({ key: threshold.key, reason: `${threshold.key} ${value}, needs ${threshold.comparison} ${threshold.value}` });
  }
  return missed;
}

function compare(value: number, { comparison, value: bound }: Threshold): boolean {
  switch (comparison) {
    case '>=':
      return value >= bound;
    case '>':
      return value > bound;
    case '<=':
      return value <= bound;
    case '<':
      return value < bound;
    case '==':
      return value === bound;
  }
}

/** The values `keep_if` reads: each criterion's score and the total. */
export function thresholdValues(scores: Record<string, CriterionScore>, total: number): Record<string, number> {
  return { ...Object.fromEntries(Object.entries(scores).map(([name, answer]) => [name, answer.score])), [JUDGE_TOTAL]: total };
}

/**
 * Which answer won, given the position the judge picked with `a` shown first and with `b` shown
 * first; undefined when the two disagree, i.e. the judge picked by position, not by content.
 */
export function pairwiseVerdict(aFirst: 'A' | 'B', bFirst: 'A' | 'B'): 'a' | 'b' | undefined {
  const winnerAFirst = aFirst === 'A' ? 'a' : 'b';
  const winnerBFirst = bFirst === 'A' ? 'b' : 'a';
  return winnerAFirst === winnerBFirst ? winnerAFirst : undefined;
}
