/**
 * A collect thread (collect-pool.ts): cuts a batch of a shard's raw result bytes into lines, decodes them with the
 * provider's converter (imported by URL), redacts them as the provider's wrapper would, joins each
 * to its shard line and judges it (judge-result.ts), and answers with flat arrays and the bytes each
 * line puts in the answers and invalid files, already encoded: the calling thread copies them out by runs.
 * Which lines count (another shard's id, a repeated delivery) is the calling thread's to decide.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ResultDecoderModule } from '../providers/batch-provider.js';
import { textLinesOf } from '../dataset/line-chunks.js';
import { SecretRedactor } from '../redact-secrets.js';
import { compileJsonOutputSchema } from '../schema/json-output-schema.js';
import { RESPONSE_OUTCOMES, type ResponseOutcome } from '../store/response-outcomes.js';
import { HAS_USAGE, RETRYABLE, type CollectThreadData, type JudgeReply, type JudgeRequest } from './collect-pool.js';
import { judgeResult } from './judge-result.js';
import { LineBytes } from './line-bytes.js';
import { lineOfCustomId } from './shard-files.js';

const data = workerData as CollectThreadData;
const decoder = (await import(data.decoder.module)) as ResultDecoderModule;
const redactor = new SecretRedactor(data.decoder.secrets ?? []);
// The calling thread compiled (and so checked) this schema already: not again per thread.
const schema = compileJsonOutputSchema(data.schemaName, data.jsonSchema, { checked: true });
const context = { capabilities: { normalizeAnswer: decoder.normalizeAnswer }, mode: data.mode };
const OUTCOME_CODE = new Map<ResponseOutcome, number>(RESPONSE_OUTCOMES.map((outcome, code) => [outcome, code]));

parentPort!.on('message', (request: JudgeRequest) => {
  try {
    const reply = judgeBatch(request);
    const columns = [reply.lines.buffer, reply.outcomes.buffer, reply.flags.buffer, reply.usage.buffer, reply.sizes.buffer];
    parentPort!.postMessage(reply, reply.bytes ? [...columns, reply.bytes.buffer] : columns);
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: (error as Error).stack ?? String(error) } satisfies JudgeReply);
  }
});

function judgeBatch({ id, shardId, lines: lineCount, slot, length, bytes }: JudgeRequest): Extract<JudgeReply, { lines: Int32Array }> {
  const shared = slot === -1 ? undefined : data.slots[slot]!;
  // Decoded into strings first: the slot's bytes are then free for the answers.
  const raw = textLinesOf(bytes ?? new Uint8Array(shared!, 0, length));
  const count = raw.length;
  const lines = new Int32Array(count).fill(-1);
  const outcomes = new Uint8Array(count);
  const flags = new Uint8Array(count);
  const usage = new Float64Array(count * 3);
  const sizes = new Uint32Array(count);
  // Answers are shorter than the lines that carry them; the invalid file gets a few short lines.
  const answers = new LineBytes(shared ? Buffer.from(shared) : Buffer.allocUnsafeSlow(Math.max(length, 64)));
  const invalid = new LineBytes(Buffer.allocUnsafeSlow(4096));
  const authErrors: NonNullable<Extract<JudgeReply, { lines: Int32Array }>['authErrors']> = [];
  for (let index = 0; index < count; index++) {
    const decoded = decoder.decodeResultLine(raw[index]!);
    const result = decoded && redactor.value(decoded);
    const line = result && lineOfCustomId(shardId, result.customId, lineCount);
    if (!result || line === undefined) continue;
    const verdict = judgeResult(result, line, schema, context);
    lines[index] = line;
    outcomes[index] = OUTCOME_CODE.get(verdict.outcome)!;
    flags[index] = (verdict.retryable ? RETRYABLE : 0) | (verdict.usage ? HAS_USAGE : 0);
    if (verdict.usage) {
      usage[index * 3] = verdict.usage.inputTokens;
      usage[index * 3 + 1] = verdict.usage.outputTokens;
      usage[index * 3 + 2] = verdict.usage.cachedInputTokens ?? 0;
    }
    if (verdict.authError) authErrors.push({ index, error: verdict.authError });
    sizes[index] = (verdict.outcome === 'valid' ? answers : invalid).add(verdict.text);
  }
  const answersBytes = answers.length;
  const invalidBytes = invalid.length;
  answers.append(invalid);
  return {
    id,
    lines,
    outcomes,
    flags,
    usage,
    sizes,
    answersBytes,
    invalidBytes,
    ...(answers.inPlace(shared) ? {} : { bytes: answers.bytes() }),
    ...(authErrors.length > 0 ? { authErrors } : {}),
  };
}
