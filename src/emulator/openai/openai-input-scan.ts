/**
 * Validation of a batch input file, streamed line by line (a 200 MB file is never read whole). Only the
 * custom_ids are kept; the run streams the file again.
 *
 * Error codes: `invalid_json_line`, `duplicate_custom_id`, `url_mismatch`, `model_mismatch`, `empty_file`
 * and `too_many_tasks` are the documented ones quoted by third parties; `missing_required_parameter`,
 * `invalid_method` and `file_too_large` are the emulator's choice for cases with no known code.
 */
import { createReadStream } from 'node:fs';
import type { EmulatorLimits } from '../core/emulator-options.js';
import type { BatchErrorEntry } from './openai-batch-record.js';
import { countEmbeddingInputs } from './openai-embeddings.js';
import { isSchemaNode } from '../core/schema-data.js';
import { LineIdentities } from '../core/line-identity.js';
import { promptTokens } from '../core/queue-tokens.js';

/** Line errors reported at most; a broken file would otherwise produce a huge batch object. */
const MAX_REPORTED_ERRORS = 100;

export interface ScanEntry {
  customId: string;
  /** The line as the emulator sees it (line-identity.ts): its body and occurrence, not its id. */
  identity: string;
}

export interface ScanResult {
  entries: ScanEntry[];
  model: string | null;
  errors: BatchErrorEntry[];
  /** The prompt tokens the file puts in the model's queue, by the emulator's own estimate (core/queue-tokens.ts). */
  tokens: number;
}

interface ScanState {
  endpoint: string;
  limits: EmulatorLimits;
  entries: ScanEntry[];
  ids: Set<string>;
  identities: LineIdentities;
  model: string | null;
  embeddingInputs: number;
  errors: BatchErrorEntry[];
  tokens: number;
}

function lineError(code: string, message: string, param: string | null, line: number | null): BatchErrorEntry {
  return { code, message, param, line };
}

function checkLine(state: ScanState, bytes: Buffer, lineNumber: number): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const fail = (code: string, message: string, param: string | null): void => {
    state.errors.push(lineError(code, message, param, lineNumber));
  };
  if (!isSchemaNode(parsed)) return fail('invalid_json_line', 'This line is not parseable as valid JSON.', null);
  const customId = parsed.custom_id;
  if (typeof customId !== 'string' || customId.length === 0) {
    return fail('missing_required_parameter', "Missing required parameter: 'custom_id'.", 'custom_id');
  }
  if (parsed.method === undefined) return fail('missing_required_parameter', "Missing required parameter: 'method'.", 'method');
  if (parsed.method !== 'POST') {
    return fail('invalid_method', `Invalid method '${String(parsed.method)}'. Only POST is supported.`, 'method');
  }
  if (typeof parsed.url !== 'string') return fail('missing_required_parameter', "Missing required parameter: 'url'.", 'url');
  if (parsed.url !== state.endpoint) {
    return fail('url_mismatch', `The provided URL '${parsed.url}' does not match the batch endpoint '${state.endpoint}'.`, 'url');
  }
  if (!isSchemaNode(parsed.body)) return fail('missing_required_parameter', "Missing required parameter: 'body'.", 'body');
  if (state.ids.has(customId)) {
    return fail('duplicate_custom_id', `The custom_id '${customId}' is used by more than one request in this file.`, 'custom_id');
  }
  state.ids.add(customId);
  const model = parsed.body.model;
  if (typeof model === 'string') {
    if (state.model === null) state.model = model;
    else if (model !== state.model) {
      return fail('model_mismatch', `Each input file may only use one model; this line uses '${model}' after '${state.model}'.`, 'body.model');
    }
  }
  if (state.endpoint === '/v1/embeddings') state.embeddingInputs += countEmbeddingInputs(parsed.body);
  state.tokens += state.endpoint === '/v1/embeddings' ? promptTokens(undefined, parsed.body.input) : promptTokens(parsed.body.messages);
  state.entries.push({ customId, identity: state.identities.next(JSON.stringify(parsed.body)) });
}

/** Scans `path`; stops early once the outcome is certain (too many errors or requests). */
export async function scanInputFile(path: string, bytes: number, endpoint: string, limits: EmulatorLimits): Promise<ScanResult> {
  if (bytes > limits.openaiMaxInputBytes) {
    return {
      entries: [],
      model: null,
      tokens: 0,
      errors: [lineError('file_too_large', `The input file is ${bytes} bytes; the limit is ${limits.openaiMaxInputBytes} bytes.`, null, null)],
    };
  }
  const state: ScanState = { endpoint, limits, entries: [], ids: new Set(), identities: new LineIdentities(), model: null, embeddingInputs: 0, errors: [], tokens: 0 };
  let lineNumber = 0;
  let pending: Buffer[] = [];
  const stream = createReadStream(path);
  const tooMany = (): boolean => state.entries.length + state.errors.length > limits.openaiMaxRequests;
  const handle = (line: Buffer): void => {
    lineNumber++;
    const trimmed = line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
    checkLine(state, trimmed, lineNumber);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (let newline = chunk.indexOf(0x0a); newline >= 0; newline = chunk.indexOf(0x0a, from)) {
        pending.push(chunk.subarray(from, newline));
        handle(Buffer.concat(pending));
        pending = [];
        from = newline + 1;
        if (state.errors.length >= MAX_REPORTED_ERRORS || tooMany()) break;
      }
      if (state.errors.length >= MAX_REPORTED_ERRORS || tooMany()) break;
      pending.push(chunk.subarray(from));
    }
    const rest = Buffer.concat(pending);
    if (rest.length > 0 && state.errors.length < MAX_REPORTED_ERRORS && !tooMany()) handle(rest);
  } finally {
    stream.destroy();
  }
  if (tooMany()) {
    state.errors = [lineError('too_many_tasks', `The batch input file holds more than ${limits.openaiMaxRequests} requests.`, null, null)];
  } else if (lineNumber === 0) {
    state.errors.push(lineError('empty_file', 'The batch input file is empty.', null, null));
  } else if (state.embeddingInputs > limits.openaiMaxEmbeddingInputs) {
    state.errors.push(lineError('too_many_tasks', `The batch holds ${state.embeddingInputs} embedding inputs; the limit is ${limits.openaiMaxEmbeddingInputs}.`, null, null));
  }
  return { entries: state.errors.length > 0 ? [] : state.entries, model: state.model, errors: state.errors, tokens: state.tokens };
}
