import { z } from 'zod';
import { chatMessageTemplateSchema, templateSchema } from '../recipe/template-source.js';

/**
 * The `output:` block of a recipe: how the records of the last step become dataset rows and files.
 * It lives with the dataset module that consumes it; the recipe loader only validates it.
 */
export const OUTPUT_FORMATS = ['raw', 'openai-chat', 'sharegpt', 'alpaca', 'prompt-completion', 'preference'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const outputSpecSchema = z.strictObject({
  format: z.enum(OUTPUT_FORMATS).default('raw'),
  /** openai-chat / sharegpt: the conversation, templated from record fields. */
  messages: z.array(chatMessageTemplateSchema).min(1).optional(),
  /** Per-format field maps (alpaca: instruction/input/output; prompt-completion; preference), templated. */
  fields: z.record(z.string(), templateSchema).optional(),
  /** Named splits with fractions summing to 1; assigned by a hash of the record id. */
  splits: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'split names are lowercase words'), z.number().positive().max(1)).optional(),
  stratify_by: z.string().min(1).optional(),
  files: z.array(z.enum(['jsonl', 'parquet'])).min(1).default(['jsonl']),
  compression: z.enum(['zstd', 'snappy']).default('zstd'),
  max_rows_per_file: z.int().positive().optional(),
});

export type OutputSpec = z.output<typeof outputSpecSchema>;
