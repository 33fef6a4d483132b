/**
 * A loaded recipe: the document as the user wrote it (snake_case keys, defaults filled in), with
 * each step tagged by its kind and name. It is data: nothing here calls the engine.
 */
import type { z } from 'zod';
import type { ModelRef } from '../domain.js';
import type { OutputSpec } from '../dataset/output-spec.js';
import type { DecontaminateSpec } from '../decontam/decontaminate-spec.js';
import type { DedupSpec } from '../dedup/dedup-spec.js';
import type { FilterSpec } from '../filters/filter-spec.js';
import type { embedStepSchema, generateStepSchema, judgeStepSchema, recipeTopSchema, SeedEntry } from './recipe-schema.js';

export type GenerateStepDocument = z.output<typeof generateStepSchema>;

export interface GenerateStep extends Omit<GenerateStepDocument, 'generate'> {
  kind: 'generate';
  /** The step name (the value of `generate:`), also the structured-output name. */
  name: string;
  index: number;
  modelRef: ModelRef;
}

export type EmbedStepDocument = z.output<typeof embedStepSchema>;

export interface EmbedStep extends Omit<EmbedStepDocument, 'embed'> {
  kind: 'embed';
  /** The field the vector is written to (the value of `embed:`). */
  name: string;
  index: number;
  modelRef: ModelRef;
  /** One request per record. */
  n: 1;
}

export interface DedupStep {
  kind: 'dedup';
  name: string;
  index: number;
  spec: DedupSpec;
}

export interface FilterStep {
  kind: 'filter';
  name: string;
  index: number;
  spec: FilterSpec;
}

export type JudgeStepDocument = z.output<typeof judgeStepSchema>;

/** A `judge` step: compiled into a generate step (engine/judge-prompt.ts) plus a keep/verdict stage. */
export interface JudgeStep extends Omit<JudgeStepDocument, 'judge'> {
  kind: 'judge';
  /** The step name (the value of `judge:`), also the record field its scores or verdict go to. */
  name: string;
  index: number;
  modelRef: ModelRef;
}

/** Drops records that share a word n-gram with an evaluation set (decontam/). */
export interface DecontaminateStep extends DecontaminateSpec {
  kind: 'decontaminate';
  name: string;
  index: number;
}

export type Step = GenerateStep | EmbedStep | DedupStep | FilterStep | JudgeStep | DecontaminateStep;

export type SeedSource = SeedEntry & { index: number };

export interface RecipeSourceInfo {
  /** Absolute path of the recipe file ('' for a recipe object passed in code). */
  file: string;
  /** Folder that relative seed paths resolve against. */
  dir: string;
  kind: 'yaml' | 'ts' | 'object';
  /** sha256 of the recipe file's bytes (or of the canonical JSON of an object recipe). */
  hash: string;
  /** Hash of the document without `budget` (recipe-hash.ts): what identifies a run for resume. */
  workHash: string;
}

type RecipeTop = z.output<typeof recipeTopSchema>;

export interface Recipe extends Omit<RecipeTop, 'seeds' | 'steps' | 'output'> {
  seeds: SeedSource[];
  steps: Step[];
  output: OutputSpec;
  source: RecipeSourceInfo;
}

/** Where a key path of the recipe is written, when known (YAML recipes). */
export type Locate = (
  path: (string | number)[],
  options?: { key?: boolean },
) => { line: number; column: number } | undefined;

export interface LoadedRecipe {
  recipe: Recipe;
  locate: Locate;
}

/**
 * What a recipe that failed validation still says: the parts that passed their schema, so the engine
 * can compile them too and `validate` lists every problem at once (engine/load-with-all-issues.ts).
 */
export interface PartialRecipe extends LoadedRecipe {
  /** The steps that failed their schema, as written: what they would add to records is read off them. */
  failedSteps: { index: number; document: unknown }[];
  /** A seed source failed its schema, so the seed fields are not all known. */
  seedsIncomplete: boolean;
}
