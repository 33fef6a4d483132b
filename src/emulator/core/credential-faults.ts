/**
 * The credential faults, shared by the three APIs: `authError` (every call refused as a bad key or a
 * key without permission) and `echoCredentials` (a careless server that quotes the caller's
 * credentials in its error replies and failed result lines, the way some gateways echo request
 * headers). The client must keep the key out of everything it prints and stores; these faults let
 * the tests prove it.
 */
import type { IncomingMessage } from 'node:http';
import type { FaultOptions } from './emulator-options.js';

/** Every credential the APIs accept, as the call sent it: `authorization: Bearer sk-…; x-api-key: …`. */
export function quoteCredentials(request: IncomingMessage, url: URL): string {
  const parts: string[] = [];
  for (const header of ['authorization', 'x-api-key', 'x-goog-api-key']) {
    const value = request.headers[header];
    if (typeof value === 'string' && value !== '') parts.push(`${header}: ${value}`);
  }
  const key = url.searchParams.get('key');
  if (key) parts.push(`key=${key}`);
  return parts.join('; ');
}

/** `message`, quoting `credentials` when the fault is on and there is something to quote. */
export function echoCredentials(message: string, credentials: string | null | undefined): string {
  return credentials ? `${message} (request credentials: ${credentials})` : message;
}

/**
 * What a batch keeps of the fault options at creation: queues emptied (they belong to calls, not to
 * the batch), and the create call's credentials when its failed lines must quote them.
 */
export function batchFaultSnapshot(faults: FaultOptions, request: IncomingMessage, url: URL): { faults: FaultOptions; credentials?: string } {
  const snapshot = { ...faults, createErrors: [], listErrors: [] };
  return faults.echoCredentials ? { faults: snapshot, credentials: quoteCredentials(request, url) } : { faults: snapshot };
}

/** How a vendor words a failed line of the `lineErrorRate` fault, from its HTTP status. */
export type LineErrorKind = 'auth' | 'permission' | 'invalid' | 'server';

export function lineErrorKind(status: number): LineErrorKind {
  if (status === 401) return 'auth';
  if (status === 403) return 'permission';
  return status < 500 ? 'invalid' : 'server';
}
