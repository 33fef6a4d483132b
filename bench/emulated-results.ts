// Emulated OpenAI batch results for the post-processing benchmark: for each shard file the planner
// wrote, an output file and an error file in the shape of OpenAI's, lines shuffled as a
// real batch returns them. Generated here rather than by the emulator's HTTP server so that a
// million lines cost seconds, not the emulator's JSON-Schema faker per line.
//
// Answers come from the synthetic corpus (synthetic-corpus.ts: Zipf words, ~1,000 characters, a
// fraction of edited copies of recent documents), so near-duplicates are planted the way the dedup
// benchmark plants them. Per line, in input order:
//   - lineErrorRate: an error-file line, HTTP 500 server_error (retryable provider error);
//   - malformedRate: the JSON answer cut off mid-string (not_json);
//   - schemaInvalidRate: `confidence` out of range (schema_violation);
//   - exactDuplicateRate: the answer of a recent valid line, verbatim;
//   - otherwise the next corpus document (variantRate of which are edited copies: near-duplicates).
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createRandom } from './random.js';
import { generateCorpus } from './synthetic-corpus.js';

export interface ResultFaults {
  lineErrorRate: number;
  malformedRate: number;
  schemaInvalidRate: number;
  exactDuplicateRate: number;
  /** Fraction of corpus documents that are edited copies of a recent one (near-duplicates, before the 0.8 cut). */
  variantRate: number;
}

export const DEFAULT_RESULT_FAULTS: ResultFaults = {
  lineErrorRate: 0.01,
  malformedRate: 0.02,
  schemaInvalidRate: 0.02,
  exactDuplicateRate: 0.02,
  variantRate: 0.1,
};

export interface ResultTally {
  lines: number;
  valid: number;
  lineErrors: number;
  malformed: number;
  schemaInvalid: number;
  exactDuplicates: number;
  outputBytes: number;
}

const TOPICS = ['wifi', 'firmware', 'reset', 'cabling', 'dns', 'interference', 'mesh', 'account'];
const RECENT_ANSWERS = 1000;

/** Generates the results of every shard, in planning order, so corpus document i answers request i. */
export class EmulatedResultWriter {
  private readonly corpus;
  private readonly random;
  private readonly recent: string[] = [];
  readonly tally: ResultTally = { lines: 0, valid: 0, lineErrors: 0, malformed: 0, schemaInvalid: 0, exactDuplicates: 0, outputBytes: 0 };

  constructor(
    private readonly faults: ResultFaults,
    totalLines: number,
    seed = 11,
  ) {
    this.corpus = generateCorpus({ documents: totalLines, seed, variantRate: faults.variantRate });
    this.random = createRandom(seed * 31 + 1);
  }

  /** Writes `<base>.output.jsonl` and `<base>.errors.jsonl` for one shard file. */
  async writeShard(shardPath: string, batchId: string, base: string): Promise<void> {
    const outputs: string[] = [];
    const errors: string[] = [];
    const input = createInterface({ input: createReadStream(shardPath, 'utf8'), crlfDelay: Infinity });
    for await (const text of input) {
      if (text === '') continue;
      const request = JSON.parse(text) as { custom_id: string };
      const line = this.resultLine(request.custom_id, batchId, Math.ceil(text.length / 4));
      (line.error ? errors : outputs).push(line.text);
    }
    shuffle(outputs, this.random);
    shuffle(errors, this.random);
    this.tally.outputBytes += await writeLines(`${base}.output.jsonl`, outputs);
    this.tally.outputBytes += await writeLines(`${base}.errors.jsonl`, errors);
  }

  private resultLine(customId: string, batchId: string, promptTokens: number): { text: string; error: boolean } {
    this.tally.lines++;
    const document = this.corpus.next();
    if (document.done) throw new Error('more result lines than planned');
    const id = `batch_req_${batchId.slice(-8)}${this.tally.lines.toString(16).padStart(12, '0')}`;
    const requestId = `req_${this.tally.lines.toString(16).padStart(24, '0')}`;
    const roll = this.random();
    const { lineErrorRate, malformedRate, schemaInvalidRate, exactDuplicateRate } = this.faults;
    if (roll < lineErrorRate) {
      this.tally.lineErrors++;
      const body = { error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } };
      return { text: JSON.stringify({ id, custom_id: customId, response: { status_code: 500, request_id: requestId, body }, error: null }), error: true };
    }
    let answer = document.value.text;
    let confidence = 1 + Math.floor(this.random() * 5);
    let cut = false;
    if (roll < lineErrorRate + malformedRate) {
      this.tally.malformed++;
      cut = true;
    } else if (roll < lineErrorRate + malformedRate + schemaInvalidRate) {
      this.tally.schemaInvalid++;
      confidence = 9;
    } else {
      if (roll < lineErrorRate + malformedRate + schemaInvalidRate + exactDuplicateRate && this.recent.length > 0) {
        this.tally.exactDuplicates++;
        answer = this.recent[Math.floor(this.random() * this.recent.length)]!;
      } else if (this.recent.length < RECENT_ANSWERS) {
        this.recent.push(answer);
      } else {
        this.recent[Math.floor(this.random() * RECENT_ANSWERS)] = answer;
      }
      this.tally.valid++;
    }
    const topics = TOPICS.filter(() => this.random() < 0.25).slice(0, 5);
    let content = JSON.stringify({ answer, confidence, topics });
    if (cut) content = content.slice(0, Math.floor(content.length * (0.3 + this.random() * 0.6)));
    const completionTokens = Math.ceil(content.length / 4);
    const body = {
      id: `chatcmpl-${requestId.slice(4)}`,
      object: 'chat.completion',
      created: 1_760_000_000,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        prompt_tokens_details: { cached_tokens: 0 },
      },
      system_fingerprint: 'fp_bench',
    };
    return { text: JSON.stringify({ id, custom_id: customId, response: { status_code: 200, request_id: requestId, body }, error: null }), error: false };
  }
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
}

async function writeLines(path: string, lines: readonly string[]): Promise<number> {
  const output = createWriteStream(path);
  let bytes = 0;
  for (let start = 0; start < lines.length; start += 2048) {
    const chunk = `${lines.slice(start, start + 2048).join('\n')}\n`;
    bytes += Buffer.byteLength(chunk);
    if (!output.write(chunk)) await once(output, 'drain');
  }
  output.end();
  await once(output, 'finish');
  return bytes;
}
