import type { z } from 'zod';
import type { DataRecord } from '../domain.js';
import { formatPath, toIssuePath } from '../issues.js';
import { DATASET_FORMATS, type DatasetRow } from './formats/dataset-formats.js';
import type { DatasetFormat } from './formats/format-helpers.js';
import type { OutputFormat } from './output-spec.js';
import type { OutputTemplates } from './output-templates.js';

export type MappedRow = { ok: true; row: DatasetRow } | { ok: false; problems: string[] };

/**
 * One record to one row of the output format, checked against the format's schema. A record that
 * cannot be mapped (a template that fails on it, a row the schema rejects) comes back with its
 * problems so the writer can report it instead of writing a broken row.
 */
export function mapRecordToRow(format: OutputFormat, record: DataRecord, templates: OutputTemplates): MappedRow {
  const definition = DATASET_FORMATS[format] as DatasetFormat<DatasetRow>;
  let candidate: Record<string, unknown>;
  try {
    candidate = definition.mapRecord(record, templates);
  } catch (error) {
    return { ok: false, problems: [error instanceof Error ? error.message : String(error)] };
  }
  // Most rows are already exactly what the schema would return: it then only names the problems.
  if (definition.acceptsAsIs?.(candidate)) return { ok: true, row: candidate as DatasetRow };
  return checkRow(definition.rowSchema, candidate);
}

export function checkRow(schema: z.ZodType<DatasetRow>, candidate: unknown): MappedRow {
  const checked = schema.safeParse(candidate);
  if (checked.success) return { ok: true, row: checked.data };
  return { ok: false, problems: formatZodIssues(checked.error.issues) };
}

/** Union schemas report each branch; the branch that got furthest is the one worth showing. */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      lines.push(...formatZodIssues(best.map((nested) => ({ ...nested, path: [...issue.path, ...nested.path] }))));
    } else {
      lines.push(`${formatPath(toIssuePath(issue.path))}: ${issue.message}`);
    }
  }
  return lines;
}
