/**
 * What an invalid answer leaves behind for its repair, written with it into the shard's invalid file
 * when the shard is collected: the answer's text and the validator's findings at JSON Pointer paths
 * (`` `/answer`: expected string, got null ``). Both are capped, so a repair request stays bounded
 * however long or wrong the answer was. Only answers a repair turn can fix carry it (not JSON, schema
 * violation); a truncated answer is asked again with more tokens instead (repair-requests.ts), and the
 * invalid line's `usage` already says how many it got.
 */
import type { BatchItemResult } from '../providers/batch-provider.js';
import { toPointer } from '../schema/json-pointer.js';
import type { Evaluation } from './evaluate-result.js';

/** The answer's text is cut here (a cut answer still shows the model what it wrote). */
export const REPAIR_ANSWER_CHARS = 8_000;
/** At most this many findings are listed; the rest are counted in one line. */
export const REPAIR_MAX_ERRORS = 10;
const REPAIR_ERROR_CHARS = 300;

export interface RepairEvidence {
  /** The invalid answer as the model wrote it (for a forced tool call, the tool input as JSON), capped. */
  answer: string;
  /** One line per finding, capped in count and length. */
  errors: string[];
}

/** The invalid-file field `repair` for an answer a repair turn can fix; nothing for any other outcome. */
export function repairEvidenceOf(evaluation: Evaluation, result: BatchItemResult): { repair: RepairEvidence } | undefined {
  if (result.outcome !== 'succeeded' || result.vector) return undefined;
  if (evaluation.outcome !== 'not_json' && evaluation.outcome !== 'schema_violation') return undefined;
  const issues = evaluation.issues ?? [{ path: [], message: evaluation.reason ?? evaluation.outcome }];
  const errors = issues.slice(0, REPAIR_MAX_ERRORS).map((issue) => cap(`${where(issue.path)}: ${issue.message}`, REPAIR_ERROR_CHARS));
  if (issues.length > REPAIR_MAX_ERRORS) errors.push(`… and ${issues.length - REPAIR_MAX_ERRORS} more`);
  return { repair: { answer: cap(result.text, REPAIR_ANSWER_CHARS), errors } };
}

function where(path: readonly (string | number)[]): string {
  return path.length === 0 ? 'the whole answer' : `\`${toPointer(path)}\``;
}

function cap(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars)}…` : text;
}
