import { z } from 'zod';
import type { Fields } from '../domain.js';

/** A prompt or content template: Jinja text in YAML and TS recipes, or a function in TS recipes. */
export type TemplateValue = string | ((fields: Fields) => string);

export const templateSchema = z.custom<TemplateValue>(
  (value) => typeof value === 'string' || typeof value === 'function',
  { message: 'expected a template string (or, in a TS recipe, a function of the record)' },
);

export const chatMessageTemplateSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: templateSchema,
});
