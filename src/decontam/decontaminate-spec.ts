import { z } from 'zod';

/**
 * The recipe's decontaminate step, all keys shown:
 *
 *   - decontaminate: no-benchmark-leaks
 *     against: [evals/gsm8k-test.jsonl, evals/mmlu]   # files or dataset folders, relative to the recipe
 *     fields: [question, answer]                      # record fields compared (dotted paths reach inside)
 *     eval_fields: [question]                         # evaluation item fields (default: every string)
 *     ngram: 13                                       # words per n-gram
 *
 * A record sharing one normalised word n-gram with any evaluation item is removed.
 */
/** 13 words, as the GPT-3 and Llama 2 contamination studies used: long enough that clean text almost never shares one. */
export const DEFAULT_DECONTAM_NGRAM = 13;

const fieldPathSchema = z
  .string()
  .regex(/^[^.\s]+(\.[^.\s]+)*$/, 'a field name, or a dotted path such as "meta.title" (no empty segments or spaces)');

export const decontaminateStepSchema = z.strictObject({
  decontaminate: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'a step name: letters, digits, "_" or "-", starting with a letter'),
  against: z.array(z.string().min(1)).min(1, 'name at least one evaluation set: a JSONL, CSV or Parquet file, or a dataset folder'),
  fields: z.array(fieldPathSchema).min(1, 'name the record fields to compare'),
  eval_fields: z.array(fieldPathSchema).min(1).optional(),
  ngram: z.int().min(1).max(64).default(DEFAULT_DECONTAM_NGRAM),
});

export type DecontaminateSpec = Omit<z.output<typeof decontaminateStepSchema>, 'decontaminate'>;
