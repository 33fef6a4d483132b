/**
 * The emulator's faults for the trust tests, over raw HTTP: every call refused as a bad key
 * (`authError`), error replies quoting the caller's credentials (`echoCredentials`), failing lists
 * (`listErrors`), failed lines worded by their status (`lineErrorStatus`), and creates answered late
 * (`createReplyDelayMs`).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAULTS, mergeFaultOptions } from '../../src/emulator/core/emulator-options.js';
import { useEmulators } from './emulator-harness.js';

const start = useEmulators();

const OPENAI_HEADERS = { authorization: 'Bearer sk-echo-me-0123456789' };
const ANTHROPIC_HEADERS = { 'x-api-key': 'sk-ant-echo-me-0123456789', 'anthropic-version': '2023-06-01' };
const GEMINI_HEADERS = { 'x-goog-api-key': 'AIza-echo-me-0123456789' };

async function getJson(url: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

describe('credential faults', () => {
  it('authError refuses every call of every API with its own 401 body, and counts them', async () => {
    const { server } = await start({ faults: { authError: 401 } });
    expect(await getJson(`${server.openaiBaseURL}/batches`, OPENAI_HEADERS)).toMatchObject({ status: 401, body: { error: { code: 'invalid_api_key', type: 'invalid_request_error' } } });
    expect(await getJson(`${server.anthropicBaseURL}/v1/messages/batches`, ANTHROPIC_HEADERS)).toMatchObject({ status: 401, body: { type: 'error', error: { type: 'authentication_error' } } });
    expect(await getJson(`${server.geminiBaseURL}/v1beta/batches`, GEMINI_HEADERS)).toMatchObject({ status: 401, body: { error: { code: 401, status: 'UNAUTHENTICATED' } } });
    expect(server.stats().faultsInjected.authErrors).toBe(3);
  });

  it('authError 403 answers as a key without permission', async () => {
    const { server } = await start({ faults: { authError: 403 } });
    expect(await getJson(`${server.anthropicBaseURL}/v1/messages/batches`, ANTHROPIC_HEADERS)).toMatchObject({ status: 403, body: { error: { type: 'permission_error' } } });
    expect(await getJson(`${server.geminiBaseURL}/v1beta/batches`, GEMINI_HEADERS)).toMatchObject({ status: 403, body: { error: { status: 'PERMISSION_DENIED' } } });
  });

  it('echoCredentials quotes the credentials the call came with in error replies', async () => {
    const { server } = await start({ faults: { echoCredentials: true } });
    const openai = await getJson(`${server.openaiBaseURL}/batches/batch_missing`, OPENAI_HEADERS);
    expect(openai.status).toBe(404);
    expect((openai.body.error as { message: string }).message).toContain('(request credentials: authorization: Bearer sk-echo-me-0123456789)');
    const gemini = await getJson(`${server.geminiBaseURL}/v1beta/batches/missing`, GEMINI_HEADERS);
    expect((gemini.body.error as { message: string }).message).toContain('x-goog-api-key: AIza-echo-me-0123456789');
    // Off by default: nothing is quoted.
    const quiet = await start();
    const plain = await getJson(`${quiet.server.openaiBaseURL}/batches/batch_missing`, OPENAI_HEADERS);
    expect((plain.body.error as { message: string }).message).not.toContain('sk-echo-me');
  });

  it('listErrors fails the next list calls in order, each with a short retry-after-ms, then lists again', async () => {
    const { server } = await start({ faults: { listErrors: [500, 503] } });
    const first = await getJson(`${server.anthropicBaseURL}/v1/messages/batches`, ANTHROPIC_HEADERS);
    expect(first).toMatchObject({ status: 500, body: { error: { type: 'api_error' } } });
    expect(first.headers.get('retry-after-ms')).toBe('10');
    expect((await getJson(`${server.openaiBaseURL}/batches`, OPENAI_HEADERS)).status).toBe(503);
    expect((await getJson(`${server.openaiBaseURL}/batches`, OPENAI_HEADERS)).status).toBe(200);
    expect(server.stats().faultsInjected.listErrors).toBe(2);
  });

  it('createReplyDelayMs: the batch exists (and is listed) before the create is answered', async () => {
    const { server } = await start({ faults: { createReplyDelayMs: 60_000 } });
    const abort = new AbortController();
    const body = JSON.stringify({ requests: [{ custom_id: 'a', params: { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] } }] });
    let answered = false;
    const create = fetch(`${server.anthropicBaseURL}/v1/messages/batches`, { method: 'POST', headers: { ...ANTHROPIC_HEADERS, 'content-type': 'application/json' }, body, signal: abort.signal })
      .then(() => (answered = true))
      .catch(() => undefined);
    let listed: unknown[] = [];
    while (listed.length === 0) listed = (await getJson(`${server.anthropicBaseURL}/v1/messages/batches`, ANTHROPIC_HEADERS)).body.data as unknown[];
    // Recorded and its job queued (the stats count it after saving), still unanswered.
    while (server.stats().batchesCreated.anthropic === 0) await new Promise((resolve) => setImmediate(resolve));
    await server.idle();
    expect(answered).toBe(false);
    abort.abort();
    await create;
  });

  it('refuses option values it cannot apply', () => {
    expect(() => mergeFaultOptions(DEFAULT_FAULTS, { authError: 500 })).toThrow(/authError must be 0 \(off\), 401 or 403/);
    expect(() => mergeFaultOptions(DEFAULT_FAULTS, { lineErrorStatus: 200 })).toThrow(/lineErrorStatus must be an HTTP error status/);
    expect(() => mergeFaultOptions(DEFAULT_FAULTS, { listErrors: [42] })).toThrow(/listErrors must hold HTTP error statuses/);
    expect(() => mergeFaultOptions(DEFAULT_FAULTS, { createReplyDelayMs: -1 })).toThrow(/createReplyDelayMs must be a non-negative/);
    expect(() => mergeFaultOptions(DEFAULT_FAULTS, { echoCredentials: 'yes' as unknown as boolean })).toThrow(/echoCredentials must be true or false/);
  });
});
