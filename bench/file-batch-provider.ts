// A BatchProvider for the post-processing benchmark: results() streams the result files that
// emulated-results.ts wrote for a batch (output file, then error file, as the OpenAI adapter reads
// them) through the adapter's own line converter, convertOpenAIResultLine. Requests are encoded by
// the real OpenAI adapter. Nothing is submitted or polled: the benchmark marks the shards ended in the
// store itself, so what is measured is reading, parsing, validating and storing results, without the
// HTTP download (the I/O baseline reads the same files).
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BatchHandle, BatchItemResult, BatchLimits, BatchProvider, BatchStatus, ProviderRequest, StructuredOutputMode } from '../src/providers/batch-provider.js';
import { OpenAIBatchProvider } from '../src/providers/openai/openai-batch-provider.js';
import { convertOpenAIResultLine } from '../src/providers/openai/openai-batch-wire.js';

export class FileBatchProvider implements BatchProvider {
  readonly id = 'openai' as const;
  /** Never reaches the network: only its limits and encodeRequest are used. */
  private readonly adapter = new OpenAIBatchProvider({ apiKey: 'bench-no-network', baseURL: 'http://127.0.0.1:9/v1' });

  constructor(private readonly resultsDir: string) {}

  /** The files results() reads for a batch. */
  static resultFiles(resultsDir: string, batchId: string): string[] {
    return [join(resultsDir, `${batchId}.output.jsonl`), join(resultsDir, `${batchId}.errors.jsonl`)];
  }

  limits(): BatchLimits {
    return this.adapter.limits();
  }

  outputMode(): StructuredOutputMode {
    return this.adapter.outputMode();
  }

  encodeRequest(request: ProviderRequest): string {
    return this.adapter.encodeRequest(request);
  }

  submit(): Promise<BatchHandle> {
    return Promise.reject(new Error('FileBatchProvider does not submit: the benchmark records its batches as ended'));
  }

  poll(): Promise<BatchStatus> {
    return Promise.resolve({ state: 'ended', rawStatus: 'completed' });
  }

  cancel(): Promise<BatchStatus> {
    return this.poll();
  }

  async *results(handle: BatchHandle): AsyncIterable<BatchItemResult> {
    for (const path of FileBatchProvider.resultFiles(this.resultsDir, handle.batchId)) {
      if (!existsSync(path)) continue;
      const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
      for await (const line of lines) {
        if (line === '') continue;
        // The same handling as OpenAIBatchProvider.results.
        const result = convertOpenAIResultLine(line);
        if ('outcome' in result) yield result;
        else if (result.customId) {
          yield { customId: result.customId, outcome: 'errored', error: { code: 'malformed_result_line', message: result.malformed, retryable: true } };
        }
      }
    }
  }
}
