/**
 * Text search over a split's rows, streamed: it reads rows from `from` on and stops at `limit`
 * matches, so a page of results costs what it reads, and the next page starts where this one
 * stopped. A row matches when one of its values (not its keys) contains the text, case folded.
 */
import { join } from 'node:path';
import type { OpenedDataset } from '../dataset/open-dataset.js';
import { jsonLines } from './json-lines.js';
import { filesOf } from './row-pages.js';
import { SplitIds } from './split-ids.js';

export interface SearchPage {
  split: string;
  query: string;
  from: number;
  matches: { index: number; row: Record<string, unknown> }[];
  /** Where the next page starts; absent when the split was read to its end. */
  next?: number;
  scanned: number;
}

export async function searchRows(opened: OpenedDataset, split: string, query: string, from: number, limit: number, splitIds = new SplitIds()): Promise<SearchPage> {
  const needle = query.toLowerCase();
  const page: SearchPage = { split, query, from, matches: [], scanned: 0 };
  // Rows of a format written without `id` (openai-chat) get it back from lineage.jsonl, as openDataset gives them.
  const ids = SplitIds.needed(opened) ? await splitIds.of(opened, split) : undefined;
  let index = 0;
  for await (const candidate of candidates(opened, split, needle, ids)) {
    if (index >= from) {
      page.scanned++;
      const row = candidate === null ? null : SplitIds.withId(candidate, ids, index);
      if (row !== null && valuesContain(row, needle)) {
        if (page.matches.length === limit) {
          page.next = index;
          return page;
        }
        page.matches.push({ index, row });
      }
    }
    index++;
  }
  return page;
}

/**
 * The split's rows in order, where a JSONL row whose line cannot contain the text comes back as
 * null unparsed: parsing is most of a search's cost. A value's text is in its line as it is, but
 * for the characters JSON escapes, so this holds only for text without any of them.
 */
async function* candidates(opened: OpenedDataset, split: string, needle: string, ids: readonly string[] | undefined): AsyncGenerator<Record<string, unknown> | null> {
  const files = filesOf(opened, split);
  if (files.some((file) => file.format !== 'jsonl') || /["\\\u0000-\u001f]/.test(needle)) {
    yield* opened.rows(split) as AsyncIterable<Record<string, unknown>>;
    return;
  }
  let index = 0;
  for (const file of files) {
    for await (const { text } of jsonLines(join(opened.dir, file.path), undefined, true)) {
      // An id kept in lineage.jsonl is not in the line, but it is one of the row's values.
      const id = ids?.[index++];
      yield text.toLowerCase().includes(needle) || (id !== undefined && id.toLowerCase().includes(needle)) ? (JSON.parse(text) as Record<string, unknown>) : null;
    }
  }
}

/** Whether any string, number or boolean inside `value` contains `needle` (already lower case). */
export function valuesContain(value: unknown, needle: string): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (item.toLowerCase().includes(needle)) return true;
    } else if (typeof item === 'number' || typeof item === 'boolean') {
      if (String(item).includes(needle)) return true;
    } else if (Array.isArray(item)) stack.push(...item);
    else if (item !== null && typeof item === 'object') stack.push(...Object.values(item));
  }
  return false;
}
