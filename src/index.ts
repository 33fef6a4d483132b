/**
 * The public programmatic API of synthforge. Every public name is listed here by hand (no
 * `export *`), so internals cannot leak by accident.
 */
export { defineRecipe, steps, StepChain } from './recipe/define-recipe.js';
export type { EmbedOptions, GenerateOptions, JudgeOptions, RecipeInput, SeedInput, StepDocument } from './recipe/define-recipe.js';
export { loadRecipe, loadRecipeObject } from './recipe/load-recipe.js';
export type { Recipe, Step, GenerateStep, EmbedStep, DedupStep, FilterStep, LoadedRecipe } from './recipe/recipe.js';
export { RecipeError, formatRecipeIssue } from './recipe/recipe-error.js';
export type { RecipeIssue } from './recipe/recipe-error.js';
export { runRecipe } from './api/run-recipe.js';
export type { RunRecipeOptions, RunRecipeOptions as RunOptions } from './api/run-recipe.js';
export type { RecipeArgument } from './api/recipe-argument.js';
export { openProviders } from './api/providers.js';
export type { OpenProvidersOptions, OpenedProviders } from './api/providers.js';
export { createProviderCatalog } from './providers/registry.js';
export type { ProviderSetup } from './providers/registry.js';
export type { RunSummary } from './engine/run-report.js';
export type { RunEvent, RunEventListener } from './engine/run-events.js';
export type { JudgeCounts, StepCounts } from './engine/run-report.js';
export { planRun, compileRecipe } from './api/plan-run.js';
export type { PlanRunOptions } from './api/plan-run.js';
export { previewRecipe } from './api/preview-recipe.js';
export type { PreviewRecipeOptions } from './api/preview-recipe.js';
export type { PreviewEvent, PreviewEventListener, PreviewSummary } from './engine/preview-events.js';
export type { RunPlan, StepPlan, StepEstimate, EstimateRange } from './engine/run-plan.js';
export { startEmulator } from './emulator/emulator.js';
export type { AnswerLength, EmulatorOptions, EmulatorServer } from './emulator/emulator.js';
export { openDataset } from './dataset/open-dataset.js';
export type { OpenedDataset, OpenedDatasetOf } from './dataset/open-dataset.js';
export { listVersions } from './dataset/list-versions.js';
export type { VersionSummary } from './dataset/list-versions.js';
export { diffVersions } from './dataset/diff-versions.js';
export type { VersionDiff, DiffOptions } from './dataset/diff-versions.js';
export { exportDataset } from './dataset/export-dataset.js';
export type { ExportOptions, ExportReport } from './dataset/export-dataset.js';
export type { DatasetManifest } from './dataset/manifest.js';
export type { DataFileInfo } from './dataset/split-shards.js';
export type { OutputFormat, OutputSpec } from './dataset/output-spec.js';
export type { RowOfFormat, DatasetRow } from './dataset/formats/dataset-formats.js';
export type { RawRow } from './dataset/formats/raw-format.js';
export type { OpenAIChatRow } from './dataset/formats/openai-chat-format.js';
export type { ShareGPTRow } from './dataset/formats/sharegpt-format.js';
export type { AlpacaRow } from './dataset/formats/alpaca-format.js';
export type { PromptCompletionRow } from './dataset/formats/prompt-completion-format.js';
export type { PreferenceRow } from './dataset/formats/preference-format.js';
export { SynthforgeError, UsageError } from './errors.js';
export type { DataRecord, Fields, LineageEntry, ModelRef, ProviderId } from './domain.js';
export type {
  BatchProvider,
  BatchHandle,
  BatchItemResult,
  BatchStatus,
  ProviderCapabilities,
  ProviderCatalog,
  ProviderRequest,
} from './providers/batch-provider.js';
