import { z } from 'zod';
import type { ChatRole, DataRecord } from '../../domain.js';
import { isPlainObject } from '../column-kinds.js';
import type { OutputTemplates } from '../output-templates.js';
import { hasExactly, hasRole, isNonBlank, isRowId, nonBlank, renderMessages, STRING_KIND, systemOnlyFirst, type DatasetFormat } from './format-helpers.js';

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

const ROW_KEYS = ['id', 'conversations'];
const TURN_KEYS = ['from', 'value'];
const SPEAKERS: ReadonlySet<unknown> = new Set(['system', 'human', 'gpt']);

/** What the schema's `conversations` takes as it is. */
function isTurnList(value: unknown): boolean {
  if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype || value.length === 0) return false;
  let gpt = false;
  for (let index = 0; index < value.length; index++) {
    const turn: unknown = value[index];
    if (!hasExactly(turn, TURN_KEYS) || !SPEAKERS.has(turn.from) || !isNonBlank(turn.value)) return false;
    if (turn.from === 'system' && index > 0) return false;
    if (turn.from === 'gpt') gpt = true;
  }
  return gpt;
}

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
  acceptsAsIs: (candidate) => hasExactly(candidate, ROW_KEYS) && isRowId(candidate.id) && isTurnList(candidate.conversations),
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
