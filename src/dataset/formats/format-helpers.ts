import { z } from 'zod';
import type { ChatMessage, DataRecord } from '../../domain.js';
import type { InferredKind } from '../column-kinds.js';
import type { OutputFormat } from '../output-spec.js';
import type { OutputTemplates } from '../output-templates.js';

/**
 * How one output format turns records into rows. `mapRecord` builds a candidate row from the
 * recipe's templates (or, without templates, from the record fields of the same names) and may
 * throw; `rowSchema` is the format's own contract, checked on every row before it is written.
 */
export interface DatasetFormat<Row extends { id: string }> {
  readonly name: OutputFormat;
  readonly rowSchema: z.ZodType<Row>;
  /** Columns every row has in the data files, in order, so an empty split still has the format's schema. */
  readonly columns: readonly { name: string; kind: InferredKind }[];
  /**
   * False when the trainer that reads the format takes nothing but its own keys (OpenAI fine-tuning),
   * so the data files hold the row without `id`; the id stays in `lineage.jsonl`, line for line.
   */
  readonly writesId: boolean;
  mapRecord(record: DataRecord, templates: OutputTemplates): Record<string, unknown>;
  /**
   * True only when `rowSchema` would accept the candidate and give back the same JSON (its keys in
   * the schema's order, plain objects and arrays): the row is then written as it is, without the
   * schema's walk and copy. False whenever unsure; the schema then decides and names the problems.
   */
  readonly acceptsAsIs?: (candidate: Record<string, unknown>) => boolean;
}


export const nonBlank = (what: string) => z.string().refine((value) => value.trim() !== '', { message: `${what} is empty` });

export const chatMessageSchema: z.ZodType<ChatMessage> = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: nonBlank('message content'),
});

/** A plain object (or array) whose own enumerable keys are exactly `keys`, in that order. */
export function hasExactly(value: unknown, keys: readonly string[]): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  // for-in allocates no key list; it also lists an enumerable key someone added to Object.prototype, which only sends the row to the schema.
  let index = 0;
  for (const key in value) if (key !== keys[index++]) return false;
  return index === keys.length;
}

/** What `nonBlank` accepts. */
export function isNonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** What `z.string().min(1)` accepts: the row id. */
export function isRowId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

const MESSAGE_KEYS = ['role', 'content'] as const;
const ROLES: ReadonlySet<unknown> = new Set(['system', 'user', 'assistant']);

/** A non-empty array of messages `chatMessageSchema` takes as they are; `onlyRole`: every one has it. */
export function isMessageList(value: unknown, onlyRole?: string): value is ChatMessage[] {
  if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype || value.length === 0) return false;
  for (let index = 0; index < value.length; index++) {
    const message: unknown = value[index];
    if (!hasExactly(message, MESSAGE_KEYS) || !ROLES.has(message.role) || !isNonBlank(message.content)) return false;
    if (onlyRole !== undefined && message.role !== onlyRole) return false;
  }
  return true;
}

export const MESSAGE_LIST_KIND: InferredKind = { type: 'struct-list', fields: ['role', 'content'] };
export const STRING_KIND: InferredKind = { type: 'string' };

/** Render errors name the record by where it was read (`seeds/x.jsonl:57`) when it is known. */
export function renderMessages(templates: NonNullable<OutputTemplates['messages']>, record: DataRecord): ChatMessage[] {
  return templates.map((message) => ({ role: message.role, content: message.content.render(record.fields, record.source ?? record.id) }));
}

/** A templated field when the recipe maps it, else the record's field of the same name. */
export function fieldValue(record: DataRecord, templates: OutputTemplates, name: string): unknown {
  const template = templates.fields?.[name];
  return template ? template.render(record.fields, record.source ?? record.id) : record.fields[name];
}

export function hasRole(messages: readonly { role: string }[], role: string): boolean {
  return messages.some((message) => message.role === role);
}

/** System messages may only open a conversation. */
export function systemOnlyFirst(messages: readonly { role: string }[]): boolean {
  return messages.every((message, index) => message.role !== 'system' || index === 0);
}
