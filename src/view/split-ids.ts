/**
 * The ids of a split's rows for formats whose data files hold none (`openai-chat`): as in
 * openDataset, the n-th row of a split is the n-th lineage.jsonl entry of that split. The viewer
 * reads rows by position (a page, a search), so it keeps each split's ids as a list, read once per
 * version (versions never change once published).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetCorruptError } from '../dataset/errors.js';
import { DATASET_FORMATS } from '../dataset/formats/dataset-formats.js';
import { LINEAGE_FILE } from '../dataset/manifest.js';
import type { OpenedDataset } from '../dataset/open-dataset.js';
import { jsonLines } from './json-lines.js';

/** Id lists of this many splits are kept. */
const SPLITS_KEPT = 8;

export class SplitIds {
  private readonly lists = new Map<string, Promise<string[]>>();

  /** Whether the version's rows need their ids from lineage.jsonl. */
  static needed(opened: OpenedDataset): boolean {
    return !DATASET_FORMATS[opened.format].writesId;
  }

  /** The split's ids in row order. */
  of(opened: OpenedDataset, split: string): Promise<string[]> {
    const key = `${opened.dir}\u0000${split}`;
    let list = this.lists.get(key);
    if (!list) {
      list = readIds(opened.dir, split);
      list.catch(() => this.lists.delete(key));
      this.lists.set(key, list);
      if (this.lists.size > SPLITS_KEPT) this.lists.delete(this.lists.keys().next().value!);
    }
    return list;
  }

  /** The row with its id first (as openDataset gives it), when the data file left it out. */
  static withId(row: Record<string, unknown>, ids: readonly string[] | undefined, index: number): Record<string, unknown> {
    if (row.id !== undefined || !ids) return row;
    const id = ids[index];
    return id === undefined ? row : { id, ...row };
  }
}

async function readIds(dir: string, split: string): Promise<string[]> {
  const path = join(dir, LINEAGE_FILE);
  if (!existsSync(path)) throw new DatasetCorruptError(`${path} is missing: the rows of this version carry no id without it`, { dir, file: LINEAGE_FILE });
  const ids: string[] = [];
  for await (const { value } of jsonLines(path)) if (value.split === split) ids.push(String(value.id));
  return ids;
}
