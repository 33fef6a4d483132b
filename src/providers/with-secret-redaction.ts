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
  readonly resultLines?: (handle: BatchHandle, options?: { signal?: AbortSignal }) => AsyncIterable<string>;
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
    if (inner.resultLines && inner.resultDecoder) {
      const lines = inner.resultLines.bind(inner);
      this.resultLines = (handle, options) => this.redactLines(lines(handle, options));
      // The raw lines are redacted as text (a mark has no quote or backslash: the JSON stays valid), and
      // the decoded results again as values, in the thread that decodes them: a key a server escaped
      // differently in JSON (\u0073k-…) is caught once decoded, exactly as `results` catches it.
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

  private async *redactLines(lines: AsyncIterable<string>): AsyncIterable<string> {
    try {
      for await (const line of lines) yield this.redactor.text(line);
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
