/**
 * The zod model of a recipe document, the contract users write against (the
 * README's "Recipes" section). Objects are strict so a typo fails instead of being ignored. Seeds and steps are
 * validated one entry at a time by `validate-document.ts`, which picks the schema from the entry's
 * kind key: a union would report every alternative's errors and bury the real one.
 */
import { z } from 'zod';
import { priceOverridesSchema } from '../cost/price-spec.js';
import { outputSpecSchema } from '../dataset/output-spec.js';
import { decontaminateStepSchema } from '../decontam/decontaminate-spec.js';
import { dedupSpecSchema } from '../dedup/dedup-spec.js';
import { filterSpecSchema } from '../filters/filter-spec.js';
import { samplersSeedSchema } from '../seeds/samplers/sampler-spec.js';
import { didYouMean } from '../issues.js';
import { chatMessageTemplateSchema, templateSchema } from '../prompt/template-value.js';

export const DATASET_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const DEFAULT_MAX_ERROR_RATE = 0.1;
/** A generate step must end with at least this share of its samples valid, after every attempt. */
export const DEFAULT_MIN_VALID_RATE = 0.5;
export const STEP_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/**
 * What a model the model catalogue does not list means: `strict` (default), an error; `warn`, a
 * warning, for a model newer than the catalogue or one only the user's account has.
 */
const modelCheckSchema = z.enum(['strict', 'warn']).default('strict');

/** A queue limit: a whole number ≥ 0 (0 = none), or `none`. */
export const queueLimitValue = z.union([z.int().min(0), z.literal('none')], {
  error: 'expected a whole number ≥ 0, or "none" for no limit',
});

const samplingSchema = z.strictObject({ n: z.int().positive(), seed: z.int() });

const seedCommon = {
  limit: z.int().positive().optional(),
  sample: samplingSchema.optional(),
  id_field: z.string().min(1).optional(),
};

export const SEED_KINDS = ['inline', 'jsonl', 'csv', 'parquet', 'product', 'samplers'] as const;

export const seedEntrySchemas = {
  inline: z.strictObject({ inline: z.array(z.record(z.string(), z.unknown())).min(1), ...seedCommon }),
  jsonl: z.strictObject({ jsonl: z.string().min(1), ...seedCommon }),
  csv: z.strictObject({
    csv: z.union([z.string().min(1), z.strictObject({ path: z.string().min(1), delimiter: z.string().length(1).optional() })]),
    ...seedCommon,
  }),
  parquet: z.strictObject({ parquet: z.string().min(1), ...seedCommon }),
  product: z.strictObject({ product: z.record(z.string(), z.array(z.unknown()).min(1)), ...seedCommon }),
  samplers: z.strictObject({ samplers: samplersSeedSchema, ...seedCommon }),
} as const;

export type SeedEntry =
  | z.output<(typeof seedEntrySchemas)['inline']>
  | z.output<(typeof seedEntrySchemas)['jsonl']>
  | z.output<(typeof seedEntrySchemas)['csv']>
  | z.output<(typeof seedEntrySchemas)['parquet']>
  | z.output<(typeof seedEntrySchemas)['product']>
  | z.output<(typeof seedEntrySchemas)['samplers']>;

/** A step schema: JSON Schema (an object) in YAML, or a zod schema in a TS recipe. Checked by schema/. */
const outputSchemaValue = z.custom<object>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
  message: 'a generate step needs an output schema: a JSON Schema object (or, in a TS recipe, a zod schema)',
});

export const generateStepSchema = z
  .strictObject({
    generate: z.string().regex(STEP_NAME_PATTERN, 'a step name: letters, digits, "_" or "-", starting with a letter'),
    model: z.string().regex(/^[^/\s]+\/\S+$/, 'expected "provider/model", e.g. openai/gpt-4o-mini'),
    model_check: modelCheckSchema,
    base_url: z.url().optional(),
    n: z.int().min(1).max(1000).default(1),
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().min(0).max(1).optional(),
    max_tokens: z.int().positive().optional(),
    seed: z.int().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).optional(),
    presence_penalty: z.number().min(-2).max(2).optional(),
    frequency_penalty: z.number().min(-2).max(2).optional(),
    system: templateSchema.optional(),
    prompt: templateSchema.optional(),
    messages: z.array(chatMessageTemplateSchema).min(1).optional(),
    schema: outputSchemaValue,
    structured_output: z.enum(['auto', 'native', 'tool', 'prompt']).default('auto'),
    max_requests_per_batch: z.int().positive().optional(),
    max_attempts: z.int().min(1).max(10).optional(),
    /** Ask an invalid answer again with a repair turn (default: the recipe's `repair`, true). */
    repair: z.boolean().optional(),
  })
  .refine((step) => step.prompt !== undefined || step.messages !== undefined, {
    message: 'a generate step needs a `prompt` (or `messages`)',
    path: ['prompt'],
  });

/** `- embed: vector_field`: one embeddings request per record; the vector becomes that field. */
export const embedStepSchema = z.strictObject({
  embed: z.string().regex(STEP_NAME_PATTERN, 'a field name: letters, digits, "_" or "-", starting with a letter'),
  model: z.string().regex(/^[^/\s]+\/\S+$/, 'expected "provider/model", e.g. openai/text-embedding-3-small'),
  model_check: modelCheckSchema,
  /** A field name (`question`) or a template (`"{{ question }} {{ answer }}"`). */
  input: templateSchema,
  dimensions: z.int().positive().max(8192).optional(),
  base_url: z.url().optional(),
  max_requests_per_batch: z.int().positive().optional(),
  max_attempts: z.int().min(1).max(10).optional(),
});

/** `">= 4"`: a comparison and a number; a bare number means at least that. */
export const JUDGE_THRESHOLD_PATTERN = /^\s*(>=|>|<=|<|==)\s*(-?\d+(?:\.\d+)?)\s*$/;
/** The keep_if key of the weighted mean of all criteria, so no criterion may take its name. */
export const JUDGE_TOTAL = 'total';

const judgeCriterionSchema = z.strictObject({
  scale: z
    .tuple([z.int(), z.int()], { error: 'expected a scale [min, max] of two whole numbers, e.g. [1, 5]' })
    .refine(([min, max]) => min < max, { message: 'a scale is [min, max] with min < max, e.g. [1, 5]' }),
  description: z.string().min(1, 'describe what the criterion judges: the judge reads it'),
  weight: z.number().positive('a weight is a number > 0 (its share of the weighted total)').default(1),
});

/**
 * `- judge: quality`: an LLM-as-judge step, compiled into a generate step whose prompt and output
 * schema come from the rubric (engine/judge-prompt.ts). `mode: pairwise` compares `a` and `b`.
 */
export const judgeStepSchema = z
  .strictObject({
    judge: z.string().regex(STEP_NAME_PATTERN, 'a field name: letters, digits, "_" or "-", starting with a letter'),
    model: z.string().regex(/^[^/\s]+\/\S+$/, 'expected "provider/model", e.g. openai/gpt-4o-mini'),
    model_check: modelCheckSchema,
    base_url: z.url().optional(),
    mode: z.enum(['rubric', 'pairwise']).default('rubric'),
    system: templateSchema.optional(),
    /** What is judged (rubric) or the task both answers respond to (pairwise). */
    target: templateSchema.optional(),
    rubric: z.record(z.string().regex(STEP_NAME_PATTERN, 'a criterion name: letters, digits, "_" or "-"'), judgeCriterionSchema).optional(),
    keep_if: z
      .record(z.string(), z.union([z.number(), z.string().regex(JUDGE_THRESHOLD_PATTERN, 'expected a threshold such as ">= 4" (>=, >, <=, <, ==) or a number')]))
      .optional(),
    a: templateSchema.optional(),
    b: templateSchema.optional(),
    reason_max_chars: z.int().min(20).max(4000).default(300),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.int().positive().optional(),
    seed: z.int().optional(),
    structured_output: z.enum(['auto', 'native', 'tool', 'prompt']).default('auto'),
    max_requests_per_batch: z.int().positive().optional(),
    max_attempts: z.int().min(1).max(10).optional(),
    repair: z.boolean().optional(),
  })
  .superRefine((step, context) => {
    const issue = (path: (string | number)[], message: string) => context.addIssue({ code: 'custom', path, message });
    if (step.mode === 'pairwise') {
      if (step.a === undefined) issue(['a'], 'a pairwise judge needs `a`: the first answer, e.g. "{{ answer_a }}"');
      if (step.b === undefined) issue(['b'], 'a pairwise judge needs `b`: the second answer, e.g. "{{ answer_b }}"');
      if (step.rubric !== undefined) issue(['rubric'], 'a pairwise judge has no rubric: it picks the better answer (say what "better" means in `system`)');
      if (step.keep_if !== undefined) issue(['keep_if'], 'a pairwise judge has no keep_if: it keeps the pairs whose two orders agree');
      return;
    }
    if (step.a !== undefined) issue(['a'], '`a` and `b` belong to `mode: pairwise`; a rubric judge judges `target`');
    if (step.b !== undefined) issue(['b'], '`a` and `b` belong to `mode: pairwise`; a rubric judge judges `target`');
    if (step.target === undefined) issue(['target'], 'a rubric judge needs `target`: what is judged, e.g. "{{ question }}\\n\\n{{ answer }}"');
    const criteria = Object.keys(step.rubric ?? {});
    if (criteria.length === 0) issue(['rubric'], 'a rubric judge needs a `rubric` of at least one criterion: { scale: [1, 5], description: "…" }');
    if (criteria.includes(JUDGE_TOTAL)) issue(['rubric', JUDGE_TOTAL], `"${JUDGE_TOTAL}" is the weighted mean of the criteria; name the criterion otherwise`);
    for (const key of Object.keys(step.keep_if ?? {})) {
      if (key === JUDGE_TOTAL || criteria.includes(key)) continue;
      const guess = didYouMean(key, [...criteria, JUDGE_TOTAL]);
      issue(['keep_if', key], `"${key}" is not a criterion of the rubric${guess ? ` (did you mean "${guess}"?)` : ''}; keep_if takes: ${[...criteria, JUDGE_TOTAL].join(', ')}`);
    }
  });

export const STEP_KINDS = ['generate', 'embed', 'dedup', 'filter', 'judge', 'decontaminate'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const stepEntrySchemas = {
  generate: generateStepSchema,
  embed: embedStepSchema,
  dedup: z.strictObject({ dedup: dedupSpecSchema }),
  filter: z.strictObject({ filter: filterSpecSchema }),
  judge: judgeStepSchema,
  decontaminate: decontaminateStepSchema,
} as const;

/** Everything but seeds and steps, which are validated entry by entry. */
export const recipeTopSchema = z.strictObject({
  name: z.string().regex(DATASET_NAME_PATTERN, 'a dataset name: lowercase letters, digits and "-"'),
  description: z.string().optional(),
  seeds: z.array(z.unknown()).min(1, 'a recipe needs at least one seed source'),
  steps: z.array(z.unknown()).min(1, 'a recipe needs at least one step'),
  output: outputSpecSchema.default(() => outputSpecSchema.parse({})),
  budget: z.strictObject({ max_usd: z.number().positive() }).optional(),
  max_attempts: z.int().min(1).max(10).default(3),
  /**
   * Whether a generate step asks an invalid answer again with a repair turn (the answer and the
   * validator's errors) instead of resampling the same prompt; a step's own `repair` wins.
   */
  repair: z.boolean().optional(),
  /**
   * The share of a step's input records that may be rejected (a field the step needs is missing, a
   * template fails for the record) before the run stops: 0.1 stops a step that rejects more than
   * 10% of the records reaching it, before anything more is sent.
   */
  max_error_rate: z.number().min(0).max(1).default(DEFAULT_MAX_ERROR_RATE),
  /**
   * The share of a generate step's samples that must be valid once every attempt is spent: below it
   * the run fails and publishes nothing (answers that all failed are a provider or prompt problem,
   * not a dataset). A step that produced no valid sample at all always fails the run.
   */
  min_valid_rate: z.number().min(0).max(1).default(DEFAULT_MIN_VALID_RATE),
  prices: priceOverridesSchema.optional(),
  /**
   * How much work may wait in each provider's queue at once (queue-limits.ts in engine/): keys are a
   * provider (`anthropic`) or a provider and model (`openai/gpt-4o-mini`), values a whole number in
   * the provider's unit (enqueued input tokens; requests for Anthropic) or `none` (0 too) for no limit.
   */
  queue_limits: z.record(z.string().min(1), queueLimitValue).optional(),
});
