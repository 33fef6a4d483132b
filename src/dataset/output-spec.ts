import { z } from 'zod';
import { chatMessageTemplateSchema, templateSchema } from '../prompt/template-value.js';

/**
 * The `output:` block of a recipe: how the records of the last step become dataset rows and files.
 * It lives with the dataset module that consumes it; the recipe loader only validates it.
 */
export const OUTPUT_FORMATS = ['raw', 'openai-chat', 'sharegpt', 'alpaca', 'prompt-completion', 'preference'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * The names `output.fields` may template, per format. `raw` takes any column name; the chat formats
 * take their conversation from `output.messages` instead.
 */
export const FORMAT_FIELD_NAMES: Readonly<Record<OutputFormat, readonly string[] | 'any'>> = {
  raw: 'any',
  'openai-chat': [],
  sharegpt: [],
  alpaca: ['instruction', 'input', 'output', 'system'],
  'prompt-completion': ['prompt', 'completion'],
  preference: ['prompt', 'chosen', 'rejected'],
};

const SPLIT_SUM_TOLERANCE = 1e-6;
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const cardSchema = z.strictObject({
  license: z.string().min(1).optional(),
  language: z.array(z.string().min(1)).optional(),
  pretty_name: z.string().min(1).optional(),
  task_categories: z.array(z.string().min(1)).optional(),
  tags: z.array(z.string().min(1)).optional(),
});

export const outputSpecSchema = z
  .strictObject({
    format: z.enum(OUTPUT_FORMATS).default('raw'),
    /** openai-chat / sharegpt: the conversation; prompt-completion / preference: the prompt turns. Templated. */
    messages: z.array(chatMessageTemplateSchema).min(1).optional(),
    /** Per-format field maps (alpaca: instruction/input/output; prompt-completion; preference; raw: any column), templated. */
    fields: z.record(z.string(), templateSchema).optional(),
    /** Named splits with fractions summing to 1; assigned by a hash of the record id. */
    splits: z
      .record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'split names are lowercase words'), z.number().positive().max(1))
      .default({ train: 1 }),
    /** A record field whose values each get the split fractions (rank-based within each value). */
    stratify_by: z.string().min(1).optional(),
    files: z.array(z.enum(['jsonl', 'parquet'])).min(1).default(['jsonl']),
    compression: z.enum(['zstd', 'snappy']).default('zstd'),
    /** zstd's level for the Parquet files, 1 (fastest) to 22 (smallest); absent: 3, zstd's own default. */
    compression_level: z.int().min(1).max(22).optional(),
    /** Start a new shard file after this many rows. */
    max_rows_per_file: z.int().positive().optional(),
    /** Start a new shard file once its rows reach this many MiB as JSON lines (Parquet files come out smaller). */
    max_file_mb: z.number().positive().optional(),
    /** Dataset card header values (license, language, …) copied into README.md. */
    card: cardSchema.optional(),
  })
  .superRefine((spec, context) => {
    const fractions = Object.values(spec.splits);
    const sum = fractions.reduce((total, fraction) => total + fraction, 0);
    if (fractions.length === 0) {
      context.addIssue({ code: 'custom', path: ['splits'], message: 'name at least one split, e.g. { train: 1 }' });
    } else if (Math.abs(sum - 1) > SPLIT_SUM_TOLERANCE) {
      context.addIssue({ code: 'custom', path: ['splits'], message: `split fractions must sum to 1, they sum to ${Number(sum.toFixed(6))}` });
    }
    const allowed = FORMAT_FIELD_NAMES[spec.format];
    for (const name of Object.keys(spec.fields ?? {})) {
      if (allowed === 'any') {
        if (!COLUMN_NAME.test(name) || name === 'id') {
          context.addIssue({ code: 'custom', path: ['fields', name], message: `"${name}" cannot be a column name (letters, digits and _; "id" is the record id)` });
        }
      } else if (!allowed.includes(name)) {
        const expected = allowed.length ? `expected one of: ${allowed.join(', ')}` : `this format takes its conversation from output.messages`;
        context.addIssue({ code: 'custom', path: ['fields', name], message: `format ${spec.format} has no field "${name}"; ${expected}` });
      }
    }
    if (spec.compression_level !== undefined && spec.compression !== 'zstd') {
      context.addIssue({ code: 'custom', path: ['compression_level'], message: `compression_level is zstd's level; compression is ${spec.compression}, which has none` });
    }
    if (spec.messages && (spec.format === 'raw' || spec.format === 'alpaca')) {
      context.addIssue({ code: 'custom', path: ['messages'], message: `format ${spec.format} does not use messages; use output.fields` });
    }
  });

export type OutputSpec = z.output<typeof outputSpecSchema>;
export type OutputSpecInput = z.input<typeof outputSpecSchema>;
