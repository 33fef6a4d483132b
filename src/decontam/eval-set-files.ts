import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { DecontamSourceError } from './errors.js';

export type EvalFileKind = 'jsonl' | 'csv' | 'parquet';

export interface EvalFile {
  path: string;
  kind: EvalFileKind;
}

const KINDS: Readonly<Record<string, EvalFileKind>> = { '.jsonl': 'jsonl', '.csv': 'csv', '.parquet': 'parquet' };

/**
 * The data files of one `against` entry: the file itself, or for a folder (a Hugging Face dataset
 * as downloaded: `data/test-00000-of-00001.parquet`, `test.jsonl` per split, beside `README.md` or
 * `dataset_info.json`) every JSONL, CSV and Parquet file under it, in path order so item numbering
 * and reports do not depend on the file system. Other files (cards, metadata, `.arrow` caches) are
 * skipped: they hold no rows we can read.
 */
export async function findEvalFiles(written: string, baseDir: string): Promise<EvalFile[]> {
  const path = resolve(baseDir, written);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new DecontamSourceError(`${path}: evaluation set not found (relative paths resolve against ${baseDir})`, { file: path });
  }
  if (!isDirectory) {
    const kind = KINDS[extname(path).toLowerCase()];
    if (kind === undefined) {
      throw new DecontamSourceError(`${path}: expected an evaluation set file ending in .jsonl, .csv or .parquet, or a dataset folder`, { file: path });
    }
    return [{ path, kind }];
  }
  const files = (await listFiles(path)).flatMap((file) => {
    const kind = KINDS[extname(file).toLowerCase()];
    return kind === undefined ? [] : [{ path: file, kind }];
  });
  if (files.length === 0) {
    throw new DecontamSourceError(`${path}: expected a dataset folder with .jsonl, .csv or .parquet data files (e.g. data/test-*.parquet); found none`, { file: path });
  }
  return files;
}

async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const names = entries.filter((entry) => !entry.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const found: string[] = [];
  for (const entry of names) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...(await listFiles(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}
