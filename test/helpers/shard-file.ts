import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BatchProvider, ProviderRequest, ShardSubmission } from '../../src/providers/batch-provider.js';

export const QA_SCHEMA = {
  type: 'object',
  properties: { question: { type: 'string', minLength: 5 }, level: { type: 'string', enum: ['easy', 'hard'] } },
  required: ['question', 'level'],
};

export function makeRequests(count: number, model = 'gpt-4o-mini'): ProviderRequest[] {
  return Array.from({ length: count }, (_, index) => ({
    customId: `req-${String(index).padStart(4, '0')}`,
    model,
    messages: [
      { role: 'system', content: 'You write quiz questions.' },
      { role: 'user', content: `Write question number ${index} about tea.` },
    ],
    params: { temperature: 1, max_tokens: 200 },
    output: { name: 'qa', jsonSchema: QA_SCHEMA, mode: 'native' },
  }));
}

/** Writes a shard file the way the engine does: one encodeRequest line per request. */
export function writeShard(dir: string, provider: BatchProvider, requests: ProviderRequest[], shardId = 'shard-1'): ShardSubmission {
  const inputPath = join(dir, `${shardId}.jsonl`);
  writeFileSync(inputPath, requests.map((request) => `${provider.capabilities.encodeRequest(request)}\n`).join(''));
  return { runId: 'run-test', shardId, model: requests[0]!.model, inputPath, requestCount: requests.length };
}

export async function pollUntilDone(provider: BatchProvider, handle: Parameters<BatchProvider['poll']>[0]) {
  for (;;) {
    const status = await provider.poll(handle);
    if (status.state !== 'running') return status;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
