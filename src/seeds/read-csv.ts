import { createReadStream } from 'node:fs';
import { CsvError, parse, type Info, type Options } from 'csv-parse';
import { seedErrorAt } from './errors.js';
import { findBrokenQuote } from './find-broken-quote.js';
import { NotUtf8Error } from './not-utf8-error.js';
import { utf8LineGuard } from './utf8-line-guard.js';
import type { RawSeed } from './seed-source.js';

interface ParsedRow {
  values: string[];
  /** 1-based line where the row starts; a quoted field may carry it over several lines. */
  line: number;
}

/**
 * A header row names the fields; every value stays a string (no type guessing, so "007" and "1e3"
 * survive). Blank lines are skipped; an empty file or a lone header gives zero records. A stray quote
 * inside an unquoted field is kept literally (`5" screen`), as Python's csv module does. A quoted
 * field closed by a quote followed by other text is kept literally on its own line (`"x" y`), but a
 * row where such a quote swallowed line ends is refused: rows merged by a missing quote would
 * otherwise pass silently. Bytes that are not UTF-8 are refused at their line.
 */
export async function* readCsvSeeds(
  file: string,
  sourceIndex: number,
  delimiter = ',',
): AsyncGenerator<RawSeed> {
  const input = createReadStream(file);
  const guard = utf8LineGuard();
  const lines = new RowLineTracker();
  try {
    const parser = parse({
      bom: true,
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      raw: true,
      // csv-parse's types only let on_record reshape records when `columns` is set; it works either way.
      on_record: (({ record: values, raw }: RawRow, info: Info): ParsedRow => {
        const rawStart = lines.nextRawLine();
        const line = lines.startOf(info);
        if (info.lines > line) checkQuotes(raw, rawStart, delimiter, file, sourceIndex);
        return { values, line };
      }) as unknown as Options['on_record'],
    });
    input.on('error', (error) => parser.destroy(error));
    guard.on('error', (error) => parser.destroy(error));
    input.pipe(guard).pipe(parser);

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
    if (error instanceof NotUtf8Error) {
      throw seedErrorAt({ file, line: error.where.line }, sourceIndex, error.message, { cause: error });
    }
    if (!(error instanceof CsvError)) throw error;
    if (error.code.startsWith('CSV_INVALID_OPTION')) {
      throw seedErrorAt({ file }, sourceIndex, `invalid CSV options: ${error.message}`, { cause: error });
    }
    const line = lines.startOfFailed(error);
    throw seedErrorAt({ file, line }, sourceIndex, describeCsvError(error), { cause: error });
  } finally {
    input.destroy();
    guard.destroy();
  }
}

/** With `raw`, csv-parse hands on_record the row's text (from the end of the previous row) beside its values. */
interface RawRow {
  record: string[];
  raw: string;
}

/** A row that spans lines because of a quote closed in the wrong place is refused, not merged. */
function checkQuotes(raw: string, rawStart: number, delimiter: string, file: string, sourceIndex: number): void {
  const broken = findBrokenQuote(raw, delimiter);
  if (broken === undefined) return;
  const lineAt = (offset: number): number => rawStart + countNewlines(raw, offset);
  const open = lineAt(broken.open);
  const close = lineAt(broken.close);
  const end = lineAt(raw.trimEnd().length);
  const problem =
    `the quoted field opened on this line is closed on line ${close} by a quote followed by ${JSON.stringify(broken.next)} ` +
    `instead of ${JSON.stringify(delimiter)} or the end of the line; a missing or stray quote would merge lines ${open}-${end} into one record`;
  throw seedErrorAt({ file, line: open }, sourceIndex, problem);
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < end; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}

/**
 * csv-parse reports the line where a row ends; the row starts after the previous row's end and the
 * blank lines skipped since. Fed from on_record, because rows parsed in the same chunk as an error
 * never reach the consumer.
 */
class RowLineTracker {
  private previousEnd = 0;
  private previousEmptyLines = 0;

  /** The line a row's raw text starts on (blank lines before the row included); call before startOf. */
  nextRawLine(): number {
    return this.previousEnd + 1;
  }

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
