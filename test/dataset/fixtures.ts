import type { DataRecord, Fields } from '../../src/domain.js';
import { outputSpecSchema, type OutputSpec, type OutputSpecInput } from '../../src/dataset/output-spec.js';
import type { OutputTemplates } from '../../src/dataset/output-templates.js';
import { writeDatasetVersion, type VersionInfo } from '../../src/dataset/write-version.js';
import { compileTemplate } from '../../src/prompt/compile-template.js';

export function record(index: number, fields: Fields, prefix = 's0'): DataRecord {
  const id = `${prefix}-${String(index).padStart(6, '0')}`;
  return {
    id,
    seedId: id,
    fields,
    lineage: [{ step: 'answer', requestKey: `key-${id}`, provider: 'openai', model: 'gpt-4o-mini', batchId: 'batch_1' }],
  };
}

/** Question/answer records with a `topic` (3 values) and a few typed extras for raw output. */
export function qaRecords(count: number, options: { start?: number; answerSuffix?: string } = {}): DataRecord[] {
  const start = options.start ?? 0;
  return Array.from({ length: count }, (_, offset) => {
    const index = start + offset;
    return record(index, {
      question: `How do I reset router model ${index}?`,
      answer: `Hold the reset button for ten seconds (${index})${options.answerSuffix ?? ''}.`,
      rejected: `No idea ${index}.`,
      topic: ['wifi', 'billing', 'hardware'][index % 3],
      score: index / 4,
      count: index,
      ok: index % 2 === 0,
      tags: [`t${index % 5}`],
      embedding: [index / 2, 1, -0.5],
    });
  });
}

export async function* stream<T>(items: Iterable<T>): AsyncIterable<T> {
  for (const item of items) yield item;
}

export function spec(input: OutputSpecInput): OutputSpec {
  return outputSpecSchema.parse(input);
}

/** Compiles the spec's templates the way the engine does. */
export function templatesOf(output: OutputSpec): OutputTemplates {
  return {
    ...(output.messages ? { messages: output.messages.map((message) => ({ role: message.role, content: compileTemplate(message.content) })) } : {}),
    ...(output.fields ? { fields: Object.fromEntries(Object.entries(output.fields).map(([name, source]) => [name, compileTemplate(source)])) } : {}),
  };
}

export const CHAT: OutputSpecInput = {
  format: 'openai-chat',
  messages: [
    { role: 'system', content: 'You are a support agent.' },
    { role: 'user', content: '{{ question }}' },
    { role: 'assistant', content: '{{ answer }}' },
  ],
};

export const MANIFEST = {
  created_at: '2026-01-01T00:00:00.000Z',
  tool: { name: 'synthforge', version: '0.1.0' },
  recipe: { name: 'support-qa', path: '/recipes/support-qa.yaml', kind: 'yaml', sha256: 'ab'.repeat(32) },
  models: ['openai/gpt-4o-mini'],
  steps: [
    { name: 'question', kind: 'generate', provider: 'openai', model: 'gpt-4o-mini', counts: { input: 10, output: 12, requested: 12, succeeded: 12 } },
    { name: 'dedup', kind: 'dedup', counts: { input: 12, output: 10, duplicates: { exact: 1, near: 1 } } },
    { name: 'filter', kind: 'filter', counts: { input: 10, output: 9, filtered: [{ rule: 'min_chars', removed: 1 }] } },
  ],
  cost: { requests: 12, inputTokens: 1200, outputTokens: 3400, cachedInputTokens: 0, costUsd: 0.0123, syncCostUsd: 0.0246, unpricedEntries: 0 },
};

export async function writeVersion(
  outputsRoot: string,
  records: Iterable<DataRecord> | AsyncIterable<DataRecord>,
  output: OutputSpecInput,
  extra: { dataset?: string; forceVersion?: boolean; manifest?: Record<string, unknown> } = {},
): Promise<VersionInfo> {
  const parsed = spec(output);
  return writeDatasetVersion({
    outputsRoot,
    dataset: extra.dataset ?? 'support-qa',
    records: Symbol.asyncIterator in records ? records : stream(records),
    output: parsed,
    templates: templatesOf(parsed),
    manifest: extra.manifest ?? MANIFEST,
    ...(extra.forceVersion ? { forceVersion: true } : {}),
  });
}
