/**
 * The emulator's directory. Records are small JSON files written atomically (temp + rename), so a killed
 * emulator leaves either the old or the new record; bulk data (uploads, staged and final results) sits next
 * to them.
 *
 *   files/<file-id>.json + .data            OpenAI files (uploads and generated output/error files)
 *   openai-batches/<id>.json + .staged      OpenAI batch record, staged result lines
 *   anthropic-batches/<id>.json             Anthropic batch record
 *   anthropic-batches/<id>.requests.json    the create body as received
 *   anthropic-batches/<id>.staged / .jsonl  staged and final results
 *   gemini-files/<id>.json + .data          Gemini files (resumable uploads and generated responses files)
 *   gemini-batches/<id>.json                Gemini batch record; .requests.json (inline input), .staged,
 *                                           .inline.json (inline responses once ended)
 *   seen-ids.log                            which custom_ids each batch ran (see seen-ids.ts)
 *   tmp/                                    uploads in flight
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export type RecordFolder = 'files' | 'openai-batches' | 'anthropic-batches' | 'gemini-files' | 'gemini-batches';
const FOLDERS: readonly (RecordFolder | 'tmp')[] = ['files', 'openai-batches', 'anthropic-batches', 'gemini-files', 'gemini-batches', 'tmp'];

export class DataStore {
  private constructor(
    readonly root: string,
    /** True when the directory is ours to delete on close. */
    readonly temporary: boolean,
  ) {}

  static async open(root?: string): Promise<DataStore> {
    const store = root === undefined
      ? new DataStore(await mkdtemp(join(tmpdir(), 'synthforge-emulator-')), true)
      : new DataStore(root, false);
    for (const folder of FOLDERS) await mkdir(join(store.root, folder), { recursive: true });
    await rm(join(store.root, 'tmp'), { recursive: true, force: true });
    await mkdir(join(store.root, 'tmp'), { recursive: true });
    return store;
  }

  path(folder: RecordFolder, name: string): string {
    return join(this.root, folder, name);
  }

  tempPath(): string {
    return join(this.root, 'tmp', randomBytes(12).toString('hex'));
  }

  get seenLogPath(): string {
    return join(this.root, 'seen-ids.log');
  }

  async writeRecord(folder: RecordFolder, id: string, record: unknown): Promise<void> {
    const temp = this.tempPath();
    await writeFile(temp, JSON.stringify(record));
    await rename(temp, this.path(folder, `${id}.json`));
  }

  async readRecords<T>(folder: RecordFolder): Promise<T[]> {
    const names = (await readdir(join(this.root, folder))).filter((name) => /^[^.]+\.json$/.test(name));
    const records: T[] = [];
    for (const name of names) records.push(JSON.parse(await readFile(join(this.root, folder, name), 'utf8')) as T);
    return records;
  }

  async remove(folder: RecordFolder, name: string): Promise<void> {
    await rm(this.path(folder, name), { force: true });
  }

  async destroy(): Promise<void> {
    if (this.temporary) await rm(this.root, { recursive: true, force: true });
  }
}
