/**
 * What the Gemini routes and jobs add to the core context (their files, batches and upload sessions), and a
 * Gemini Files API file as the emulator stores it, with its wire form (the `File` resource). Ids are
 * lowercase letters and digits, well under 40 characters: the SDK pulls a file name out of a URI with
 * `[a-z0-9]+`, and the SDK was reported unable to download files with longer generated ids.
 */
import { randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../core/emulator-context.js';
import type { GeminiBatchRecord } from './gemini-batch-record.js';

export interface GeminiContext extends EmulatorContext {
  /** Keyed by the bare id (`abc`, the resource being `files/abc` / `batches/abc`). */
  geminiFiles: Map<string, GeminiFileRecord>;
  geminiBatches: Map<string, GeminiBatchRecord>;
  /** Resumable uploads in progress, by upload id (not persisted: a restart drops them, as a client retry expects). */
  geminiUploads: Map<string, GeminiUploadSession>;
}

export interface GeminiFileRecord {
  id: string;
  sequence: number;
  bytes: number;
  createdAtMs: number;
  displayName: string | null;
  mimeType: string;
  /** base64 SHA-256 of the bytes. */
  sha256: string;
  source: 'UPLOADED' | 'GENERATED';
}

export interface GeminiUploadSession {
  id: string;
  tempPath: string;
  /** X-Goog-Upload-Header-Content-Length of the start request, when sent. */
  declaredBytes: number | null;
  received: number;
  displayName: string | null;
  mimeType: string;
}

/** Uploaded files expire after 48 hours. */
const FILE_LIFETIME_MS = 48 * 3600 * 1000;

export const newGeminiId = (): string => randomBytes(8).toString('hex');

export function geminiFileDataPath(context: EmulatorContext, id: string): string {
  return context.store.path('gemini-files', `${id}.data`);
}

/** `baseUrl` is how the caller reached us, so `uri` and `downloadUri` work from the client. */
export function geminiFileResource(record: GeminiFileRecord, baseUrl: string): Record<string, unknown> {
  const created = new Date(record.createdAtMs).toISOString();
  return {
    name: `files/${record.id}`,
    ...(record.displayName ? { displayName: record.displayName } : {}),
    mimeType: record.mimeType,
    sizeBytes: String(record.bytes),
    createTime: created,
    updateTime: created,
    expirationTime: new Date(record.createdAtMs + FILE_LIFETIME_MS).toISOString(),
    sha256Hash: record.sha256,
    uri: `${baseUrl}/v1beta/files/${record.id}`,
    downloadUri: `${baseUrl}/download/v1beta/files/${record.id}:download?alt=media`,
    state: 'ACTIVE',
    source: record.source,
  };
}

/** Registers a file whose bytes are already at `geminiFileDataPath(context, fields.id)`. */
export async function addGeminiFile(context: GeminiContext, fields: Omit<GeminiFileRecord, 'sequence' | 'createdAtMs'>): Promise<GeminiFileRecord> {
  const record: GeminiFileRecord = { ...fields, sequence: context.nextSequence(), createdAtMs: context.clock() };
  context.geminiFiles.set(record.id, record);
  await context.save('gemini-files', record);
  return record;
}
