/**
 * Turns the records entering a generate step into provider requests: one per (record, sample
 * index), each with its request key. Rendering is deterministic, so the planner and the emitter
 * (which runs after the batches came back) derive the same keys from the same stage file.
 */
import type { DataRecord } from '../domain.js';
import { SynthforgeError } from '../errors.js';
import type { ProviderRequest } from '../providers/batch-provider.js';
import { renderMessages, type MessageTemplates } from '../prompt/render-messages.js';
import type { CompiledBatchStep, CompiledEmbedStep, CompiledGenerateStep } from './compile-recipe.js';
import { requestKey, schemaFingerprint, StepKeys } from './request-key.js';
import type { PlannedKeys } from './stage-files.js';
import { rejectionExample } from './step-rejects.js';

/**
 * The custom_id a rendered request carries until the shard writer gives it its real one
 * (`<shard id>-<line>`, shard-files.ts), which only the writer knows. As long as a typical real id, so
 * that `plan`, which encodes requests without writing shards, counts about the same bytes per line.
 */
export const PLANNED_CUSTOM_ID = 'run-00000000-000000-0000-s0-0000-00000';

export interface RenderedRequest {
  record: DataRecord;
  sampleIndex: number;
  key: string;
  request: ProviderRequest;
}

/** Errors name the record by where it was read (`seeds/x.jsonl:57`). */
export function renderRecordRequests(step: CompiledBatchStep, record: DataRecord): RenderedRequest[] {
  return renderRequests(step, record, record.source ?? record.id);
}

/** A record whose requests cannot be rendered, and why (without the record's name: it is kept beside). */
export interface RenderRejection {
  rejected: true;
  reason: string;
}

/**
 * A record's requests, or why this record cannot be rendered: any coded error raised while rendering
 * it (a field its template needs is missing, a template function throws, a render bound is passed)
 * rejects this record alone, and the run goes on. Anything else is a bug and is thrown.
 */
export function renderOrReject(step: CompiledBatchStep, record: DataRecord): RenderedRequest[] | RenderRejection {
  try {
    return renderRequests(step, record, undefined);
  } catch (error) {
    if (!SynthforgeError.isInstance(error)) throw error;
    return { rejected: true, reason: error.message };
  }
}

/** A record's request keys as the planner records them: the keys, or the rejection (`source: reason`). */
export function plannedKeysOf(step: CompiledBatchStep, record: DataRecord): PlannedKeys {
  const rendered = renderOrReject(step, record);
  return Array.isArray(rendered) ? rendered.map((item) => item.key) : { rejected: rejectionExample(record, rendered.reason) };
}

function renderRequests(step: CompiledBatchStep, record: DataRecord, label: string | undefined): RenderedRequest[] {
  if (step.kind === 'embed') return [renderEmbedding(step, record, label)];
  const { keys, templates, output } = partsOf(step);
  const messages = renderMessages(templates, record.fields, label);
  // One serialisation of the messages serves every sample index.
  const messagesPart = keys.messagesPart(messages);
  const model = step.step.modelRef.model;
  const rendered: RenderedRequest[] = [];
  for (let sampleIndex = 0; sampleIndex < step.step.n; sampleIndex++) {
    // judge hook: a pairwise judge's sample 1 asks the same question with the two answers swapped.
    const swapped = sampleIndex === 1 && step.judge?.swappedPrompt ? renderMessages({ ...templates, prompt: step.judge.swappedPrompt }, record.fields, label) : undefined;
    rendered.push({
      record,
      sampleIndex,
      key: keys.key(swapped ? keys.messagesPart(swapped) : messagesPart, sampleIndex),
      request: { customId: PLANNED_CUSTOM_ID, model, messages: swapped ?? messages, params: step.params, output },
    });
  }
  return rendered;
}

/** What every request of a generate step shares, built once per step. */
interface StepParts {
  keys: StepKeys;
  templates: MessageTemplates;
  output: NonNullable<ProviderRequest['output']>;
}

const stepParts = new WeakMap<CompiledGenerateStep, StepParts>();

function partsOf(step: CompiledGenerateStep): StepParts {
  let parts = stepParts.get(step);
  if (!parts) {
    parts = {
      keys: new StepKeys({
        modelRef: step.step.modelRef,
        ...(step.step.base_url ? { baseUrl: step.step.base_url } : {}),
        params: step.params,
        schemaFingerprint: schemaFingerprint(step.output.jsonSchema),
        outputMode: step.outputMode,
      }),
      templates: {
        ...(step.system ? { system: step.system } : {}),
        ...(step.prompt ? { prompt: step.prompt } : {}),
        ...(step.messages ? { messages: step.messages } : {}),
      },
      output: { name: step.output.name, jsonSchema: step.output.jsonSchema, mode: step.outputMode },
    };
    stepParts.set(step, parts);
  }
  return parts;
}

/** The id of the record a sample becomes: the parent's id, suffixed with `.k` when n > 1. */
export function sampleRecordId(parentId: string, sampleIndex: number, n: number): string {
  return n > 1 ? `${parentId}.${sampleIndex}` : parentId;
}

/** One embeddings request per record; its key covers the model, the text and the dimensions. */
function renderEmbedding(step: CompiledEmbedStep, record: DataRecord, label: string | undefined): RenderedRequest {
  const input = step.input.render(record.fields, label);
  const dimensions = step.step.dimensions;
  const key = requestKey({
    modelRef: step.step.modelRef,
    ...(step.step.base_url ? { baseUrl: step.step.base_url } : {}),
    messages: [{ role: 'user', content: input }],
    params: {},
    schemaFingerprint: `embedding:${dimensions ?? 'default'}`,
    outputMode: 'native',
    sampleIndex: 0,
  });
  return {
    record,
    sampleIndex: 0,
    key,
    request: { customId: PLANNED_CUSTOM_ID, model: step.step.modelRef.model, messages: [], params: {}, embedding: { input, ...(dimensions ? { dimensions } : {}) } },
  };
}
