import { z } from 'zod';
import type { ChatRole, DataRecord } from '../../domain.js';
import { isPlainObject } from '../column-kinds.js';
import type { OutputTemplates } from '../output-templates.js';
import { hasRole, nonBlank, renderMessages, STRING_KIND, systemOnlyFirst, type DatasetFormat } from './format-helpers.js';

export type ShareGPTSpeaker = 'system' | 'human' | 'gpt';

/** `sharegpt`: `{"conversations": [{"from": "human", "value": ...}, {"from": "gpt", ...}]}`. */
export interface ShareGPTRow {
  id: string;
  conversations: { from: ShareGPTSpeaker; value: string }[];
}

export const SHAREGPT_SPEAKER: Readonly<Record<ChatRole, ShareGPTSpeaker>> = { system: 'system', user: 'human', assistant: 'gpt' };
export const CHAT_ROLE_OF_SPEAKER: Readonly<Record<ShareGPTSpeaker, ChatRole>> = { system: 'system', human: 'user', gpt: 'assistant' };

const turnSchema = z.strictObject({ from: z.enum(['system', 'human', 'gpt']), value: nonBlank('turn value') });

export const shareGPTRowSchema: z.ZodType<ShareGPTRow> = z.strictObject({
  id: z.string().min(1),
  conversations: z
    .array(turnSchema)
    .min(1)
    .refine((turns) => hasSpeaker(turns, 'gpt'), { message: 'a conversation needs at least one gpt turn' })
    .refine((turns) => systemOnlyFirst(turns.map((turn) => ({ role: turn.from }))), { message: 'a system turn may only come first' }),
});

export const shareGPTFormat: DatasetFormat<ShareGPTRow> = {
  name: 'sharegpt',
  rowSchema: shareGPTRowSchema,
  writesId: true,
  columns: [
    { name: 'id', kind: STRING_KIND },
    { name: 'conversations', kind: { type: 'struct-list', fields: ['from', 'value'] } },
  ],
  mapRecord(record: DataRecord, templates: OutputTemplates): Record<string, unknown> {
    if (templates.messages) {
      return { id: record.id, conversations: renderMessages(templates.messages, record).map((message) => ({ from: SHAREGPT_SPEAKER[message.role], value: message.content })) };
    }
    const { conversations, messages } = record.fields;
    if (conversations === undefined && Array.isArray(messages)) return { id: record.id, conversations: messages.map(toTurn) };
    return { id: record.id, conversations };
  },
};

function hasSpeaker(turns: readonly { from: string }[], speaker: ShareGPTSpeaker): boolean {
  return hasRole(turns.map((turn) => ({ role: turn.from })), speaker);
}

/** A record field holding OpenAI-style messages becomes ShareGPT turns; anything else is left for the schema to reject. */
function toTurn(message: unknown): unknown {
  if (!isPlainObject(message) || typeof message.role !== 'string') return message;
  const speaker = SHAREGPT_SPEAKER[message.role as ChatRole];
  return speaker ? { from: speaker, value: message.content } : message;
}
