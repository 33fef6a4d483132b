import type { ChatMessage, ChatRole, Fields } from '../domain.js';
import type { CompiledTemplate } from './compile-template.js';
import { TemplateError } from './errors.js';

export interface MessageTemplates {
  system?: CompiledTemplate;
  prompt?: CompiledTemplate;
  messages?: { role: ChatRole; content: CompiledTemplate }[];
}

/**
 * The chat messages of one request: the system message, then `messages` in order (few-shot turns or
 * a fixed conversation), then `prompt` as the final user message. The text is exactly what the
 * templates render, since it is also part of the request's cache key: nothing is trimmed beyond the
 * single trailing newline Jinja itself drops (so a YAML `prompt: |` block ends cleanly).
 */
export function renderMessages(templates: MessageTemplates, fields: Fields, recordId?: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (templates.system !== undefined) {
    messages.push({ role: 'system', content: templates.system.render(fields, recordId) });
  }
  for (const message of templates.messages ?? []) {
    messages.push({ role: message.role, content: message.content.render(fields, recordId) });
  }
  if (templates.prompt !== undefined) {
    messages.push({ role: 'user', content: templates.prompt.render(fields, recordId) });
  }
  if (messages.length === 0) {
    throw new TemplateError('no system, prompt or messages template to render', recordId === undefined ? {} : { recordId });
  }
  return messages;
}
