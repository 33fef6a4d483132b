/**
 * What a judge step does with its valid answers, after they were merged into their records by the
 * generate machinery (emit-samples.ts): a rubric judge adds the weighted total and drops the records
 * that miss a `keep_if` threshold, counted by the threshold missed; a pairwise judge pairs each
 * record's two orders and keeps the record only when both picked the same answer, writing it as
 * `chosen` and the other as `rejected`. Dropped records go to the step's judge rejects file (kind
 * `filtered`, with `--keep-rejects`), beside the rejects the planner wrote.
 */
import type { DataRecord, Fields } from '../domain.js';
import type { JudgeStep } from '../recipe/recipe.js';
import type { CompiledJudge } from './judge-prompt.js';
import { missedThresholds, pairwiseVerdict, parseThresholds, thresholdValues, weightedTotal, type CriterionScore } from './judge-verdicts.js';
import type { JudgeCounts, StepCounts } from './run-report.js';
import { writeRecords } from './stage-files.js';
import { StepRejects } from './step-rejects.js';

/** The judge's own rejects file, beside the step's (planning writes that one before the answers exist). */
export function judgeRejectsPath(stepRejectsPath: string): string {
  return stepRejectsPath.replace(/-rejects\.jsonl$/, '-judge-rejects.jsonl');
}

/** Writes the judged records of a step as its output stage, and its drops to the judge's rejects file. */
export async function writeJudgedRecords(
  outputPath: string,
  judge: CompiledJudge,
  samples: AsyncIterable<DataRecord>,
  counts: StepCounts,
  options: { stepRejectsPath: string; keepRemoved: boolean },
): Promise<void> {
  const rejects = new StepRejects(judgeRejectsPath(options.stepRejectsPath), { keepRemoved: options.keepRemoved });
  try {
    await writeRecords(outputPath, judgeRecords(judge, samples, counts, rejects));
  } catch (error) {
    rejects.abort();
    throw error;
  }
  await rejects.commit();
}

export function judgeRecords(judge: CompiledJudge, samples: AsyncIterable<DataRecord>, counts: StepCounts, rejects: StepRejects): AsyncIterable<DataRecord> {
  return judge.step.mode === 'pairwise' ? pairwiseRecords(judge, samples, counts, rejects) : rubricRecords(judge.step, samples, counts, rejects);
}

async function* rubricRecords(step: JudgeStep, samples: AsyncIterable<DataRecord>, counts: StepCounts, rejects: StepRejects): AsyncIterable<DataRecord> {
  const thresholds = parseThresholds(step.keep_if);
  const tally: JudgeCounts = { mode: 'rubric', judged: 0, kept: 0, below: Object.fromEntries(thresholds.map((threshold) => [threshold.key, 0])) };
  for await (const sample of samples) {
    tally.judged++;
    const scores = sample.fields[step.name] as Record<string, CriterionScore>;
    const total = weightedTotal(scores, step.rubric!);
    const record = withField(sample, step.name, { ...scores, total });
    const missed = missedThresholds(thresholdValues(scores, total), thresholds);
    if (missed.length > 0) {
      for (const { key } of missed) tally.below![key]!++;
      await rejects.removed(record, step.name, 'filtered', `${step.name}: ${missed.map((item) => item.reason).join('; ')}`);
      continue;
    }
    tally.kept++;
    yield record;
  }
  counts.output = tally.kept;
  counts.judge = tally;
}

interface Verdict {
  reason: string;
  better: 'A' | 'B';
}

/**
 * Samples 0 (`a` shown first) and 1 (`b` first) of a record arrive one after the other, as the
 * emitter yields them in input order; either may be missing when its answer stayed invalid.
 */
async function* pairwiseRecords(judge: CompiledJudge, samples: AsyncIterable<DataRecord>, counts: StepCounts, rejects: StepRejects): AsyncIterable<DataRecord> {
  const { name } = judge.step;
  const tally: JudgeCounts = { mode: 'pairwise', judged: 0, kept: 0, disagreed: 0, incomplete: 0 };
  let pending: { parentId: string; record: DataRecord } | undefined;
  for await (const sample of samples) {
    const dot = sample.id.lastIndexOf('.');
    const parentId = sample.id.slice(0, dot);
    if (sample.id.slice(dot + 1) === '0') {
      if (pending) tally.incomplete!++;
      pending = { parentId, record: sample };
      continue;
    }
    if (pending?.parentId !== parentId) {
      if (pending) tally.incomplete!++;
      tally.incomplete!++;
      pending = undefined;
      continue;
    }
    const first = pending.record;
    pending = undefined;
    tally.judged++;
    const aFirst = first.fields[name] as Verdict;
    const bFirst = sample.fields[name] as Verdict;
    const winner = pairwiseVerdict(aFirst.better, bFirst.better);
    const label = sample.source ?? parentId;
    const answers = { a: judge.a!.render(sample.fields, label), b: judge.b!.render(sample.fields, label) };
    const record: DataRecord = {
      ...sample,
      id: parentId,
      fields: {
        ...sample.fields,
        [name]: { ...(winner ? { winner } : {}), a_first: aFirst, b_first: bFirst },
        ...(winner ? { chosen: answers[winner], rejected: answers[winner === 'a' ? 'b' : 'a'] } : {}),
      },
      lineage: [...first.lineage, sample.lineage[sample.lineage.length - 1]!],
    };
    if (!winner) {
      tally.disagreed!++;
      const picked = (verdict: Verdict, shownFirst: 'a' | 'b') => (verdict.better === 'A' ? shownFirst : shownFirst === 'a' ? 'b' : 'a');
      await rejects.removed(record, name, 'filtered', `${name}: the orders disagree (a shown first: picked ${picked(aFirst, 'a')}; b shown first: picked ${picked(bFirst, 'b')})`);
      continue;
    }
    tally.kept++;
    yield record;
  }
  if (pending) tally.incomplete!++;
  counts.output = tally.kept;
  counts.judge = tally;
}

function withField(record: DataRecord, name: string, value: unknown): DataRecord {
  const fields: Fields = { ...record.fields, [name]: value };
  return { ...record, fields };
}
