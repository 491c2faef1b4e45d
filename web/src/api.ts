/**
 * The one way the dashboard talks to sked: the public REST API (`/api/v1`), with the API key from
 * session storage as a Bearer token. Errors arrive as RFC 9457 problems and become ApiError.
 */

const KEY_ITEM = 'sked.apiKey';

export interface FieldError {
  pointer: string;
  message: string;
}

/** A failed call: HTTP status, the problem's code and detail, and per-field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

let unauthorized: (message: string) => void = () => undefined;

/** Called when the server refuses the key (401): the app drops it and shows the login form. */
export function onUnauthorized(handler: (message: string) => void): void {
  unauthorized = handler;
}

/** Tells the app the key was refused (a 401 from a stream). */
export function signalUnauthorized(): void {
  unauthorized(UNAUTHORIZED_MESSAGE);
}

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_ITEM);
  else sessionStorage.setItem(KEY_ITEM, key);
}

export const UNAUTHORIZED_MESSAGE =
  'The server refused this API key (401 Unauthorized): it may be mistyped, revoked or expired. Sign in again.';

/** Headers for a call with `key` (the stored one unless given). */
export function authHeaders(key: string | null = storedKey()): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

async function problemOf(res: Response): Promise<ApiError> {
  let body: { code?: string; title?: string; detail?: string; errors?: FieldError[] } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  return new ApiError(
    res.status,
    body.code ?? `HTTP_${res.status}`,
    body.detail ?? body.title ?? `${res.status} ${res.statusText}`,
    body.errors ?? [],
  );
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Try this key instead of the stored one (the login form); a 401 then does not sign out. */
  key?: string;
}

/** A JSON call; resolves with the parsed answer (undefined for 204). */
export async function api<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...authHeaders(options.key ?? storedKey()),
    ...options.headers,
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const init: RequestInit = { method, headers, cache: 'no-store' };
  if (options.body !== undefined) init.body = JSON.stringify(options.body);
  if (options.signal) init.signal = options.signal;
  const res = await fetch(`/api/v1${path}`, init);
  if (!res.ok) {
    const err = await problemOf(res);
    if (res.status === 401 && options.key === undefined) signalUnauthorized();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A text answer (run logs). */
export async function apiText(path: string, signal?: AbortSignal): Promise<string> {
  const init: RequestInit = { headers: { accept: 'text/plain', ...authHeaders() }, cache: 'no-store' };
  if (signal) init.signal = signal;
  const res = await fetch(`/api/v1${path}`, init);
  if (!res.ok) {
    if (res.status === 401) signalUnauthorized();
    throw await problemOf(res);
  }
  return res.text();
}

/**
 * A streamed text answer (`/runs/{id}/log?follow=true`): `onText` gets each decoded chunk; resolves
 * when the server ends the stream.
 */
export async function streamText(
  path: string,
  onText: (text: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(`/api/v1${path}`, {
    headers: { accept: 'text/plain', ...authHeaders() },
    cache: 'no-store',
    signal,
  });
  if (!res.ok || !res.body) {
    if (res.status === 401) signalUnauthorized();
    throw await problemOf(res);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    if (text) onText(text);
  }
  const rest = decoder.decode();
  if (rest) onText(rest);
}

/** A message for any error, for the status line. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    const fields = err.errors.length
      ? ` (${err.errors.map((e) => `${e.pointer || '/'}: ${e.message}`).join('; ')})`
      : '';
    return `${err.message}${fields}`;
  }
  return err instanceof Error ? err.message : String(err);
}

export const enc = encodeURIComponent;
