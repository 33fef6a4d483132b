/**
 * The public programmatic API of synthforge. Every public name is listed here by hand (no
 * `export *`), so internals cannot leak by accident.
 */
export { defineRecipe, steps, StepChain } from './recipe/define-recipe.js';
export type { GenerateOptions, RecipeInput, SeedInput, StepDocument } from './recipe/define-recipe.js';
export { loadRecipe, loadRecipeObject } from './recipe/load-recipe.js';
export type { Recipe, Step, GenerateStep, DedupStep, FilterStep, LoadedRecipe } from './recipe/recipe.js';
export { RecipeError, formatRecipeIssue } from './recipe/recipe-error.js';
export type { RecipeIssue } from './recipe/recipe-error.js';
export { runRecipe } from './engine/run-recipe.js';
export type { RunOptions, RecipeArgument } from './engine/run-recipe.js';
export type { RunSummary } from './engine/run-summary.js';
export type { RunEvent, RunEventListener } from './engine/run-events.js';
export type { StepCounts } from './engine/step-counts.js';
export { planRun } from './engine/plan-run.js';
export type { RunPlan, StepPlan } from './engine/plan-run.js';
export { compileRecipe } from './engine/compile-recipe.js';
export { startEmulator } from './emulator/emulator.js';
export type { EmulatorOptions, EmulatorServer } from './emulator/emulator.js';
export { SynthforgeError, UsageError } from './errors.js';
export type { DataRecord, Fields, LineageEntry, ModelRef, ProviderId } from './domain.js';
export type { BatchProvider, BatchHandle, BatchItemResult, BatchStatus, ProviderRequest } from './providers/batch-provider.js';
