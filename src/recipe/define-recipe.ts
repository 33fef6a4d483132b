/**
 * The TS form of a recipe. `defineRecipe` is an identity function that gives editors the recipe's
 * types; `steps<Seed>()` is a small builder through which each generate step's zod output type flows
 * into the record type that later steps' prompt functions receive:
 *
 *   steps<{ topic: string }>()
 *     .generate('question', { model: 'openai/gpt-4o-mini', prompt: (r) => `Ask about ${r.topic}`,
 *                             schema: z.object({ question: z.string() }) })
 *     .generate('answer', { model: 'anthropic/claude-haiku-4-5', prompt: (r) => r.question, … })
 *     .embed('vector', { model: 'openai/text-embedding-3-small', input: 'question' })
 */
import type { z } from 'zod';
import type { Fields } from '../domain.js';
import type { priceOverridesSchema } from '../cost/price-spec.js';
import type { outputSpecSchema } from '../dataset/output-spec.js';
import type { decontaminateStepSchema } from '../decontam/decontaminate-spec.js';
import type { dedupSpecSchema } from '../dedup/dedup-spec.js';
import type { filterSpecSchema } from '../filters/filter-spec.js';
import type { SamplersInput } from '../seeds/samplers/sampler-spec.js';

type Template<F> = string | ((record: F) => string);
type OutputOf<S> = S extends z.ZodType<infer O> ? (O extends Fields ? O : Fields) : Fields;

export interface GenerateOptions<F extends Fields, S> {
  model: string;
  /** `warn`: a model the catalogue does not list is a warning, not an error. */
  model_check?: 'strict' | 'warn';
  base_url?: string;
  n?: number;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string | string[];
  presence_penalty?: number;
  frequency_penalty?: number;
  system?: Template<F>;
  prompt?: Template<F>;
  messages?: { role: 'system' | 'user' | 'assistant'; content: Template<F> }[];
  /** A zod schema (its output type flows into later steps) or a JSON Schema object. */
  schema: S;
  structured_output?: 'auto' | 'native' | 'tool' | 'prompt';
  max_requests_per_batch?: number;
  max_attempts?: number;
  /** Ask invalid answers again with a repair turn (default true). */
  repair?: boolean;
}

/** An `embed` step: one embeddings request per record; the vector becomes the field the step names. */
export interface EmbedOptions<F extends Fields> {
  model: string;
  /** A field name (`question`), a template (`"{{ question }} {{ answer }}"`) or a function of the record. */
  input: Template<F>;
  dimensions?: number;
  base_url?: string;
  max_requests_per_batch?: number;
  max_attempts?: number;
}

/** A `judge` step: rubric scores (or a pairwise verdict) under the field the step names. */
export interface JudgeOptions<F extends Fields> {
  model: string;
  model_check?: 'strict' | 'warn';
  base_url?: string;
  mode?: 'rubric' | 'pairwise';
  system?: Template<F>;
  /** What is judged (rubric) or the task both answers respond to (pairwise). */
  target?: Template<F>;
  rubric?: Record<string, { scale: [number, number]; description: string; weight?: number }>;
  /** A criterion or `total` (the weighted mean) → `">= 4"` (>=, >, <=, <, ==) or a number (at least). */
  keep_if?: Record<string, string | number>;
  /** Pairwise: the two answers compared. */
  a?: Template<F>;
  b?: Template<F>;
  reason_max_chars?: number;
  temperature?: number;
  max_tokens?: number;
  seed?: number;
  structured_output?: 'auto' | 'native' | 'tool' | 'prompt';
  max_requests_per_batch?: number;
  max_attempts?: number;
  repair?: boolean;
}

export type StepDocument =
  | ({ generate: string } & GenerateOptions<Fields, unknown>)
  | ({ embed: string } & EmbedOptions<Fields>)
  | ({ judge: string } & JudgeOptions<Fields>)
  | { dedup: z.input<typeof dedupSpecSchema> }
  | { filter: z.input<typeof filterSpecSchema> }
  | z.input<typeof decontaminateStepSchema>;

const CHAIN_MARKER = Symbol.for('synthforge.step-chain');

export class StepChain<F extends Fields> {
  readonly [CHAIN_MARKER] = true;
  constructor(readonly documents: readonly StepDocument[] = []) {}

  generate<S extends object>(name: string, options: GenerateOptions<F, S>): StepChain<F & OutputOf<S>> {
    const document = { generate: name, ...options } as unknown as StepDocument;
    return new StepChain<F & OutputOf<S>>([...this.documents, document]);
  }

  /** The vector (a list of numbers) becomes the record's field `name`. */
  embed<N extends string>(name: N, options: EmbedOptions<F>): StepChain<F & { [K in N]: number[] }> {
    const document = { embed: name, ...options } as unknown as StepDocument;
    return new StepChain<F & { [K in N]: number[] }>([...this.documents, document]);
  }

  /** Scores (or, pairwise, the verdict and `chosen`/`rejected`) land in the record; `keep_if` drops the rest. */
  judge<N extends string>(name: N, options: JudgeOptions<F>): StepChain<F & { [K in N]: Fields }> {
    const document = { judge: name, ...options } as unknown as StepDocument;
    return new StepChain<F & { [K in N]: Fields }>([...this.documents, document]);
  }

  dedup(spec: z.input<typeof dedupSpecSchema>): StepChain<F> {
    return new StepChain<F>([...this.documents, { dedup: spec }]);
  }

  filter(spec: z.input<typeof filterSpecSchema>): StepChain<F> {
    return new StepChain<F>([...this.documents, { filter: spec }]);
  }

  /** Drops records sharing a word n-gram with an evaluation set (`against`: files or dataset folders). */
  decontaminate(name: string, options: Omit<z.input<typeof decontaminateStepSchema>, 'decontaminate'>): StepChain<F> {
    return new StepChain<F>([...this.documents, { decontaminate: name, ...options }]);
  }
}

/** Starts a typed step chain; `Seed` is the shape of the seed records. */
export function steps<Seed extends Fields = Fields>(): StepChain<Seed> {
  return new StepChain<Seed>();
}

export type SeedInput =
  | { inline: Fields[]; limit?: number; sample?: { n: number; seed: number }; id_field?: string }
  | { jsonl: string; limit?: number; sample?: { n: number; seed: number }; id_field?: string }
  | { csv: string | { path: string; delimiter?: string }; limit?: number; sample?: { n: number; seed: number }; id_field?: string }
  | { parquet: string; limit?: number; sample?: { n: number; seed: number }; id_field?: string }
  | { product: Record<string, unknown[]>; limit?: number; sample?: { n: number; seed: number }; id_field?: string }
  /** Records drawn column by column: category, subcategory, uniform, gaussian, poisson, datetime, uuid, person. */
  | { samplers: SamplersInput; limit?: number; sample?: { n: number; seed: number }; id_field?: string };

export interface RecipeInput {
  name: string;
  description?: string;
  seeds: SeedInput[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any chain, whatever its record type
  steps: StepChain<any> | readonly StepDocument[];
  output?: z.input<typeof outputSpecSchema>;
  budget?: { max_usd: number };
  max_attempts?: number;
  /** Ask invalid answers again with a repair turn (default true; a step's `repair` wins). */
  repair?: boolean;
  /** Share of a step's records that may be rejected before the run stops (default 0.1). */
  max_error_rate?: number;
  /** Share of a generate step's samples that must end valid, or the run fails (default 0.5). */
  min_valid_rate?: number;
  prices?: z.input<typeof priceOverridesSchema>;
  /** Work allowed in each provider's queue at once: `{ "openai/gpt-4o-mini": 2000000, anthropic: "none" }`. */
  queue_limits?: Record<string, number | 'none'>;
}

export function defineRecipe<const R extends RecipeInput>(recipe: R): R {
  return recipe;
}

function isStepChain(value: unknown): value is StepChain<Fields> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CHAIN_MARKER] === true;
}

/** Turns a step chain into the plain step list the recipe model validates. */
export function normaliseRecipeInput(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const recipe = value as { steps?: unknown };
  if (!isStepChain(recipe.steps)) return value;
  return { ...recipe, steps: [...recipe.steps.documents] };
}
