import { z } from 'zod';
import type { ChatMessage, DataRecord } from '../../domain.js';
import type { OutputTemplates } from '../output-templates.js';
import { chatMessageSchema, hasExactly, hasRole, isMessageList, isRowId, MESSAGE_LIST_KIND, renderMessages, systemOnlyFirst, type DatasetFormat } from './format-helpers.js';

/**
 * `openai-chat`: `{"messages": [...]}`, exactly the OpenAI fine-tuning (and TRL conversational LM)
 * shape: the data files hold no `id`. `openDataset` gives each row its id back from `lineage.jsonl`.
 */
export interface OpenAIChatRow {
  id: string;
  messages: ChatMessage[];
}

export const openAIChatRowSchema: z.ZodType<OpenAIChatRow> = z.strictObject({
  id: z.string().min(1),
  messages: z
    .array(chatMessageSchema)
    .min(1)
    .refine((messages) => hasRole(messages, 'assistant'), { message: 'a conversation needs at least one assistant message' })
    .refine(systemOnlyFirst, { message: 'a system message may only come first' }),
});

const ROW_KEYS = ['id', 'messages'];

export const openAIChatFormat: DatasetFormat<OpenAIChatRow> = {
  name: 'openai-chat',
  rowSchema: openAIChatRowSchema,
  writesId: false,
  columns: [{ name: 'messages', kind: MESSAGE_LIST_KIND }],
  mapRecord(record: DataRecord, templates: OutputTemplates): Record<string, unknown> {
    return { id: record.id, messages: templates.messages ? renderMessages(templates.messages, record) : record.fields.messages };
  },
  acceptsAsIs: (candidate) =>
    hasExactly(candidate, ROW_KEYS) &&
    isRowId(candidate.id) &&
    isMessageList(candidate.messages) &&
    hasRole(candidate.messages, 'assistant') &&
    systemOnlyFirst(candidate.messages),
};
