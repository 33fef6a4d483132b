/** The state every route handler and batch job shares within one emulator server. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnthropicBatchRecord } from '../anthropic/anthropic-batch-record.js';
import type { DataStore, RecordFolder } from './data-store.js';
import type { EmulatorLimits, FaultOptions } from './emulator-options.js';
import type { EmulatorStats } from './emulator-stats.js';
import type { GeminiBatchRecord } from '../gemini/gemini-batch-record.js';
import type { GeminiFileRecord, GeminiUploadSession } from '../gemini/gemini-context.js';
import type { OpenAIBatchRecord } from '../openai/openai-batch-record.js';
import type { OpenAIFileRecord } from '../openai/openai-context.js';
import type { AnswerMemory } from './responder.js';
import type { SeenIds } from './seen-ids.js';
import type { SerialQueue } from './serial-queue.js';

export interface EmulatorContext {
  store: DataStore;
  clock: () => number;
  limits: EmulatorLimits;
  /** The current fault options; batches snapshot them at creation. */
  faults: FaultOptions;
  stats: Omit<EmulatorStats, 'seenCustomIds'>;
  seen: SeenIds;
  memory: AnswerMemory;
  queue: SerialQueue;
  files: Map<string, OpenAIFileRecord>;
  openaiBatches: Map<string, OpenAIBatchRecord>;
  anthropicBatches: Map<string, AnthropicBatchRecord>;
  /** Keyed by the bare id (`abc`, the resource being `files/abc` / `batches/abc`). */
  geminiFiles: Map<string, GeminiFileRecord>;
  geminiBatches: Map<string, GeminiBatchRecord>;
  /** Resumable uploads in progress, by upload id (not persisted: a restart drops them, as a client retry expects). */
  geminiUploads: Map<string, GeminiUploadSession>;
  /** Finishing work in flight per batch id, so concurrent reads of an ending batch finish it once. */
  finishing: Map<string, Promise<void>>;
  /** Attempt counts of synchronous requests by request key (not persisted). */
  syncAttempts: Map<string, number>;
  /** A growing number that orders objects created in the same millisecond. */
  nextSequence(): number;
  save(folder: RecordFolder, record: { id: string }): Promise<void>;
}

export interface ApiCall {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  /** Path parameters captured by the route pattern, in order. */
  params: string[];
  requestId: string;
}

export type RouteHandler = (context: EmulatorContext, call: ApiCall) => Promise<void>;
