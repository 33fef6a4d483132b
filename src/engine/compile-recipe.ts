/**
 * Compiles a loaded recipe before any work: templates parsed, output schemas compiled, the
 * structured-output mode of each generate step chosen, and every template variable checked against
 * the fields that seeds and earlier steps provide. All problems are collected into one RecipeError
 * with file:line:col, so `synthforge validate` and `run` report the same things.
 */
import { PROVIDER_IDS } from '../domain.js';
import { SynthforgeError } from '../errors.js';
import { compileTemplate, type CompiledTemplate } from '../prompt/compile-template.js';
import type { ModelParams, ProviderCapabilities, ProviderCatalog, StructuredOutputMode } from '../providers/batch-provider.js';
import { RecipeError, type RecipeIssue } from '../recipe/recipe-error.js';
import type { DecontaminateStep, DedupStep, EmbedStep, FilterStep, GenerateStep, JudgeStep, LoadedRecipe, PartialRecipe, Recipe, Step } from '../recipe/recipe.js';
import { STEP_KINDS } from '../recipe/recipe-schema.js';
import { compileOutputSchema, schemaFieldNames, type OutputSchema } from '../schema/output-schema.js';
import { checkDecontaminateStep } from './check-decontaminate-step.js';
import { checkModel } from './check-model.js';
import { judgeAsGenerate, type CompiledJudge } from './judge-prompt.js';
import { sampleSeedFields } from './seed-sources.js';
import { queueLimitIssues, stepQueue, type StepQueue } from './queue-limits.js';

export interface CompiledGenerateStep {
  kind: 'generate';
  step: GenerateStep;
  /** What the step's provider can do: its encoding, limits, answer normalisation and cost traits. */
  capabilities: ProviderCapabilities;
  system?: CompiledTemplate;
  prompt?: CompiledTemplate;
  messages?: { role: 'system' | 'user' | 'assistant'; content: CompiledTemplate }[];
  output: OutputSchema;
  outputMode: StructuredOutputMode;
  params: ModelParams;
  maxAttempts: number;
  /** Invalid answers are asked again with a repair turn, truncated ones with more max_tokens (engine/repair-request.ts). */
  repair: boolean;
  /** Fields this step adds to each record (the schema's top-level properties). */
  addsFields: string[];
  /** The provider queue its shards wait in (queue-limits.ts); absent when unlimited. */
  queue?: StepQueue;
  /** Set when the step is a `judge` written as a generate step (judge-prompt.ts). */
  judge?: CompiledJudge;
}

/** An embed step, shaped like a generate step so the same planner, driver and collector run it. */
export interface CompiledEmbedStep {
  kind: 'embed';
  step: EmbedStep;
  capabilities: ProviderCapabilities;
  /** The text to embed: the named field, or a template. */
  input: CompiledTemplate;
  /** `{ <field>: number[] }`: what the step adds to each record. */
  output: OutputSchema;
  outputMode: StructuredOutputMode;
  params: ModelParams;
  maxAttempts: number;
  addsFields: string[];
  queue?: StepQueue;
}

/** Steps that send requests to a provider. */
export type CompiledBatchStep = CompiledGenerateStep | CompiledEmbedStep;

export type CompiledStep =
  | CompiledBatchStep
  | { kind: 'dedup' | 'filter'; step: DedupStep | FilterStep }
  | { kind: 'decontaminate'; step: DecontaminateStep };

export function isBatchStep(step: CompiledStep): step is CompiledBatchStep {
  return step.kind === 'generate' || step.kind === 'embed';
}

export interface CompiledRecipe {
  recipe: Recipe;
  steps: CompiledStep[];
  /** Output templates (openai-chat messages, field maps), compiled. */
  outputTemplates: { messages?: { role: 'system' | 'user' | 'assistant'; content: CompiledTemplate }[]; fields?: Record<string, CompiledTemplate> };
  warnings: RecipeIssue[];
}

type Path = (string | number)[];

class IssueCollector {
  readonly issues: RecipeIssue[] = [];
  constructor(private readonly loaded: LoadedRecipe) {}

  add(path: Path, code: string, message: string, severity: 'error' | 'warning' = 'error'): void {
    const position = this.loaded.locate(path);
    this.issues.push({ file: this.loaded.recipe.source.file || '(recipe object)', ...(position ?? {}), path, code, message, severity });
  }

  /** Runs `compile`, turning a thrown SynthforgeError into an issue at `path`. */
  attempt<T>(path: Path, compile: () => T): T | undefined {
    try {
      return compile();
    } catch (error) {
      if (!SynthforgeError.isInstance(error)) throw error;
      this.add(path, error.code, error.message);
      return undefined;
    }
  }
}

/** What compiling needs to know of the providers: their capabilities, no connection. */
export type CapabilityLookup = Pick<ProviderCatalog, 'capabilities'>;

export interface CompileOptions {
  /** Where a provider's base URL may come from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

export async function compileRecipe(loaded: LoadedRecipe, providers: CapabilityLookup, options: CompileOptions = {}): Promise<CompiledRecipe> {
  const { compiled, issues } = await compileParts(loaded, providers, options);
  if (issues.some((issue) => issue.severity === 'error')) throw new RecipeError(issues);
  return { ...compiled, warnings: issues };
}

/**
 * The issues compiling finds in the parts of a recipe that passed its schema. A step that failed it
 * is absent; what it would add to records is read off what the user wrote where that is clear
 * (guessStepFields), else any field is taken as present after it, so no field is reported missing
 * that only it would have provided.
 */
export async function compileIssues(partial: PartialRecipe, providers: CapabilityLookup, options: CompileOptions = {}): Promise<RecipeIssue[]> {
  return (await compileParts(partial, providers, options, partial)).issues;
}

async function compileParts(
  loaded: LoadedRecipe,
  providers: CapabilityLookup,
  options: CompileOptions,
  gaps: Pick<PartialRecipe, 'failedSteps' | 'seedsIncomplete'> = { failedSteps: [], seedsIncomplete: false },
): Promise<{ compiled: Omit<CompiledRecipe, 'warnings'>; issues: RecipeIssue[] }> {
  const { recipe } = loaded;
  const issues = new IssueCollector(loaded);
  const context: StepContext = { issues, recipe, providers, env: options.env ?? process.env };
  const seedFields = await sampleSeedFields(recipe);
  const available = new KnownFields(seedFields.fields);
  available.open = gaps.seedsIncomplete;
  for (const error of seedFields.errors) issues.add(['seeds', error.index], 'seed_invalid', error.message);
  const failed = [...gaps.failedSteps];
  const passFailedSteps = (before: number): void => {
    while (failed.length > 0 && failed[0]!.index < before) available.addGuessed(guessStepFields(failed.shift()!.document));
  };

  const steps: CompiledStep[] = [];
  for (const step of recipe.steps) {
    passFailedSteps(step.index);
    if (step.kind === 'dedup' || step.kind === 'filter') {
      checkFieldReferences(issues, step, available);
      steps.push({ kind: step.kind, step });
      continue;
    }
    if (step.kind === 'decontaminate') {
      for (const issue of await checkDecontaminateStep(step, recipe.source.dir, available)) issues.add(issue.path, issue.code, issue.message);
      steps.push({ kind: step.kind, step });
      continue;
    }
    const compiled =
      step.kind === 'embed'
        ? compileEmbedStep(context, step, available)
        : step.kind === 'judge' // judge hook
          ? compileJudgeStep(context, step, available)
          : compileGenerateStep(context, step, available);
    if (compiled) {
      const queue = stepQueue(compiled.capabilities, step.modelRef, recipe.queue_limits, context.env);
      if (queue) compiled.queue = queue;
      for (const field of compiled.addsFields) available.add(field);
      steps.push(compiled);
    }
  }
  passFailedSteps(Infinity);
  const outputTemplates = compileOutputTemplates(issues, recipe, available);
  for (const issue of queueLimitIssues(recipe.queue_limits, (id) => providers.capabilities(id))) issues.add(issue.path, 'queue_limit_key', issue.message);
  return { compiled: { recipe, steps, outputTemplates }, issues: issues.issues };
}

/** The fields records carry at a step. `open` once a step whose fields are unknown came before: then every name counts as present. */
class KnownFields extends Set<string> {
  open = false;

  override has(field: string): boolean {
    return this.open || super.has(field);
  }

  addGuessed(fields: string[] | undefined): void {
    if (fields === undefined) this.open = true;
    else for (const field of fields) this.add(field);
  }
}

/** What a step that failed its schema would add to records: its schema's fields, its vector field, nothing for dedup and filter; `undefined` when unclear. */
function guessStepFields(document: unknown): string[] | undefined {
  if (typeof document !== 'object' || document === null) return undefined;
  const entry = document as Record<string, unknown>;
  const kinds = STEP_KINDS.filter((kind) => kind in entry);
  if (kinds.length !== 1) return undefined;
  if (kinds[0] === 'dedup' || kinds[0] === 'filter') return [];
  if (kinds[0] === 'embed') return typeof entry.embed === 'string' ? [entry.embed] : undefined;
  try {
    return schemaFieldNames(compileOutputSchema('failed_step', entry.schema).jsonSchema);
  } catch (error) {
    if (SynthforgeError.isInstance(error)) return undefined;
    throw error;
  }
}

interface StepContext {
  issues: IssueCollector;
  recipe: Recipe;
  providers: CapabilityLookup;
  env: Record<string, string | undefined>;
}

function compileGenerateStep(context: StepContext, step: GenerateStep, available: Set<string>): CompiledGenerateStep | undefined {
  const { issues, recipe } = context;
  const capabilities = context.providers.capabilities(step.modelRef.provider);
  const base: Path = ['steps', step.index];
  checkBaseUrl(context, step);
  checkStepModel(context, step, capabilities);
  const template = (key: string, source: unknown, path: Path): CompiledTemplate | undefined => {
    if (source === undefined) return undefined;
    const compiled = issues.attempt(path, () => compileTemplate(source as string, { where: `steps[${step.index}].${key}` }));
    if (compiled) checkVariables(issues, compiled, available, path);
    return compiled;
  };
  const system = template('system', step.system, [...base, 'system']);
  const prompt = template('prompt', step.prompt, [...base, 'prompt']);
  const messages = step.messages?.map((message, index) => ({
    role: message.role,
    content: template(`messages[${index}].content`, message.content, [...base, 'messages', index, 'content']),
  }));
  const output = issues.attempt([...base, 'schema'], () => compileOutputSchema(step.name, step.schema));
  const outputMode = chooseOutputMode(issues, step, capabilities);
  // Rewritten now, so a schema the provider cannot take fails before the run.
  if (output && outputMode) issues.attempt([...base, 'schema'], () => capabilities.toWireSchema(output.jsonSchema, outputMode));
  if (!output || !outputMode || messages?.some((message) => !message.content)) return undefined;
  if ((step.prompt !== undefined && !prompt) || (step.system !== undefined && !system)) return undefined;

  const addsFields = schemaFieldNames(output.jsonSchema);
  if (addsFields.length === 0) {
    issues.add([...base, 'schema'], 'schema_no_fields', 'the schema of a generate step must be an object with properties (they become record fields)');
  }
  return {
    kind: 'generate',
    step,
    capabilities,
    ...(system ? { system } : {}),
    ...(prompt ? { prompt } : {}),
    ...(messages ? { messages: messages as { role: 'system' | 'user' | 'assistant'; content: CompiledTemplate }[] } : {}),
    output,
    outputMode,
    params: pickParams(step),
    maxAttempts: step.max_attempts ?? recipe.max_attempts,
    repair: step.repair ?? recipe.repair ?? true,
    addsFields,
  };
}

/**
 * A judge step compiles as the generate step it is written into. Its own templates are compiled
 * first at their own keys, so a missing field is reported at `target:` / `a:` / `b:`, not at a
 * prompt the user never wrote.
 */
function compileJudgeStep(context: StepContext, judge: JudgeStep, available: Set<string>): CompiledGenerateStep | undefined {
  const { issues } = context;
  const own = (key: 'target' | 'a' | 'b' | 'system'): CompiledTemplate | undefined | false => {
    if (judge[key] === undefined) return undefined;
    const path: Path = ['steps', judge.index, key];
    const compiled = issues.attempt(path, () => compileTemplate(judge[key] as string, { where: `steps[${judge.index}].${key}` }));
    if (!compiled) return false;
    const before = issues.issues.length;
    checkVariables(issues, compiled, available, path);
    return issues.issues.length === before ? compiled : false;
  };
  const parts = { target: own('target'), a: own('a'), b: own('b'), system: own('system') };
  if (Object.values(parts).some((part) => part === false)) return undefined;
  const written = judgeAsGenerate(judge);
  const compiled = compileGenerateStep(context, written.step, available);
  if (!compiled) return undefined;
  const swappedPrompt = written.swappedPrompt === undefined ? undefined : compileTemplate(written.swappedPrompt as string, { where: `steps[${judge.index}]` });
  compiled.judge = { step: judge, ...(swappedPrompt ? { swappedPrompt } : {}), ...(parts.a ? { a: parts.a } : {}), ...(parts.b ? { b: parts.b } : {}) };
  // A pairwise judge also writes the preference pair.
  compiled.addsFields = judge.mode === 'pairwise' ? [judge.name, 'chosen', 'rejected'] : [judge.name];
  return compiled;
}

/** A provider that talks to the user's own server needs its address: the step's `base_url` or an environment variable. */
function checkBaseUrl(context: StepContext, step: GenerateStep): void {
  const variable = context.providers.capabilities(step.modelRef.provider).baseUrlVariable;
  if (variable === undefined || step.base_url || context.env[variable]) return;
  context.issues.add(
    ['steps', step.index, 'model'],
    'missing_base_url',
    `an ${step.modelRef.provider} model needs \`base_url\` (e.g. http://localhost:8000/v1 for vLLM) or ${variable}`,
  );
}

/** The step's model against the model catalogue: an issue at `steps[i].model` when it is unknown or of the wrong kind. */
function checkStepModel(context: StepContext, step: GenerateStep | EmbedStep, capabilities: ProviderCapabilities): void {
  const kind = step.kind === 'embed' ? 'embedding' : 'chat';
  const finding = checkModel({ model: step.modelRef, kind, capabilities, check: step.model_check });
  if (finding) context.issues.add(['steps', step.index, 'model'], finding.code, finding.message, finding.severity);
}

/** `input: question` names a field; anything with Jinja markup is a template. */
function compileEmbedStep(context: StepContext, step: EmbedStep, available: Set<string>): CompiledEmbedStep | undefined {
  const { issues, recipe } = context;
  if (!context.providers.capabilities(step.modelRef.provider).embeddings) {
    const able = PROVIDER_IDS.filter((id) => context.providers.capabilities(id).embeddings);
    issues.add(['steps', step.index, 'model'], 'embeddings_unsupported', `${step.modelRef.provider} has no batch embeddings; use ${able.map((id) => `${id}/<model>`).join(' or ')}`);
    return undefined;
  }
  checkStepModel(context, step, context.providers.capabilities(step.modelRef.provider));
  const path: Path = ['steps', step.index, 'input'];
  const source = typeof step.input === 'string' && !/[{][{%]/.test(step.input) ? `{{ ${step.input} }}` : step.input;
  const input = issues.attempt(path, () => compileTemplate(source as string, { where: `steps[${step.index}].input` }));
  if (!input) return undefined;
  checkVariables(issues, input, available, path);
  const vector = { type: 'array', items: { type: 'number' }, ...(step.dimensions ? { minItems: step.dimensions, maxItems: step.dimensions } : {}) };
  const output = issues.attempt(['steps', step.index, 'embed'], () =>
    compileOutputSchema(step.name, { type: 'object', properties: { [step.name]: vector }, required: [step.name] }),
  );
  if (!output) return undefined;
  return { kind: 'embed', step, capabilities: context.providers.capabilities(step.modelRef.provider), input, output, outputMode: 'native', params: {}, maxAttempts: step.max_attempts ?? recipe.max_attempts, addsFields: [step.name] };
}

function chooseOutputMode(issues: IssueCollector, step: GenerateStep, capabilities: ProviderCapabilities): StructuredOutputMode | undefined {
  const { supported } = capabilities.outputModes;
  if (step.structured_output === 'auto') return capabilities.outputModes.default;
  if (!supported.includes(step.structured_output)) {
    issues.add(
      ['steps', step.index, 'structured_output'],
      'unsupported_output_mode',
      `${step.modelRef.provider} does not support structured_output "${step.structured_output}"; use one of: auto, ${supported.join(', ')}`,
    );
    return undefined;
  }
  return step.structured_output;
}

function pickParams(step: GenerateStep): ModelParams {
  const params: ModelParams = {};
  if (step.temperature !== undefined) params.temperature = step.temperature;
  if (step.top_p !== undefined) params.top_p = step.top_p;
  if (step.max_tokens !== undefined) params.max_tokens = step.max_tokens;
  if (step.seed !== undefined) params.seed = step.seed;
  if (step.stop !== undefined) params.stop = step.stop;
  if (step.presence_penalty !== undefined) params.presence_penalty = step.presence_penalty;
  if (step.frequency_penalty !== undefined) params.frequency_penalty = step.frequency_penalty;
  return params;
}

function checkVariables(issues: IssueCollector, template: CompiledTemplate, available: Set<string>, path: Path): void {
  for (const variable of template.variables) {
    if (available.has(variable)) continue;
    const known = [...available].sort().join(', ') || '(none)';
    issues.add(path, 'unknown_variable', `"${variable}" is not a field here: no seed or earlier step provides it; known: ${known}`);
  }
}

/** Dedup and filter steps name fields (possibly nested: `meta.score`); the top-level name must exist. */
function checkFieldReferences(issues: IssueCollector, step: Step, available: Set<string>): void {
  const fields =
    step.kind === 'dedup'
      ? [...step.spec.fields, ...(step.spec.semantic ? [step.spec.semantic.field] : [])]
      : step.kind === 'filter'
        ? collectFilterFields(step.spec)
        : [];
  for (const field of fields) {
    const top = field.split(/[.[]/)[0] ?? field;
    if (available.has(top)) continue;
    const known = [...available].sort().join(', ') || '(none)';
    issues.add(['steps', step.index, step.kind], 'unknown_field', `field "${field}" is not provided by the seeds or an earlier step; known: ${known}`);
  }
}

function collectFilterFields(spec: unknown): string[] {
  if (!spec || typeof spec !== 'object') return [];
  const node = spec as Record<string, unknown>;
  const fields: string[] = typeof node.field === 'string' ? [node.field] : [];
  for (const key of ['all', 'any']) {
    const children = node[key];
    if (Array.isArray(children)) for (const child of children) fields.push(...collectFilterFields(child));
  }
  if (node.not) fields.push(...collectFilterFields(node.not));
  return fields;
}

function compileOutputTemplates(issues: IssueCollector, recipe: Recipe, available: Set<string>): CompiledRecipe['outputTemplates'] {
  const compileAt = (source: unknown, path: Path, where: string): CompiledTemplate | undefined => {
    const compiled = issues.attempt(path, () => compileTemplate(source as string, { where }));
    if (compiled) checkVariables(issues, compiled, available, path);
    return compiled;
  };
  const messages = recipe.output.messages?.map((message, index) => ({
    role: message.role,
    content: compileAt(message.content, ['output', 'messages', index, 'content'], `output.messages[${index}].content`)!,
  }));
  const fields = recipe.output.fields
    ? Object.fromEntries(
        Object.entries(recipe.output.fields).map(([name, source]) => [name, compileAt(source, ['output', 'fields', name], `output.fields.${name}`)!]),
      )
    : undefined;
  return { ...(messages ? { messages } : {}), ...(fields ? { fields } : {}) };
}
