import { z } from 'zod';
import type { DataRecord } from '../../domain.js';
import { isPlainObject } from '../column-kinds.js';
import type { OutputTemplates } from '../output-templates.js';
import { STRING_KIND, type DatasetFormat } from './format-helpers.js';

/** `raw`: the record id and every record field (or only the columns `output.fields` templates). */
export interface RawRow {
  id: string;
  [column: string]: unknown;
}

export const rawRowSchema: z.ZodType<RawRow> = z
  .looseObject({ id: z.string().min(1) })
  .superRefine((row, context) => {
    for (const [name, value] of Object.entries(row)) {
      const problem = findNonJson(value);
      if (problem) context.addIssue({ code: 'custom', path: [name, ...problem.path], message: problem.message });
    }
  });

export const rawFormat: DatasetFormat<RawRow> = {
  name: 'raw',
  rowSchema: rawRowSchema,
  writesId: true,
  columns: [{ name: 'id', kind: STRING_KIND }],
  mapRecord(record: DataRecord, templates: OutputTemplates): Record<string, unknown> {
    if (templates.fields) {
      const row: Record<string, unknown> = { id: record.id };
      for (const [name, template] of Object.entries(templates.fields)) row[name] = template.render(record.fields, record.source ?? record.id);
      return row;
    }
    const { id: fieldId, ...rest } = record.fields;
    // The record id names the row; a seed column also called `id` survives under another name when it says something else.
    const keep = fieldId !== undefined && String(fieldId) !== record.id ? { fields_id: fieldId } : {};
    return { id: record.id, ...keep, ...rest };
  },
};

/** Rows must survive a JSON round trip unchanged: no functions, bigints, NaN or class instances. */
function findNonJson(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; message: string } | undefined {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path, message: `${value} is not a JSON number` };
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = findNonJson(item, [...path, index]);
      if (problem) return problem;
    }
    return undefined;
  }
  if (isPlainObject(value) && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    for (const [key, item] of Object.entries(value)) {
      const problem = findNonJson(item, [...path, key]);
      if (problem) return problem;
    }
    return undefined;
  }
  return { path, message: `a ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value} is not JSON data` };
}
