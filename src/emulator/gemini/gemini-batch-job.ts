/**
 * The background work of a Gemini batch job (run through the serial queue): read the input (inline
 * requests saved at create, or the uploaded JSONL file), refuse it as a whole when a line is unreadable
 * or a key repeats, decide the batch fault, then answer every line into the staged file in input order.
 * Ending a job writes its output: a responses file for file input, inline responses otherwise.
 *
 * Output keeps the input order: the SDK documents both `responsesFile` and `inlinedResponses` as "in the
 * same order as the input requests". Clients should still match on `key` / `metadata.key`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { echoCredentials } from '../core/credential-faults.js';
import { emptyFaultTally } from '../core/emulator-stats.js';
import { decideBatchFault, decideLineFault, finishesBeforeExpiry, type BatchFault } from '../core/fault-decisions.js';
import { decideRepairValid } from '../core/repair-turns.js';
import { LineIdentities } from '../core/line-identity.js';
import { LineWriter } from '../core/line-writer.js';
import { isSchemaNode } from '../core/schema-data.js';
import { hashHex } from '../core/seeded-random.js';
import { countFault, finishBatchOnce, formatStagedLine, readStagedLines } from '../core/staged-results.js';
import type { GeminiBatchPhase, GeminiBatchRecord } from './gemini-batch-record.js';
import { addGeminiFile, geminiFileDataPath, newGeminiId, type GeminiContext } from './gemini-context.js';
import { runEmbedRequest } from './gemini-embed.js';
import { lineErrorType, lineStatus } from './gemini-errors.js';
import { runGenerateRequest, type GeminiLineOutcome } from './gemini-generate.js';

export const geminiPaths = (context: GeminiContext, id: string) => ({
  requests: context.store.path('gemini-batches', `${id}.requests.json`),
  staged: context.store.path('gemini-batches', `${id}.staged`),
  inline: context.store.path('gemini-batches', `${id}.inline.json`),
});

/** One input request and what its output entry echoes back (`key` for file lines, `metadata` inline). */
interface InputLine {
  customId: string;
  request: unknown;
  echo: Record<string, unknown>;
}

class InputProblem extends Error {}

async function* fileLines(context: GeminiContext, fileId: string): AsyncGenerator<InputLine> {
  const stream = createReadStream(geminiFileDataPath(context, fileId), 'utf8');
  const input = createInterface({ input: stream, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const text of input) {
      number++;
      if (text.trim() === '') continue;
      let line: unknown;
      try {
        line = JSON.parse(text);
      } catch {
        throw new InputProblem(`Invalid JSON on line ${number} of the input file.`);
      }
      if (!isSchemaNode(line) || !isSchemaNode(line.request)) throw new InputProblem(`Line ${number} of the input file has no "request" object.`);
      if (line.key !== undefined && typeof line.key !== 'string') throw new InputProblem(`Line ${number} of the input file has a "key" that is not a string.`);
      const key = line.key as string | undefined;
      yield { customId: key ?? `line-${number}`, request: line.request, echo: key === undefined ? {} : { key } };
    }
  } finally {
    input.close();
    stream.destroy();
  }
}

async function* inlineLines(context: GeminiContext, record: GeminiBatchRecord): AsyncGenerator<InputLine> {
  const list = JSON.parse(await readFile(geminiPaths(context, record.id).requests, 'utf8')) as { request: unknown; metadata?: Record<string, unknown> }[];
  for (const [index, item] of list.entries()) {
    const key = item.metadata?.key;
    yield { customId: typeof key === 'string' ? key : `#${index}`, request: item.request, echo: item.metadata ? { metadata: item.metadata } : {} };
  }
}

function inputLines(context: GeminiContext, record: GeminiBatchRecord): AsyncGenerator<InputLine> {
  return record.inputFile === null ? inlineLines(context, record) : fileLines(context, record.inputFile);
}

/**
 * Reads the lines' identities (line-identity.ts; the whole input is never held), or the reason the job
 * fails as a whole.
 */
async function scanIds(context: GeminiContext, record: GeminiBatchRecord): Promise<{ ids: string[]; customIds: string[]; error: string | null }> {
  const ids: string[] = [];
  const customIds: string[] = [];
  const seen = new Set<string>();
  const identities = new LineIdentities();
  try {
    if (record.inputFile !== null && !context.geminiFiles.has(record.inputFile)) throw new InputProblem(`The input file files/${record.inputFile} was deleted.`);
    for await (const line of inputLines(context, record)) {
      if (seen.has(line.customId)) throw new InputProblem(`Duplicate key "${line.customId}" in the batch input; keys must be unique.`);
      seen.add(line.customId);
      ids.push(identities.next(JSON.stringify(line.request)));
      customIds.push(line.customId);
    }
  } catch (error) {
    if (error instanceof InputProblem) return { ids: [], customIds: [], error: error.message };
    throw error;
  }
  return { ids, customIds, error: ids.length === 0 ? 'The batch input has no requests.' : null };
}

function runLine(record: GeminiBatchRecord, line: InputLine, identity: string, attempt: number, context: GeminiContext): GeminiLineOutcome {
  const fault = decideLineFault(record.faults, identity, attempt);
  if (record.kind === 'embed') return runEmbedRequest(line.request, record.model, fault);
  const seedParts = [hashHex(identity, attempt)];
  return runGenerateRequest(line.request, record.model, seedParts, fault, context.memory, decideRepairValid(record.faults, identity, attempt));
}

export async function runGeminiBatchJob(context: GeminiContext, record: GeminiBatchRecord): Promise<void> {
  try {
    const scanned = await scanIds(context, record);
    const batchKey = hashHex('batch-key', scanned.ids.join('\u0000'));
    let error = scanned.error;
    let batchFault: BatchFault = 'none';
    let attempts: number[] = [];
    if (error === null) {
      const assigned = await context.seen.assign(record.id, scanned.ids, batchKey, scanned.customIds);
      attempts = assigned.ids;
      batchFault = decideBatchFault(record.faults, 'gemini', batchKey, assigned.batchKey);
      if (batchFault === 'fail_validation') {
        error = `Enqueued token quota exceeded for ${record.model}. Try again once some of your batch jobs have completed.`;
        context.stats.faultsInjected.failedValidationBatches++;
      } else {
        context.stats.requestsReceived.gemini += scanned.ids.length;
      }
    }
    // Set in one step, so no read sees a half-decided outcome; a re-run after a restart keeps the time shown.
    record.scan = { doneAtMs: record.scan?.doneAtMs ?? context.clock(), total: scanned.ids.length, error, batchFault, batchKey };
    await context.save('gemini-batches', record);
    // A job cancelled while pending has already ended with nothing run: there is nothing to answer.
    if (error === null && !record.final) await answerLines(context, record, scanned.ids, attempts);
  } catch (error) {
    record.jobError = error instanceof Error ? error.message : String(error);
    await context.save('gemini-batches', record);
    throw error;
  }
}

async function answerLines(context: GeminiContext, record: GeminiBatchRecord, identities: string[], attempts: number[]): Promise<void> {
  const writer = new LineWriter(geminiPaths(context, record.id).staged);
  let ok = 0;
  let failed = 0;
  let index = 0;
  try {
    for await (const line of inputLines(context, record)) {
      const outcome = runLine(record, line, identities[index]!, attempts[index] ?? 0, context);
      index++;
      const entry = outcome.ok ? { ...line.echo, response: outcome.body } : { ...line.echo, error: failedLineStatus(record, outcome) };
      if (outcome.ok) ok++;
      else failed++;
      await writer.write(
        formatStagedLine({
          ok: outcome.ok,
          applied: outcome.applied,
          inputTokens: outcome.ok ? outcome.inputTokens : 0,
          outputTokens: outcome.ok ? outcome.outputTokens : 0,
          customId: line.customId,
          line: JSON.stringify(entry),
        }),
      );
    }
  } finally {
    await writer.close();
  }
  record.run = { doneAtMs: context.clock(), ok, failed };
  await context.save('gemini-batches', record);
}

/** A failed line's google.rpc.Status; a `line_error` fault is worded by `lineErrorStatus` and may quote the credentials. */
function failedLineStatus(record: GeminiBatchRecord, outcome: Extract<GeminiLineOutcome, { ok: false }>): { code: number; message: string } {
  if (outcome.applied !== 'line_error') return lineStatus(outcome.problem === 'invalid' ? 'INVALID_ARGUMENT' : 'INTERNAL', outcome.message);
  const type = lineErrorType(record.faults.lineErrorStatus ?? 500);
  const message = type === 'INTERNAL' ? outcome.message : `Injected ${type}.`;
  return lineStatus(type, echoCredentials(message, record.credentials));
}

async function writeOutput(context: GeminiContext, record: GeminiBatchRecord, phase: GeminiBatchPhase): Promise<void> {
  const faults = emptyFaultTally();
  const final: NonNullable<GeminiBatchRecord['final']> = { responsesFile: null, succeeded: 0, failed: 0, notRun: 0, faults };
  const expired = phase.state === 'BATCH_STATE_EXPIRED';
  if (expired) faults.expiredBatches = 1;
  const scan = record.scan;
  if (!scan || !record.run || phase.runningAt === null) {
    // Cancelled while pending: nothing ran.
    final.notRun = scan?.total ?? 0;
    record.final = final;
    return;
  }
  const ranCount = phase.state === 'BATCH_STATE_CANCELLED' ? Math.floor(phase.progress * scan.total) : scan.total;
  const temp = context.store.tempPath();
  const writer = new LineWriter(temp);
  let index = 0;
  try {
    for await (const staged of readStagedLines(geminiPaths(context, record.id).staged)) {
      const ran = expired ? finishesBeforeExpiry(record.faults, scan.batchKey, staged.customId) : index < ranCount;
      index++;
      if (!ran) {
        final.notRun++;
        faults[expired ? 'expiredLines' : 'cancelledLines']++;
        continue;
      }
      countFault(faults, staged.applied);
      final[staged.ok ? 'succeeded' : 'failed']++;
      await writer.write(staged.line);
    }
  } finally {
    await writer.close();
  }
  if (record.inputFile === null) {
    const entries = (await readFile(temp, 'utf8')).split('\n').filter(Boolean).join(',');
    await writeFile(geminiPaths(context, record.id).inline, `[${entries}]`);
    await rm(temp, { force: true });
  } else if (writer.lines > 0) {
    const id = newGeminiId();
    await rename(temp, geminiFileDataPath(context, id));
    const hash = createHash('sha256');
    await pipeline(createReadStream(geminiFileDataPath(context, id)), hash);
    const sha256 = hash.digest('base64');
    await addGeminiFile(context, { id, bytes: writer.bytes, displayName: `batch-${record.id}-responses`, mimeType: 'application/jsonl', sha256, source: 'GENERATED' });
    final.responsesFile = id;
  } else {
    await rm(temp, { force: true });
  }
  record.final = final;
}

/** Writes the output once, however many reads ask for it at the same time. */
export async function finishGeminiBatch(context: GeminiContext, record: GeminiBatchRecord, phase: GeminiBatchPhase): Promise<void> {
  await finishBatchOnce(context, record, { folder: 'gemini-batches', stagedPath: geminiPaths(context, record.id).staged, write: () => writeOutput(context, record, phase) });
}

/** `metadata.output` of an ended job, or null when it has nothing to show. */
export async function geminiOutput(context: GeminiContext, record: GeminiBatchRecord): Promise<Record<string, unknown> | null> {
  if (!record.final) return null;
  if (record.inputFile !== null) return record.final.responsesFile ? { responsesFile: `files/${record.final.responsesFile}` } : null;
  let entries: unknown[];
  try {
    entries = JSON.parse(await readFile(geminiPaths(context, record.id).inline, 'utf8')) as unknown[];
  } catch {
    return null;
  }
  if (entries.length === 0) return null;
  const key = record.kind === 'embed' ? 'inlinedEmbedContentResponses' : 'inlinedResponses';
  return { [key]: { inlinedResponses: entries } };
}
