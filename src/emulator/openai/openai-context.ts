/**
 * What the OpenAI routes and jobs add to the core context (their files and batches by id), and an OpenAI
 * file as the emulator stores it, with its wire form (FileObject).
 */
import type { EmulatorContext } from '../core/emulator-context.js';
import { randomId } from '../core/ids.js';
import type { OpenAIBatchRecord } from './openai-batch-record.js';

export interface OpenAIContext extends EmulatorContext {
  files: Map<string, OpenAIFileRecord>;
  openaiBatches: Map<string, OpenAIBatchRecord>;
}

export interface OpenAIFileRecord {
  id: string;
  sequence: number;
  bytes: number;
  createdAt: number;
  filename: string;
  purpose: string;
  expiresAt: number | null;
}

export const THIRTY_DAYS_SECONDS = 30 * 24 * 3600;

export const newFileId = (): string => randomId('file-', 22);

export function fileObject(record: OpenAIFileRecord): Record<string, unknown> {
  return {
    id: record.id,
    object: 'file',
    bytes: record.bytes,
    created_at: record.createdAt,
    filename: record.filename,
    purpose: record.purpose,
    status: 'processed',
    expires_at: record.expiresAt,
    status_details: null,
  };
}

export function fileDataPath(context: EmulatorContext, id: string): string {
  return context.store.path('files', `${id}.data`);
}

/** Registers a file whose bytes are already at `fileDataPath(context, id)`. */
export async function addFile(
  context: OpenAIContext,
  fields: { id?: string; bytes: number; filename: string; purpose: string; expiresAfterSeconds: number | null },
): Promise<OpenAIFileRecord> {
  const createdAt = Math.floor(context.clock() / 1000);
  const record: OpenAIFileRecord = {
    id: fields.id ?? newFileId(),
    sequence: context.nextSequence(),
    bytes: fields.bytes,
    createdAt,
    filename: fields.filename,
    purpose: fields.purpose,
    expiresAt: fields.expiresAfterSeconds === null ? null : createdAt + fields.expiresAfterSeconds,
  };
  context.files.set(record.id, record);
  await context.save('files', record);
  return record;
}
