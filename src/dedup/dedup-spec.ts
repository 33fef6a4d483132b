import { z } from 'zod';

/**
 * The recipe's dedup step, as data (the recipe loader validates it; deduper.ts runs it):
 *
 *   - dedup: { fields: [question], exact: true, against: previous,
 *              near: { threshold: 0.8, num_perm: 128, ngram: 5, bands: 16, rows: 8,
 *                      fold_digits: false, char_ngrams: false, high_recall: false } }
 *
 * - fields: the record fields whose text is compared, joined in this order (deduper.ts
 *   dedupTextOf); a dotted path reaches into nested objects ("meta.title", "messages.0.content").
 * - exact (default true): drop records whose normalised text equals an earlier one.
 * - near (optional; omitted = exact only): MinHash-LSH near-duplicates at Jaccard ≥ threshold over
 *   word n-grams (character n-grams with char_ngrams). bands × rows default from the threshold
 *   (lsh-params.ts: 16 × 8 at 0.8, 20 × 6 with high_recall or a threshold ≤ 0.7). fold_digits
 *   turns every run of digits into "0" before hashing, for both the exact and the near check.
 * - against: 'previous' also drops records that duplicate a record of the earlier versions of the
 *   dataset (the engine feeds those as references).
 * Objects are strict, so a misspelt key is an error, not a silent default. A future
 * `semantic: { field, threshold }` (cosine over an embed step's vector) is a new optional key here
 * beside `near`, and the "exact or near" check below becomes "at least one method".
 */

const fieldPathSchema = z
  .string()
  .regex(/^[^.\s]+(\.[^.\s]+)*$/, 'a field name, or a dotted path such as "meta.title" (no empty segments or spaces)');

export const nearDedupSpecSchema = z
  .strictObject({
    threshold: z.number().gt(0, 'threshold must be > 0').max(1, 'threshold is a Jaccard similarity ≤ 1 (0.8, not 80)').default(0.8),
    num_perm: z.int().min(8).max(1024).default(128),
    ngram: z.int().min(1).max(64).default(5),
    bands: z.int().min(1).optional(),
    rows: z.int().min(1).optional(),
    fold_digits: z.boolean().default(false),
    char_ngrams: z.boolean().default(false),
    high_recall: z.boolean().default(false),
  })
  .superRefine((near, context) => {
    const bands = near.bands ?? (near.rows === undefined ? undefined : Math.floor(near.num_perm / near.rows));
    const rows = near.rows ?? (near.bands === undefined ? undefined : Math.floor(near.num_perm / near.bands));
    if (bands === undefined || rows === undefined) return;
    if (bands < 1 || rows < 1 || bands * rows > near.num_perm) {
      context.addIssue({
        code: 'custom',
        path: near.bands === undefined ? ['rows'] : ['bands'],
        message:
          `bands × rows = ${bands} × ${rows} = ${bands * rows} exceeds num_perm ${near.num_perm}: ` +
          'lower bands or rows, or raise num_perm',
      });
    }
  });

export const dedupSpecSchema = z
  .strictObject({
    fields: z.array(fieldPathSchema).min(1, 'list at least one field to compare'),
    exact: z.boolean().default(true),
    near: nearDedupSpecSchema.optional(),
    against: z.literal('previous').optional(),
  })
  .refine((spec) => spec.exact || spec.near !== undefined, {
    message: 'this dedup step does nothing: set exact: true, or add near: { threshold: … }',
    path: ['exact'],
  });

export type DedupSpec = z.output<typeof dedupSpecSchema>;
export type NearDedupSpec = z.output<typeof nearDedupSpecSchema>;
/** What a recipe author writes (defaults optional). */
export type DedupSpecInput = z.input<typeof dedupSpecSchema>;

/** Parses and defaults a dedup step; throws zod's error on bad input. */
export function parseDedupSpec(input: unknown): DedupSpec {
  return dedupSpecSchema.parse(input);
}
