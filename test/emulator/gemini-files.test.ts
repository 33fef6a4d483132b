import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../helpers/temp-dir.js';
import { useEmulators, type Harness } from './emulator-harness.js';

const start = useEmulators();
const tempDir = useTempDirs();

function gemini(harness: Harness, fetchHook?: typeof fetch): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: 'test-key',
    vertexai: false,
    httpOptions: { baseUrl: harness.server.geminiBaseURL, ...(fetchHook ? { fetch: fetchHook } : {}) },
  });
}

async function raw(harness: Harness, path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(`${harness.server.url}${path}`, { ...init, headers: { 'x-goog-api-key': 'k', ...(init.headers as Record<string, string>) } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

async function startSession(harness: Harness, declared: number): Promise<string> {
  const started = await raw(harness, '/upload/v1beta/files', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-goog-upload-protocol': 'resumable',
      'x-goog-upload-command': 'start',
      'x-goog-upload-header-content-length': String(declared),
      'x-goog-upload-header-content-type': 'jsonl',
    },
    body: JSON.stringify({ file: { displayName: 'manual' } }),
  });
  expect(started.status).toBe(200);
  expect(started.headers.get('x-goog-upload-status')).toBe('active');
  return new URL(started.headers.get('x-goog-upload-url')!).search;
}

describe('Gemini Files API through the official SDK', () => {
  it('takes a multi-chunk resumable upload (start, upload, upload+finalize) and serves the same bytes back', async () => {
    const harness = await start();
    const commands: string[] = [];
    const recording = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      commands.push(new Headers(init?.headers).get('x-goog-upload-command') ?? 'none');
      return fetch(input, init);
    }) as typeof fetch;
    const ai = gemini(harness, recording);
    const dir = tempDir();
    const path = join(dir, 'big.jsonl');
    // Just over the SDK's 8 MB chunk, so the upload takes two chunks.
    const line = `${JSON.stringify({ key: 'k', request: { contents: [{ parts: [{ text: 'x'.repeat(1000) }] }] } })}\n`;
    writeFileSync(path, line.repeat(Math.ceil((8.5 * 1024 * 1024) / line.length)));
    const bytes = readFileSync(path);
    const file = await ai.files.upload({ file: path, config: { mimeType: 'jsonl', displayName: 'big input' } });
    expect(commands).toEqual(['start', 'upload', 'upload, finalize']);
    expect(file).toMatchObject({ mimeType: 'jsonl', displayName: 'big input', sizeBytes: String(bytes.length), state: 'ACTIVE', source: 'UPLOADED' });
    expect(file.name).toMatch(/^files\/[a-z0-9]{1,39}$/);
    expect(file.sha256Hash).toBe(createHash('sha256').update(bytes).digest('base64'));
    expect(await ai.files.get({ name: file.name! })).toMatchObject({ name: file.name, displayName: 'big input' });
    const downloadPath = join(dir, 'copy.jsonl');
    await ai.files.download({ file: file.name!, downloadPath });
    expect(readFileSync(downloadPath).equals(bytes)).toBe(true);
    expect(harness.server.stats().filesUploaded).toBe(1);
  });

  it('follows the protocol: offsets must line up, query reports progress, cancel ends the session', async () => {
    const harness = await start();
    const session = await startSession(harness, 10);
    const send = (command: string, offset: number, body?: string) =>
      raw(harness, `/upload/v1beta/files${session}`, { method: 'POST', headers: { 'x-goog-upload-command': command, 'x-goog-upload-offset': String(offset) }, ...(body ? { body } : {}) });
    expect((await send('upload', 0, 'hello')).headers.get('x-goog-upload-status')).toBe('active');
    const wrong = await send('upload', 3, 'xx');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect((await send('query', 0)).headers.get('x-goog-upload-size-received')).toBe('5');
    expect((await send('cancel', 0)).headers.get('x-goog-upload-status')).toBe('cancelled');
    expect((await send('upload', 5, 'world')).body.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
  });

  it('refuses a finalize whose size differs from the declared length', async () => {
    const harness = await start();
    const session = await startSession(harness, 10);
    const done = await raw(harness, `/upload/v1beta/files${session}`, {
      method: 'POST',
      headers: { 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '0' },
      body: 'short',
    });
    expect(done.status).toBe(400);
    expect(done.body.error.message).toContain('declared 10');
    expect(harness.server.stats().filesUploaded).toBe(0);
  });

  it('refuses a non-resumable upload and calls without an API key', async () => {
    const harness = await start();
    const simple = await raw(harness, '/upload/v1beta/files', { method: 'POST', headers: { 'x-goog-upload-protocol': 'multipart' }, body: 'x' });
    expect(simple.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    const anonymous = await fetch(`${harness.server.url}/v1beta/files`);
    expect(anonymous.status).toBe(403);
    expect(((await anonymous.json()) as { error: { status: string } }).error.status).toBe('PERMISSION_DENIED');
    expect((await fetch(`${harness.server.url}/v1beta/files?key=abc`)).status).toBe(200);
  });

  it('lists across pages with the SDK pager and deletes', async () => {
    const harness = await start();
    const ai = gemini(harness);
    const dir = tempDir();
    const names: string[] = [];
    for (let index = 0; index < 3; index++) {
      const path = join(dir, `f${index}.jsonl`);
      writeFileSync(path, `{"key":"${index}"}\n`);
      names.push((await ai.files.upload({ file: path, config: { mimeType: 'jsonl' } })).name!);
      harness.clock.advance(1000);
    }
    const listed: string[] = [];
    for await (const file of await ai.files.list({ config: { pageSize: 2 } })) listed.push(file.name!);
    expect(listed).toEqual([...names].reverse());
    await ai.files.delete({ name: names[0]! });
    let error: { status: number; message: string } | undefined;
    await ai.files.get({ name: names[0]! }).catch((caught: unknown) => {
      error = caught as { status: number; message: string };
    });
    expect(error?.status).toBe(403);
    expect(error?.message).toContain('PERMISSION_DENIED');
  });
});
