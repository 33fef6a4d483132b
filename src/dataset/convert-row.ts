/**
 * Row conversion between output formats, for `export`. Every format except `raw` describes a
 * conversation, so conversion goes through one: the stored row becomes a list of chat messages
 * (plus the rejected answer of a preference pair), and that list becomes the target row. `raw` rows
 * convert only when they hold OpenAI-style `messages`; preference pairs can only come from
 * preference rows, since nothing else has a rejected answer.
 */
import type { ChatMessage } from '../domain.js';
import { isPlainObject } from './column-kinds.js';
import { ExportUnsupportedError, RowMappingError } from './errors.js';
import { CHAT_ROLE_OF_SPEAKER, SHAREGPT_SPEAKER, type ShareGPTSpeaker } from './formats/sharegpt-format.js';
import type { OutputFormat } from './output-spec.js';

export interface Conversation {
  id: string;
  messages: ChatMessage[];
  /** The rejected answer, for preference rows. */
  rejected?: string;
  /** The row held plain strings (standard prompt-completion or preference), not message lists. */
  standard: boolean;
}

/** Throws ExportUnsupportedError for pairs no row could convert, before any row is read. */
export function checkConversion(from: OutputFormat, to: OutputFormat): void {
  if (to === 'preference' && from !== 'preference') {
    throw new ExportUnsupportedError(`${from} rows have no rejected answer, so they cannot become preference pairs`, { from, to });
  }
}

export function convertRow(from: OutputFormat, to: OutputFormat, row: Record<string, unknown>): Record<string, unknown> {
  checkConversion(from, to);
  if (from === to || to === 'raw') return row;
  return rowFromConversation(to, conversationOf(from, row));
}

export function conversationOf(format: OutputFormat, row: Record<string, unknown>): Conversation {
  const id = String(row.id);
  switch (format) {
    case 'raw':
    case 'openai-chat':
      if (!Array.isArray(row.messages)) throw new RowMappingError('the row has no messages list');
      return { id, messages: row.messages as ChatMessage[], standard: false };
    case 'sharegpt':
      return { id, messages: (row.conversations as { from: ShareGPTSpeaker; value: string }[]).map((turn) => ({ role: CHAT_ROLE_OF_SPEAKER[turn.from], content: turn.value })), standard: false };
    case 'alpaca':
      return { id, messages: alpacaMessages(row), standard: false };
    case 'prompt-completion':
      return { id, messages: [...asMessages(row.prompt, 'user'), ...asMessages(row.completion, 'assistant')], standard: typeof row.prompt === 'string' };
    case 'preference':
      return {
        id,
        messages: [...asMessages(row.prompt, 'user'), ...asMessages(row.chosen, 'assistant')],
        rejected: typeof row.rejected === 'string' ? row.rejected : lastContent(row.rejected),
        standard: typeof row.prompt === 'string',
      };
  }
}

export function rowFromConversation(format: Exclude<OutputFormat, 'raw'>, conversation: Conversation): Record<string, unknown> {
  const { id, messages } = conversation;
  switch (format) {
    case 'openai-chat':
      return { id, messages };
    case 'sharegpt':
      return { id, conversations: messages.map((message) => ({ from: SHAREGPT_SPEAKER[message.role], value: message.content })) };
    case 'alpaca':
      return alpacaRow(conversation);
    case 'prompt-completion': {
      const { prompt, last } = splitLastAnswer(messages);
      if (conversation.standard) return { id, prompt: plainPrompt(prompt), completion: last.content };
      return { id, prompt, completion: [last] };
    }
    case 'preference': {
      const { prompt, last } = splitLastAnswer(messages);
      if (conversation.rejected === undefined) throw new RowMappingError('the row has no rejected answer');
      if (conversation.standard) return { id, prompt: plainPrompt(prompt), chosen: last.content, rejected: conversation.rejected };
      return { id, prompt, chosen: [last], rejected: [{ role: 'assistant', content: conversation.rejected }] };
    }
  }
}

function asMessages(value: unknown, role: 'user' | 'assistant'): ChatMessage[] {
  if (typeof value === 'string') return [{ role, content: value }];
  if (Array.isArray(value)) return value as ChatMessage[];
  throw new RowMappingError(`expected a string or a message list, got ${value === null ? 'null' : typeof value}`);
}

function lastContent(value: unknown): string | undefined {
  const last = Array.isArray(value) ? value.at(-1) : undefined;
  return isPlainObject(last) && typeof last.content === 'string' ? last.content : undefined;
}

function splitLastAnswer(messages: ChatMessage[]): { prompt: ChatMessage[]; last: ChatMessage } {
  const last = messages.at(-1);
  if (!last || last.role !== 'assistant' || messages.length < 2) throw new RowMappingError('the conversation does not end with an assistant answer to a prompt');
  return { prompt: messages.slice(0, -1), last };
}

/** A standard (string) prompt holds exactly one user turn; anything richer needs the conversational form. */
function plainPrompt(prompt: ChatMessage[]): string {
  if (prompt.length !== 1 || prompt[0]!.role !== 'user') throw new RowMappingError('a plain-text prompt must be exactly one user message');
  return prompt[0]!.content;
}

function alpacaMessages(row: Record<string, unknown>): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (typeof row.system === 'string' && row.system !== '') messages.push({ role: 'system', content: row.system });
  for (const [question, answer] of (row.history as [string, string][] | undefined) ?? []) {
    messages.push({ role: 'user', content: question }, { role: 'assistant', content: answer });
  }
  // LLaMA-Factory's reading: the user turn is the instruction, then the input on its own line.
  const input = typeof row.input === 'string' && row.input !== '' ? `\n${row.input}` : '';
  messages.push({ role: 'user', content: `${String(row.instruction)}${input}` }, { role: 'assistant', content: String(row.output) });
  return messages;
}

function alpacaRow({ id, messages }: Conversation): Record<string, unknown> {
  const system = messages[0]?.role === 'system' ? messages[0].content : undefined;
  const turns = system === undefined ? messages : messages.slice(1);
  if (turns.length < 2 || turns.length % 2 !== 0 || turns.some((message, index) => message.role !== (index % 2 === 0 ? 'user' : 'assistant'))) {
    throw new RowMappingError('alpaca needs alternating user/assistant turns after an optional system message');
  }
  const pairs: [string, string][] = [];
  for (let index = 0; index < turns.length; index += 2) pairs.push([turns[index]!.content, turns[index + 1]!.content]);
  const [instruction, output] = pairs.pop()!;
  return { id, instruction, input: '', output, ...(system === undefined ? {} : { system }), ...(pairs.length ? { history: pairs } : {}) };
}
