import { z } from 'zod';
import type { ChatMessage, DataRecord } from '../../domain.js';
import { RowMappingError } from '../errors.js';
import type { OutputTemplates } from '../output-templates.js';
import { chatMessageSchema, fieldValue, hasExactly, isMessageList, isNonBlank, isRowId, nonBlank, renderMessages, STRING_KIND, type DatasetFormat } from './format-helpers.js';

/**
 * `prompt-completion` (TRL SFT with completion-only loss): standard (two strings, from
 * `output.fields`) or conversational (two message lists, when the recipe gives `output.messages`).
 */
export type PromptCompletionRow =
  | { id: string; prompt: string; completion: string }
  | { id: string; prompt: ChatMessage[]; completion: ChatMessage[] };

const standardSchema = z.strictObject({ id: z.string().min(1), prompt: nonBlank('prompt'), completion: nonBlank('completion') });
const conversationalSchema = z.strictObject({
  id: z.string().min(1),
  prompt: z.array(chatMessageSchema).min(1),
  completion: z
    .array(chatMessageSchema)
    .min(1)
    .refine((messages) => messages.every((message) => message.role === 'assistant'), { message: 'completion messages are assistant messages' }),
});

export const promptCompletionRowSchema: z.ZodType<PromptCompletionRow> = z.union([standardSchema, conversationalSchema]);

const ROW_KEYS = ['id', 'prompt', 'completion'];

export const promptCompletionFormat: DatasetFormat<PromptCompletionRow> = {
  name: 'prompt-completion',
  rowSchema: promptCompletionRowSchema,
  writesId: true,
  // prompt/completion are strings or message lists, decided by the rows.
  columns: [
    { name: 'id', kind: STRING_KIND },
    { name: 'prompt', kind: { type: 'null' } },
    { name: 'completion', kind: { type: 'null' } },
  ],
  mapRecord(record: DataRecord, templates: OutputTemplates): Record<string, unknown> {
    if (!templates.messages) {
      return { id: record.id, prompt: fieldValue(record, templates, 'prompt'), completion: fieldValue(record, templates, 'completion') };
    }
    const turns = renderMessages(templates.messages, record);
    if (templates.fields?.completion) {
      return { id: record.id, prompt: turns, completion: [{ role: 'assistant', content: fieldValue(record, templates, 'completion') }] };
    }
    const last = turns.at(-1);
    if (turns.length < 2 || last?.role !== 'assistant') {
      throw new RowMappingError('output.messages must end with the assistant completion (or set output.fields.completion)');
    }
    return { id: record.id, prompt: turns.slice(0, -1), completion: [last] };
  },
  acceptsAsIs: (candidate) =>
    hasExactly(candidate, ROW_KEYS) &&
    isRowId(candidate.id) &&
    ((isNonBlank(candidate.prompt) && isNonBlank(candidate.completion)) || (isMessageList(candidate.prompt) && isMessageList(candidate.completion, 'assistant'))),
};
