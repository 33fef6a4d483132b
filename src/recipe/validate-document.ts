/**
 * Validates a parsed recipe document against the recipe model and normalises it into a `Recipe`.
 * Every issue is collected before throwing, so a user fixes a recipe in one pass.
 */
import type { z } from 'zod';
import { PROVIDER_IDS, type ModelRef, type ProviderId } from '../domain.js';
import { didYouMean } from '../issues.js';
import { RecipeError, type RecipeIssue } from './recipe-error.js';
import {
  recipeTopSchema,
  SEED_KINDS,
  seedEntrySchemas,
  STEP_KINDS,
  stepEntrySchemas,
  type SeedEntry,
} from './recipe-schema.js';
import type { GenerateStepDocument, Locate, PartialRecipe, Recipe, RecipeSourceInfo, SeedSource, Step } from './recipe.js';
import { allowedKeysAt, zodIssuesToRecipeIssues } from './zod-issues.js';

type Path = (string | number)[];


interface Context {
  file: string;
  locate: Locate;
  issues: RecipeIssue[];
}

export function validateRecipeDocument(document: unknown, source: RecipeSourceInfo, locate: Locate): Recipe {
  const context: Context = { file: source.file || '(recipe object)', locate, issues: [] };
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    addIssue(context, [], 'invalid_type', 'a recipe is a mapping with name, seeds, steps and output');
    throw new RecipeError(context.issues);
  }
  const top = parseWith(context, recipeTopSchema, document, []);
  const raw = document as { seeds?: unknown; steps?: unknown };
  const seeds = Array.isArray(raw.seeds) ? raw.seeds.map((entry, index) => parseSeed(context, entry, index)) : [];
  const steps = Array.isArray(raw.steps) ? raw.steps.map((entry, index) => parseStep(context, entry, index)) : [];
  checkStepNames(context, steps);

  if (context.issues.some((issue) => issue.severity === 'error') || !top) {
    const partialTop = top ?? bestEffortTop(document as Record<string, unknown>);
    const partial: PartialRecipe | undefined = partialTop && {
      recipe: { ...partialTop, seeds: seeds.filter((seed) => seed !== undefined), steps: steps.filter((step) => step !== undefined), source },
      locate,
      failedSteps: steps.flatMap((step, index) => (step ? [] : [{ index, document: (raw.steps as unknown[])[index] }])),
      seedsIncomplete: seeds.includes(undefined),
    };
    throw new RecipeError(context.issues, partial);
  }
  return {
    ...top,
    seeds: seeds as SeedSource[],
    steps: steps as Step[],
    source,
  };
}

type RecipeTop = z.output<typeof recipeTopSchema>;

/**
 * The top-level keys that are valid on their own, with defaults for the rest, so the steps can still
 * be compiled when a top-level key is misspelt or wrong. The name only labels the run, which
 * compiling never starts, hence a stand-in when it is invalid.
 */
function bestEffortTop(document: Record<string, unknown>): RecipeTop | undefined {
  const shape = recipeTopSchema.shape as Record<string, z.ZodType>;
  const kept: Record<string, unknown> = { name: 'recipe' };
  for (const [key, value] of Object.entries(document)) {
    if (shape[key]?.safeParse(value).success) kept[key] = value;
  }
  const result = recipeTopSchema.safeParse(kept);
  return result.success ? result.data : undefined;
}

function parseWith<T extends z.ZodType>(context: Context, schema: T, value: unknown, prefix: Path): z.output<T> | undefined {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  context.issues.push(
    ...zodIssuesToRecipeIssues(result.error, {
      file: context.file,
      prefix,
      locate: context.locate,
      allowedKeys: (path) => allowedKeysAt(schema, path.slice(prefix.length)),
      value,
    }),
  );
  return undefined;
}

/** The one kind key an entry has (`jsonl:`, `generate:` …), or an issue saying what was expected. */
function kindOf<K extends string>(context: Context, entry: unknown, kinds: readonly K[], path: Path, what: string): K | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    addIssue(context, path, 'invalid_type', `expected a ${what} mapping with one of: ${kinds.join(', ')}`);
    return undefined;
  }
  const keys = Object.keys(entry);
  const present = kinds.filter((kind) => keys.includes(kind));
  if (present.length === 1) return present[0];
  if (present.length === 0) {
    const guess = keys.map((key) => didYouMean(key, [...kinds])).find((value) => value !== undefined);
    const hint = guess ? ` (did you mean "${guess}"?)` : '';
    addIssue(context, path, 'missing_kind', `a ${what} needs one of: ${kinds.join(', ')}${hint}`);
  } else {
    addIssue(context, path, 'ambiguous_kind', `a ${what} has exactly one of ${kinds.join(', ')}; found ${present.join(' and ')}`);
  }
  return undefined;
}

function parseSeed(context: Context, entry: unknown, index: number): SeedSource | undefined {
  const path = ['seeds', index];
  const kind = kindOf(context, entry, SEED_KINDS, path, 'seed source');
  if (!kind) return undefined;
  const parsed = parseWith(context, seedEntrySchemas[kind], entry, path) as SeedEntry | undefined;
  return parsed ? { ...parsed, index } : undefined;
}

function parseStep(context: Context, entry: unknown, index: number): Step | undefined {
  const path = ['steps', index];
  const kind = kindOf(context, entry, STEP_KINDS, path, 'step');
  if (!kind) return undefined;
  if (kind === 'generate') {
    const parsed = parseWith(context, stepEntrySchemas.generate, entry, path);
    if (parsed) return toGenerateStep(context, parsed, index);
    // Still report a bad provider alongside the other issues, so one pass shows them all.
    const model = (entry as { model?: unknown }).model;
    if (typeof model === 'string' && model.includes('/')) parseModelRef(context, model, [...path, 'model']);
    return undefined;
  }
  if (kind === 'embed') {
    const parsed = parseWith(context, stepEntrySchemas.embed, entry, path);
    if (!parsed) return undefined;
    const { embed, ...rest } = parsed;
    const modelRef = parseModelRef(context, parsed.model, [...path, 'model']);
    if (!modelRef) return undefined;
    return { ...rest, kind: 'embed', name: embed, index, modelRef, n: 1 };
  }
  if (kind === 'judge') {
    const parsed = parseWith(context, stepEntrySchemas.judge, entry, path);
    if (!parsed) return undefined;
    const { judge, ...rest } = parsed;
    const modelRef = parseModelRef(context, parsed.model, [...path, 'model']);
    return modelRef ? { ...rest, kind: 'judge', name: judge, index, modelRef } : undefined;
  }
  if (kind === 'dedup') {
    const parsed = parseWith(context, stepEntrySchemas.dedup, entry, path);
    return parsed ? { kind: 'dedup', name: `dedup-${index}`, index, spec: parsed.dedup } : undefined;
  }
  if (kind === 'decontaminate') {
    const parsed = parseWith(context, stepEntrySchemas.decontaminate, entry, path);
    if (!parsed) return undefined;
    const { decontaminate, ...spec } = parsed;
    return { ...spec, kind: 'decontaminate', name: decontaminate, index };
  }
  const parsed = parseWith(context, stepEntrySchemas.filter, entry, path);
  if (!parsed) return undefined;
  const name = (parsed.filter as { name?: string }).name ?? `filter-${index}`;
  return { kind: 'filter', name, index, spec: parsed.filter };
}

function toGenerateStep(context: Context, document: GenerateStepDocument, index: number): Step | undefined {
  const { generate, ...rest } = document;
  const modelRef = parseModelRef(context, document.model, ['steps', index, 'model']);
  if (!modelRef) return undefined;
  return { ...rest, kind: 'generate', name: generate, index, modelRef };
}

export function parseModelRef(context: Context | undefined, value: string, path: Path): ModelRef | undefined {
  const slash = value.indexOf('/');
  const provider = value.slice(0, slash);
  const model = value.slice(slash + 1);
  if (!(PROVIDER_IDS as readonly string[]).includes(provider)) {
    if (context) {
      const guess = didYouMean(provider, [...PROVIDER_IDS]);
      const hint = guess ? ` (did you mean "${guess}"?)` : '';
      addIssue(context, path, 'unknown_provider', `unknown provider "${provider}"${hint}; expected one of: ${PROVIDER_IDS.join(', ')}`);
    }
    return undefined;
  }
  return { provider: provider as ProviderId, model };
}

function checkStepNames(context: Context, steps: (Step | undefined)[]): void {
  const seen = new Map<string, number>();
  for (const step of steps) {
    if (!step) continue;
    const earlier = seen.get(step.name);
    if (earlier !== undefined) {
      addIssue(context, ['steps', step.index], 'duplicate_step', `step name "${step.name}" is already used by steps[${earlier}]`);
    }
    seen.set(step.name, step.index);
  }
}

function addIssue(context: Context, path: Path, code: string, message: string): void {
  const position = context.locate(path);
  context.issues.push({ file: context.file, ...(position ?? {}), path, code, message, severity: 'error' });
}
