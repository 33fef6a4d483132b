import { z } from 'zod';
import type { DataRecord } from '../../domain.js';
import type { OutputTemplates } from '../output-templates.js';
import { fieldValue, hasExactly, isNonBlank, isRowId, nonBlank, STRING_KIND, type DatasetFormat } from './format-helpers.js';

/** `alpaca`: instruction, optional input, output; `system` and `history` as LLaMA-Factory reads them. */
export interface AlpacaRow {
  id: string;
  instruction: string;
  input: string;
  output: string;
  system?: string;
  /** Earlier (instruction, response) turns; only `export` from multi-turn chats writes it. */
  history?: [string, string][];
}

export const alpacaRowSchema: z.ZodType<AlpacaRow> = z.strictObject({
  id: z.string().min(1),
  instruction: nonBlank('instruction'),
  input: z.string(),
  output: nonBlank('output'),
  system: z.string().optional(),
  history: z.array(z.tuple([z.string(), z.string()])).optional(),
});

const ROW_KEYS = ['id', 'instruction', 'input', 'output'];
const ROW_KEYS_WITH_SYSTEM = [...ROW_KEYS, 'system'];

export const alpacaFormat: DatasetFormat<AlpacaRow> = {
  name: 'alpaca',
  rowSchema: alpacaRowSchema,
  writesId: true,
  columns: [
    { name: 'id', kind: STRING_KIND },
    { name: 'instruction', kind: STRING_KIND },
    { name: 'input', kind: STRING_KIND },
    { name: 'output', kind: STRING_KIND },
  ],
  mapRecord(record: DataRecord, templates: OutputTemplates): Record<string, unknown> {
    const system = fieldValue(record, templates, 'system');
    return {
      id: record.id,
      instruction: fieldValue(record, templates, 'instruction'),
      input: fieldValue(record, templates, 'input') ?? '',
      output: fieldValue(record, templates, 'output'),
      ...(system === undefined || system === '' ? {} : { system }),
    };
  },
  acceptsAsIs: (candidate) =>
    (hasExactly(candidate as unknown, ROW_KEYS) || (typeof candidate.system === 'string' && hasExactly(candidate, ROW_KEYS_WITH_SYSTEM))) &&
    isRowId(candidate.id) &&
    isNonBlank(candidate.instruction) &&
    typeof candidate.input === 'string' &&
    isNonBlank(candidate.output),
};
