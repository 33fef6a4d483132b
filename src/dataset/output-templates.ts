import type { ChatRole, Fields } from '../domain.js';
import { compileTemplate } from '../prompt/compile-template.js';
import type { OutputSpec } from './output-spec.js';

/** A compiled template (see prompt/compile-template.ts); the dataset module only renders it. */
export interface RenderableTemplate {
  render(fields: Fields, recordId?: string): string;
}

/** The recipe's `output.messages` and `output.fields`, compiled by the engine before the run. */
export interface OutputTemplates {
  messages?: { role: ChatRole; content: RenderableTemplate }[];
  fields?: Record<string, RenderableTemplate>;
}

/**
 * The output's templates compiled as the engine compiles them (compile-recipe.ts: the same `where`,
 * so a failed render reads the same), for a worker thread, which cannot be handed compiled ones;
 * undefined when one is a function (a TS recipe's), which cannot be handed to a thread at all.
 */
export function compileOutputTemplates(output: Pick<OutputSpec, 'messages' | 'fields'>): OutputTemplates | undefined {
  if (!templatesAreSources(output)) return undefined;
  const messages = output.messages?.map((message, index) => ({
    role: message.role,
    content: compileTemplate(message.content as string, { where: `output.messages[${index}].content` }),
  }));
  const fields = output.fields
    ? Object.fromEntries(Object.entries(output.fields).map(([name, source]) => [name, compileTemplate(source as string, { where: `output.fields.${name}` })]))
    : undefined;
  return { ...(messages ? { messages } : {}), ...(fields ? { fields } : {}) };
}

/** Whether every output template is a source text (a TS recipe's may be functions, which no thread can be handed). */
export function templatesAreSources(output: Pick<OutputSpec, 'messages' | 'fields'>): boolean {
  const sources = [...(output.messages ?? []).map((message) => message.content), ...Object.values(output.fields ?? {})];
  return sources.every((source) => typeof source === 'string');
}
