/**
 * Staged results: every line of a batch, answered, in run order (which is the seeded result order), written
 * while the batch is "in progress". When the batch ends, finishing reads this file once and writes the final
 * files, replacing the lines that did not get to run (expiry, cancellation) with their provider's marker line.
 *
 * Format per line: `o|e \t applied-fault \t input-tokens \t output-tokens \t JSON(custom_id) \t final-line`.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { FaultTally } from './emulator-stats.js';
import type { AppliedFault } from './responder.js';

export type StagedFault = AppliedFault | 'line_error';

export interface StagedLine {
  /** True for a success line (OpenAI output file / Anthropic `succeeded`). */
  ok: boolean;
  applied: StagedFault;
  inputTokens: number;
  outputTokens: number;
  customId: string;
  line: string;
}

export function formatStagedLine(staged: StagedLine): string {
  return [
    staged.ok ? 'o' : 'e',
    staged.applied,
    staged.inputTokens,
    staged.outputTokens,
    JSON.stringify(staged.customId),
    staged.line,
  ].join('\t');
}

export function parseStagedLine(text: string): StagedLine {
  const fields: string[] = [];
  let start = 0;
  for (let count = 0; count < 5; count++) {
    const tab = text.indexOf('\t', start);
    fields.push(text.slice(start, tab));
    start = tab + 1;
  }
  return {
    ok: fields[0] === 'o',
    applied: fields[1] as StagedFault,
    inputTokens: Number(fields[2]),
    outputTokens: Number(fields[3]),
    customId: JSON.parse(fields[4] ?? '""') as string,
    line: text.slice(start),
  };
}

export async function* readStagedLines(path: string): AsyncGenerator<StagedLine> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.length > 0) yield parseStagedLine(line);
}

const TALLY_KEY: Readonly<Record<StagedFault, keyof FaultTally | null>> = {
  none: null,
  line_error: 'lineError',
  refusal: 'refusal',
  truncation: 'truncation',
  malformed_json: 'malformedJson',
  schema_invalid: 'schemaInvalid',
  near_duplicate: 'nearDuplicate',
  max_tokens: 'maxTokensCutoff',
};

export function countFault(tally: FaultTally, applied: StagedFault): void {
  const key = TALLY_KEY[applied];
  if (key) tally[key]++;
}
