/**
 * Refuses a state directory whose store was lost, emptied or damaged, before anything opens it.
 * Opened as it is, an emptied store looks new: every run would start over and every request be paid
 * again, and a store cut short fails somewhere in the middle of a run with SQLite's own words.
 *
 * What is checked, without writing anything:
 * - the store file is missing or empty while run folders (`runs/<run-id>/`, made only after their
 *   run was committed to the store) exist;
 * - the file is shorter than its own SQLite header says (cut short by a copy, a full disk, a sync
 *   tool), when no write-ahead log could still complete it;
 * - SQLite finds the file malformed;
 * - the store does not know a run folder beside it (a store replaced by an older copy, or a WAL
 *   file lost with the runs in it).
 * A file that is not an SQLite database at all, or one of another schema version, is left to the
 * store's version check, which names it as such.
 */
import { readdirSync, readSync, openSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';

const STORE_FILE = 'synthforge.db';
const RUNS_FOLDER = 'runs';
const SQLITE_MAGIC = 'SQLite format 3\0';
const HEADER_BYTES = 100;
/** Named in a message; the rest are counted. */
const LISTED_FOLDERS = 3;

/** The store of a state directory is gone, empty, cut short or malformed: refused, never rebuilt. */
export class StoreDamagedError extends UsageError {
  constructor(file: string, problem: string, details: Record<string, unknown>, cause?: unknown) {
    super(
      'store_damaged',
      `${problem}. Nothing was run: starting over here would send (and pay for) every request again. ` +
        `Restore ${file} from a backup (with its -wal file if there was one), or, to start from scratch, ` +
        'move the state directory aside or run with another --state.',
      { details: { file, ...details }, ...(cause === undefined ? {} : { cause }) },
    );
    this.name = 'StoreDamagedError';
  }
}

/** Throws StoreDamagedError when the state directory's store cannot be trusted; see the file comment. */
export function checkStoreIntegrity(stateDir: string): void {
  const file = join(stateDir, STORE_FILE);
  const runsDir = join(stateDir, RUNS_FOLDER);
  const runFolders = listRunFolders(runsDir);
  const size = sizeOf(file);
  if (size === undefined || size === 0) {
    if (runFolders.length === 0) return;
    throw new StoreDamagedError(
      file,
      `${file} is ${size === undefined ? 'missing' : 'empty (0 bytes)'}, but ${runsDir} holds ${describeFolders(runsDir, runFolders)} of runs it recorded`,
      { runFolders: runFolders.length },
    );
  }
  checkLength(file, size);
  const known = knownRunIds(file);
  if (known === undefined) return;
  const unknown = runFolders.filter((runId) => !known.has(runId));
  if (unknown.length > 0) {
    throw new StoreDamagedError(
      file,
      `${file} does not know the run folder${unknown.length > 1 ? 's' : ''} ${describeFolders(runsDir, unknown)}: the store was replaced or lost its latest writes`,
      { unknownRunFolders: unknown.slice(0, LISTED_FOLDERS) },
    );
  }
}

function listRunFolders(runsDir: string): string[] {
  try {
    return readdirSync(runsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

function describeFolders(runsDir: string, names: string[]): string {
  const listed = names.slice(0, LISTED_FOLDERS).map((name) => join(runsDir, name));
  const more = names.length - listed.length;
  return `${listed.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

/**
 * An SQLite header records the page size (bytes 16-17, 1 meaning 65536) and the page count (bytes
 * 28-31), valid when the change counter (24-27) equals the version-valid-for number (92-95). A file
 * shorter than that lost its tail. Skipped while a write-ahead log exists: a checkpoint cut off by a
 * crash may leave the header ahead of the file, and opening replays the log.
 */
function checkLength(file: string, size: number): void {
  const header = readHeader(file);
  if (header.subarray(0, SQLITE_MAGIC.length).toString('latin1') !== SQLITE_MAGIC) return;
  if (header.length < HEADER_BYTES) {
    throw new StoreDamagedError(file, `${file} is damaged: it is ${size} bytes long, shorter than an SQLite header`, { size });
  }
  if ((sizeOf(`${file}-wal`) ?? 0) > 0) return;
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
  const pageCount = header.readUInt32BE(28);
  if (pageCount === 0 || header.readUInt32BE(24) !== header.readUInt32BE(92)) return;
  const expected = pageCount * pageSize;
  if (size < expected) {
    throw new StoreDamagedError(file, `${file} is damaged: it is ${size} bytes long, its header says ${expected} bytes`, { size, expectedSize: expected });
  }
}

function readHeader(file: string): Buffer {
  const buffer = Buffer.alloc(HEADER_BYTES);
  const fd = openSync(file, 'r');
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, HEADER_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The run ids the store holds; an empty set for a database with no tables (a store whose WAL was
 * lost), undefined for a database that is not a synthforge store (the version check reports it).
 */
function knownRunIds(file: string): Set<string> | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((row) => row.name));
    if (tables.size === 0) return new Set();
    if (!tables.has('runs')) return undefined;
    return new Set((db.prepare('SELECT id FROM runs').all() as { id: string }[]).map((row) => row.id));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB') return undefined;
    if (code === 'SQLITE_CORRUPT') throw new StoreDamagedError(file, `${file} is damaged: SQLite reports "${(error as Error).message}"`, {}, error);
    throw error;
  } finally {
    db?.close();
  }
}
