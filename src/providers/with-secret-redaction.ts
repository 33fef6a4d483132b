/**
 * The adapter boundary for secrets: every value an adapter returns, every result it yields and every
 * error it throws passes through the redactor, so a key a server echoed (in an error body, a failed
 * batch's errors, a result line) never reaches the engine, the store or a file. The registry wraps
 * every adapter it opens.
 */
import type { SecretRedactor } from '../redact-secrets.js';
import type {
  BatchHandle,
  BatchItemResult,
  BatchProvider,
  BatchStatus,
  ProviderCapabilities,
  ResultDecoder,
  ShardLookup,
  ShardSubmission,
  SyncCallOptions,
} from './batch-provider.js';

export function withSecretRedaction(provider: BatchProvider, redactor: SecretRedactor): BatchProvider {
  return redactor.isEmpty ? provider : new RedactingProvider(provider, redactor);
}

class RedactingProvider implements BatchProvider {
  readonly id: BatchProvider['id'];
  readonly capabilities: ProviderCapabilities;
  readonly findSubmitted?: (shard: ShardLookup, options?: { signal?: AbortSignal }) => Promise<BatchHandle | undefined>;
  readonly callSync?: (line: string, options: SyncCallOptions) => Promise<BatchItemResult>;
  readonly resultChunks?: (handle: BatchHandle, options?: { signal?: AbortSignal }) => AsyncIterable<Uint8Array>;
  readonly resultDecoder?: ResultDecoder;

  constructor(
    private readonly inner: BatchProvider,
    private readonly redactor: SecretRedactor,
  ) {
    this.id = inner.id;
    this.capabilities = inner.capabilities;
    // Only where the adapter has it: the engine tells "cannot look up" from its absence.
    if (inner.findSubmitted) {
      const find = inner.findSubmitted.bind(inner);
      this.findSubmitted = (shard, options) => this.guard(() => find(shard, options));
    }
    if (inner.resultChunks && inner.resultDecoder) {
      const chunks = inner.resultChunks.bind(inner);
      this.resultChunks = (handle, options) => this.redactChunks(chunks(handle, options));
      // The raw bytes are redacted where a secret occurs as sent (a mark has no quote or backslash:
      // the JSON stays valid), and the decoded results again as values, in the thread that decodes
      // them: a key a server escaped otherwise in JSON (\u0073k-…) is caught once decoded, as `results` catches it.
      this.resultDecoder = { ...inner.resultDecoder, secrets: [...(inner.resultDecoder.secrets ?? []), ...redactor.secrets] };
    }
    if (inner.callSync) {
      const call = inner.callSync.bind(inner);
      this.callSync = (line, options) => this.guard(() => call(line, options));
    }
  }

  submit(shard: ShardSubmission, options?: { signal?: AbortSignal }): Promise<BatchHandle> {
    return this.guard(() => this.inner.submit(shard, options));
  }

  poll(handle: BatchHandle, options?: { signal?: AbortSignal }): Promise<BatchStatus> {
    return this.guard(() => this.inner.poll(handle, options));
  }

  async *results(handle: BatchHandle, options?: { signal?: AbortSignal }): AsyncIterable<BatchItemResult> {
    try {
      for await (const result of this.inner.results(handle, options)) yield this.redactor.value(result);
    } catch (error) {
      throw this.redactor.error(error);
    }
  }

  private async *redactChunks(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    try {
      for await (const chunk of chunks) yield this.redactor.bytes(chunk);
    } catch (error) {
      throw this.redactor.error(error);
    }
  }

  cancel(handle: BatchHandle): Promise<BatchStatus> {
    return this.guard(() => this.inner.cancel(handle));
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return this.redactor.value(await run());
    } catch (error) {
      throw this.redactor.error(error);
    }
  }
}
