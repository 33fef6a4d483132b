/**
 * The state every route handler and batch job shares within one emulator server, and the queue its batch
 * jobs run through. Each vendor folder extends the context with its own records (OpenAIContext,
 * AnthropicContext, GeminiContext); core code sees only this part, so it never depends on a vendor.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataStore, RecordFolder } from './data-store.js';
import type { EmulatorLimits, FaultOptions } from './emulator-options.js';
import type { EmulatorStats } from './emulator-stats.js';
import type { AnswerMemory } from './responder.js';
import type { SeenIds } from './seen-ids.js';
import type { ServedModels } from './served-models.js';

export interface EmulatorContext {
  store: DataStore;
  clock: () => number;
  limits: EmulatorLimits;
  /** The current fault options; batches snapshot them at creation. */
  faults: FaultOptions;
  stats: Omit<EmulatorStats, 'seenCustomIds'>;
  seen: SeenIds;
  memory: AnswerMemory;
  /** The models each API serves; any other is answered as the real API answers an unknown model. */
  models: ServedModels;
  queue: SerialQueue;
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

/** `C` is the vendor's context: a handler reads the records its own folder adds. */
export type RouteHandler<C extends EmulatorContext = EmulatorContext> = (context: C, call: ApiCall) => Promise<void>;

/**
 * Runs batch jobs one at a time in submission order. Serial on purpose: which attempt number a custom_id gets,
 * and which earlier answer a near-duplicate copies, depend on the order jobs run in, and that order must be
 * the creation order for runs to be reproducible.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (error: unknown) => void) {}

  push(task: () => Promise<void>): void {
    this.tail = this.tail.then(task).catch(this.onError);
  }

  /** Resolves once every task pushed so far (and any they pushed) has finished. */
  async idle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.tail) {
      seen = this.tail;
      await seen;
    }
  }
}
