/**
 * The `samplers:` seed source as a recipe writes it: `count` records, each column drawn by one
 * sampler, every column seeded from (`seed`, column name). The zod model checks each sampler's
 * parameters where they are written; checkSamplerColumns adds what needs the whole column set
 * (a `subcategory` whose parent is missing, not a category, or part of a cycle).
 */
import { z } from 'zod';
import { checkSamplerColumns } from './check-sampler-columns.js';

/** Same bound as a product source, for the same reason: a stage file of gigabytes before the budget guard runs. */
export const MAX_SAMPLED_RECORDS = 1_000_000;

export const PERSON_LOCALES = ['en', 'de', 'fr', 'es', 'ja'] as const;
export type PersonLocale = (typeof PERSON_LOCALES)[number];

export const PERSON_FIELDS = ['first_name', 'last_name', 'full_name', 'sex', 'age', 'email', 'phone', 'city', 'country', 'job_title'] as const;
export type PersonField = (typeof PERSON_FIELDS)[number];

export const DATETIME_UNITS = ['second', 'minute', 'hour', 'day'] as const;
export type DatetimeUnit = (typeof DATETIME_UNITS)[number];

/** `2024-01-01`, or a time with an explicit zone (`2024-01-01T08:30:00Z`): a bare local time would differ between machines. */
export const DATETIME_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' });
const decimals = z.int().min(0).max(10);

const categorySchema = z
  .strictObject({ values: z.array(scalar).min(1), weights: z.array(z.number().min(0)).optional() })
  .check((context) => {
    const { values, weights } = context.value;
    if (weights === undefined) return;
    if (weights.length !== values.length) {
      context.issues.push({ code: 'custom', continue: true, input: weights, path: ['weights'], message: `expected ${values.length} weights, one per value; got ${weights.length}` });
    } else if (!weights.some((weight) => weight > 0)) {
      context.issues.push({ code: 'custom', continue: true, input: weights, path: ['weights'], message: 'at least one weight must be above 0' });
    }
  });

const subcategorySchema = z.strictObject({
  of: z.string().min(1),
  values: z.record(z.string(), z.array(scalar).min(1)),
});

const uniformSchema = z
  .strictObject({ min: z.number(), max: z.number(), round: decimals.optional() })
  .refine((spec) => spec.min <= spec.max, { message: 'min must not be above max', path: ['max'] })
  .refine((spec) => spec.round === undefined || gridSpan(spec.min, spec.max, spec.round) >= 1, {
    message: 'no value with that many decimals lies between min and max',
    path: ['round'],
  });

const gaussianSchema = z
  .strictObject({ mean: z.number(), sd: z.number().positive(), min: z.number().optional(), max: z.number().optional(), round: decimals.optional() })
  .refine((spec) => spec.min === undefined || spec.max === undefined || spec.min <= spec.max, { message: 'min must not be above max', path: ['max'] });

const poissonSchema = z.strictObject({ lambda: z.number().positive().max(1e9) });

const datetimeValue = z.string().regex(DATETIME_PATTERN, 'expected a date (2024-01-31) or a date and time with a zone (2024-01-31T08:00:00Z)');

const datetimeSchema = z
  .strictObject({ from: datetimeValue, to: datetimeValue, unit: z.enum(DATETIME_UNITS).default('day') })
  .refine((spec) => !bothDates(spec) || Date.parse(spec.from) <= Date.parse(spec.to), { message: '`from` must not be after `to`', path: ['to'] })
  .refine((spec) => !bothDates(spec) || Date.parse(spec.from) > Date.parse(spec.to) || alignedInstants(spec.from, spec.to, spec.unit) >= 1, {
    message: 'no instant aligned to the unit lies between `from` and `to`',
    path: ['to'],
  });

/** The range checks only mean something once both ends are well-formed (their own issue says otherwise). */
function bothDates(spec: { from: unknown; to: unknown }): boolean {
  return [spec.from, spec.to].every((value) => typeof value === 'string' && DATETIME_PATTERN.test(value) && !Number.isNaN(Date.parse(value)));
}

const personSchema = z.strictObject({
  locale: z.enum(PERSON_LOCALES).default('en'),
  fields: z.array(z.enum(PERSON_FIELDS)).min(1).default(['first_name', 'last_name', 'age', 'email']),
  age: z
    .strictObject({ min: z.int().min(0), max: z.int().max(130) })
    .refine((range) => range.min <= range.max, { message: 'min must not be above max', path: ['max'] })
    .default({ min: 18, max: 80 }),
});

const samplerShapes = {
  category: categorySchema,
  subcategory: subcategorySchema,
  uniform: uniformSchema,
  gaussian: gaussianSchema,
  poisson: poissonSchema,
  datetime: datetimeSchema,
  uuid: z.strictObject({}),
  person: personSchema,
};

export const SAMPLER_KINDS = Object.keys(samplerShapes) as (keyof typeof samplerShapes)[];
export type SamplerKind = keyof typeof samplerShapes;

/**
 * One column: an object with exactly one sampler key. A strict object of optional keys (not a union)
 * so an unknown sampler is reported as an unknown key with a did-you-mean, at its own line.
 */
const columnSchema = z
  .strictObject(Object.fromEntries(SAMPLER_KINDS.map((kind) => [kind, samplerShapes[kind].optional()])) as {
    [K in SamplerKind]: z.ZodOptional<(typeof samplerShapes)[K]>;
  })
  .superRefine(
    (column, context) => {
      const present = SAMPLER_KINDS.filter((kind) => column[kind] !== undefined);
      if (present.length === 1) return;
      const message =
        present.length === 0 ? `a column needs one sampler: ${SAMPLER_KINDS.join(', ')}` : `a column has exactly one sampler; found ${present.join(' and ')}`;
      context.addIssue({ code: 'custom', message, params: { code: 'sampler_kind' } });
    },
    // A misspelt sampler is already reported as an unknown key with a did-you-mean; "needs one sampler" would repeat it.
    { when: (payload) => isPlainObject(payload.value) && !payload.issues.some((issue) => issue.code === 'unrecognized_keys') },
  );

export const samplersSeedSchema = z
  .strictObject({
    count: z.int().positive().max(MAX_SAMPLED_RECORDS),
    seed: z.int().default(0),
    columns: z.record(z.string().min(1), columnSchema).refine((columns) => Object.keys(columns).length > 0, 'a samplers source needs at least one column'),
  })
  // Runs even when a column has its own issues, so a `subcategory` naming no column is reported in
  // the same pass; checkSamplerColumns skips what is malformed.
  .superRefine(
    (value, context) => {
      for (const problem of checkSamplerColumns(value.columns)) {
        context.addIssue({ code: 'custom', path: ['columns', ...problem.path], message: problem.message, params: { code: 'sampler_invalid' } });
      }
    },
    { when: (payload) => isPlainObject((payload.value as { columns?: unknown } | undefined)?.columns) },
  );

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type CategorySpec = z.output<typeof categorySchema>;
export type SubcategorySpec = z.output<typeof subcategorySchema>;
export type UniformSpec = z.output<typeof uniformSchema>;
export type GaussianSpec = z.output<typeof gaussianSchema>;
export type PoissonSpec = z.output<typeof poissonSchema>;
export type DatetimeSpec = z.output<typeof datetimeSchema>;
export type PersonSpec = z.output<typeof personSchema>;

/** A column after validation: exactly one sampler, defaults filled in. */
export type ColumnSpec =
  | { category: CategorySpec }
  | { subcategory: SubcategorySpec }
  | { uniform: UniformSpec }
  | { gaussian: GaussianSpec }
  | { poisson: PoissonSpec }
  | { datetime: DatetimeSpec }
  | { uuid: Record<string, never> }
  | { person: PersonSpec };

/** A column as a TS recipe writes it (defaults may be left out): one sampler key. */
export type SamplerColumnInput =
  | { category: z.input<typeof categorySchema> }
  | { subcategory: z.input<typeof subcategorySchema> }
  | { uniform: z.input<typeof uniformSchema> }
  | { gaussian: z.input<typeof gaussianSchema> }
  | { poisson: z.input<typeof poissonSchema> }
  | { datetime: z.input<typeof datetimeSchema> }
  | { uuid: Record<string, never> }
  | { person: z.input<typeof personSchema> };

export interface SamplersInput {
  count: number;
  seed?: number;
  columns: Record<string, SamplerColumnInput>;
}

export interface SamplersSpec {
  count: number;
  seed: number;
  columns: Record<string, ColumnSpec>;
}

/** How many values with `round` decimals lie in [min, max]. */
export function gridSpan(min: number, max: number, round: number): number {
  const scale = 10 ** round;
  return Math.floor(max * scale + 1e-9) - Math.ceil(min * scale - 1e-9) + 1;
}

export const UNIT_MS: Record<DatetimeUnit, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** How many unit-aligned instants (UTC) lie in [from, to]. */
export function alignedInstants(from: string, to: string, unit: DatetimeUnit): number {
  const step = UNIT_MS[unit];
  return Math.floor(Date.parse(to) / step) - Math.ceil(Date.parse(from) / step) + 1;
}

export function samplerKindOf(column: ColumnSpec): SamplerKind {
  return SAMPLER_KINDS.find((kind) => kind in column)!;
}
