import type { ChatRole, Fields } from '../domain.js';

/** A compiled template (see prompt/compile-template.ts); the dataset module only renders it. */
export interface RenderableTemplate {
  render(fields: Fields, recordId?: string): string;
}

/** The recipe's `output.messages` and `output.fields`, compiled by the engine before the run. */
export interface OutputTemplates {
  messages?: { role: ChatRole; content: RenderableTemplate }[];
  fields?: Record<string, RenderableTemplate>;
}
