import { z } from 'zod';
import type { ChatMessage, DataRecord } from '../../domain.js';
import type { OutputTemplates } from '../output-templates.js';
import { chatMessageSchema, fieldValue, hasExactly, isMessageList, isNonBlank, isRowId, nonBlank, renderMessages, STRING_KIND, type DatasetFormat } from './format-helpers.js';

/**
 * `preference` (DPO, reward modelling): `prompt`, `chosen`, `rejected`, as TRL reads them. Standard
 * (strings from `output.fields`) or conversational (the prompt from `output.messages`, each answer a
 * one-message assistant list).
 */
export type PreferenceRow =
  | { id: string; prompt: string; chosen: string; rejected: string }
  | { id: string; prompt: ChatMessage[]; chosen: ChatMessage[]; rejected: ChatMessage[] };

const answerSchema = z
  .array(chatMessageSchema)
  .min(1)
  .refine((messages) => messages.every((message) => message.role === 'assistant'), { message: 'answers are assistant messages' });

const differentAnswers = (row: { chosen: unknown; rejected: unknown }) => JSON.stringify(row.chosen) !== JSON.stringify(row.rejected);
const identical = { message: 'chosen and rejected are identical, which teaches nothing', path: ['rejected'] };

const standardSchema = z
  .strictObject({ id: z.string().min(1), prompt: nonBlank('prompt'), chosen: nonBlank('chosen'), rejected: nonBlank('rejected') })
  .refine(differentAnswers, identical);
const conversationalSchema = z
  .strictObject({ id: z.string().min(1), prompt: z.array(chatMessageSchema).min(1), chosen: answerSchema, rejected: answerSchema })
  .refine(differentAnswers, identical);

export const preferenceRowSchema: z.ZodType<PreferenceRow> = z.union([standardSchema, conversationalSchema]);

const ROW_KEYS = ['id', 'prompt', 'chosen', 'rejected'];

export const preferenceFormat: DatasetFormat<PreferenceRow> = {
  name: 'preference',
  rowSchema: preferenceRowSchema,
  writesId: true,
  columns: [
    { name: 'id', kind: STRING_KIND },
    { name: 'prompt', kind: { type: 'null' } },
    { name: 'chosen', kind: { type: 'null' } },
    { name: 'rejected', kind: { type: 'null' } },
  ],
  mapRecord(record: DataRecord, templates: OutputTemplates): Record<string, unknown> {
    const chosen = fieldValue(record, templates, 'chosen');
    const rejected = fieldValue(record, templates, 'rejected');
    if (!templates.messages) return { id: record.id, prompt: fieldValue(record, templates, 'prompt'), chosen, rejected };
    return {
      id: record.id,
      prompt: renderMessages(templates.messages, record),
      chosen: [{ role: 'assistant', content: chosen }],
      rejected: [{ role: 'assistant', content: rejected }],
    };
  },
  acceptsAsIs: (candidate) => {
    if (!hasExactly(candidate, ROW_KEYS) || !isRowId(candidate.id)) return false;
    const { prompt, chosen, rejected } = candidate;
    if (isNonBlank(prompt) && isNonBlank(chosen) && isNonBlank(rejected)) return chosen !== rejected;
    return isMessageList(prompt) && isMessageList(chosen, 'assistant') && isMessageList(rejected, 'assistant') && differentAnswers({ chosen, rejected });
  },
};
