import { createReadStream } from 'node:fs';
import { CsvError, parse, type Info, type Options } from 'csv-parse';
import { seedErrorAt } from './errors.js';
import type { RawSeed } from './seed-source.js';

interface ParsedRow {
  values: string[];
  /** 1-based line where the row starts; a quoted field may carry it over several lines. */
  line: number;
}

/**
 * A header row names the fields; every value stays a string (no type guessing, so "007" and "1e3"
 * survive). Blank lines are skipped; an empty file or a lone header gives zero records. A stray quote
 * inside an unquoted field is kept literally (`5" screen`), as Python's csv module does.
 */
export async function* readCsvSeeds(
  file: string,
  sourceIndex: number,
  delimiter = ',',
): AsyncGenerator<RawSeed> {
  const input = createReadStream(file);
  const lines = new RowLineTracker();
  try {
    const parser = parse({
      bom: true,
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      // csv-parse's types only let on_record reshape records when `columns` is set; it works either way.
      on_record: ((values: string[], info: Info): ParsedRow => ({ values, line: lines.startOf(info) })) as unknown as Options['on_record'],
    });
    input.on('error', (error) => parser.destroy(error));
    input.pipe(parser);

    let header: string[] | undefined;
    let ordinal = 0;
    for await (const row of parser as AsyncIterable<ParsedRow>) {
      if (header === undefined) {
        header = checkHeader(row, file, sourceIndex);
        continue;
      }
      if (row.values.length !== header.length) {
        const problem = `expected ${header.length} fields (as in the header), found ${row.values.length}`;
        throw seedErrorAt({ file, line: row.line }, sourceIndex, problem);
      }
      const fields = Object.fromEntries(header.map((name, index) => [name, row.values[index]]));
      yield { fields, ordinal, position: { file, line: row.line } };
      ordinal += 1;
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    if (error.code.startsWith('CSV_INVALID_OPTION')) {
      throw seedErrorAt({ file }, sourceIndex, `invalid CSV options: ${error.message}`, { cause: error });
    }
    const line = lines.startOfFailed(error);
    throw seedErrorAt({ file, line }, sourceIndex, describeCsvError(error), { cause: error });
  } finally {
    input.destroy();
  }
}

/**
 * csv-parse reports the line where a row ends; the row starts after the previous row's end and the
 * blank lines skipped since. Fed from on_record, because rows parsed in the same chunk as an error
 * never reach the consumer.
 */
class RowLineTracker {
  private previousEnd = 0;
  private previousEmptyLines = 0;

  startOf(info: Info): number {
    const line = this.previousEnd + 1 + (info.empty_lines - this.previousEmptyLines);
    this.previousEnd = info.lines;
    this.previousEmptyLines = info.empty_lines;
    return line;
  }

  startOfFailed(error: CsvError): number {
    const emptyLines = typeof error['empty_lines'] === 'number' ? error['empty_lines'] : this.previousEmptyLines;
    return this.previousEnd + 1 + Math.max(0, emptyLines - this.previousEmptyLines);
  }
}

function checkHeader(row: ParsedRow, file: string, sourceIndex: number): string[] {
  const seen = new Set<string>();
  for (const name of row.values) {
    if (seen.has(name)) {
      throw seedErrorAt({ file, line: row.line }, sourceIndex, `duplicate column "${name}" in the header`);
    }
    seen.add(name);
  }
  return row.values;
}

function describeCsvError(error: CsvError): string {
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
    return 'unterminated quoted field: the file ends before its closing quote';
  }
  return `malformed CSV: ${error.message}`;
}
