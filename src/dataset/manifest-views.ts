/**
 * Typed, defensive reads of the parts of a manifest the engine writes (steps, models, cost, recipe).
 * A manifest from an older or newer tool may lack any of them; these return empty values then.
 */
import type { DatasetManifest } from './manifest.js';

export interface StepView {
  name: string;
  kind: string;
  model?: string;
  input?: number;
  output?: number;
  requested?: number;
  succeeded?: number;
  invalid: number;
  duplicates: number;
  filtered: number;
  /** decontaminate: records removed for overlapping an evaluation set. */
  contaminated?: number;
}

export interface CostView {
  usd: number;
  syncUsd: number;
  inputTokens: number;
  outputTokens: number;
  requests: number;
}

export interface RecipeView {
  name?: string;
  path?: string;
  sha256?: string;
}

type Loose = Record<string, unknown>;

const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const string = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const object = (value: unknown): Loose => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : {});

export function stepsOf(manifest: DatasetManifest): StepView[] {
  const steps = Array.isArray(manifest.steps) ? manifest.steps : [];
  return steps.map((raw) => {
    const step = object(raw);
    const counts = object(step.counts);
    const provider = string(step.provider);
    const model = string(step.model);
    const duplicates = object(counts.duplicates);
    const invalid = Object.values(object(counts.invalid)).reduce<number>((sum, entry) => sum + (number(object(entry).count) ?? 0), 0);
    const filtered = (Array.isArray(counts.filtered) ? counts.filtered : []).reduce<number>((sum, rule) => sum + (number(object(rule).removed) ?? 0), 0);
    return {
      name: string(step.name) ?? '?',
      kind: string(step.kind) ?? '?',
      ...(model ? { model: provider ? `${provider}/${model}` : model } : {}),
      ...optional('input', number(counts.input)),
      ...optional('output', number(counts.output)),
      ...optional('requested', number(counts.requested)),
      ...optional('succeeded', number(counts.succeeded)),
      invalid,
      duplicates: (number(duplicates.exact) ?? 0) + (number(duplicates.near) ?? 0) + (number(duplicates.semantic) ?? 0),
      filtered,
      ...optional('contaminated', number(counts.contaminated)),
    };
  });
}

export function costOf(manifest: DatasetManifest): CostView {
  const cost = object(manifest.cost);
  return {
    usd: number(cost.costUsd) ?? number(cost.usd) ?? 0,
    syncUsd: number(cost.syncCostUsd) ?? number(cost.syncUsd) ?? 0,
    inputTokens: number(cost.inputTokens) ?? 0,
    outputTokens: number(cost.outputTokens) ?? 0,
    requests: number(cost.requests) ?? 0,
  };
}

export function modelsOf(manifest: DatasetManifest): string[] {
  return Array.isArray(manifest.models) ? manifest.models.filter((model): model is string => typeof model === 'string') : [];
}

export function recipeOf(manifest: DatasetManifest): RecipeView {
  const recipe = object(manifest.recipe);
  return {
    ...optional('name', string(recipe.name)),
    ...optional('path', string(recipe.path)),
    ...optional('sha256', string(recipe.sha256)),
  };
}

export function createdAtOf(manifest: DatasetManifest): string {
  return string(manifest.created_at) ?? manifest.written_at;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
