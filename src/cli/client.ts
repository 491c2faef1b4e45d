/** The CLI's HTTP client for the native API: base URL, API key discovery, problem+json errors. */

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Exit codes: documented in `sked --help`. */
export const EXIT = { ok: 0, failure: 1, usage: 2, notFound: 3, conflict: 4, auth: 5, unreachable: 7 } as const;

export function exitCodeForStatus(status: number): number {
  if (status === 400 || status === 413 || status === 415) return EXIT.usage;
  if (status === 404) return EXIT.notFound;
  if (status === 409 || status === 412) return EXIT.conflict;
  if (status === 401 || status === 403) return EXIT.auth;
  return EXIT.failure;
}

export interface ClientOptions {
  url?: string | undefined;
  apiKey?: string | undefined;
  dataDir?: string | undefined;
}

/** The key from --api-key, SKED_API_KEY, or admin.key in the data folder (written by the first start). */
export function discoverKey(options: ClientOptions): string | null {
  if (options.apiKey) return options.apiKey;
  if (process.env['SKED_API_KEY']) return process.env['SKED_API_KEY'];
  const dir = options.dataDir ?? process.env['SKED_DATA_DIR'] ?? resolve('sked-data');
  const file = join(dir, 'admin.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim() || null;
  return null;
}

export class ApiClient {
  readonly base: string;
  private readonly key: string | null;

  constructor(options: ClientOptions) {
    this.base = (options.url ?? process.env['SKED_URL'] ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
    this.key = discoverKey(options);
  }

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (this.key) h['authorization'] = `Bearer ${this.key}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers: h, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err instanceof Error ? err.message : String(err));
      throw new CliError(`cannot reach sked at ${this.base} (${cause}); start it with 'sked server' or set --url / SKED_URL`, EXIT.unreachable);
    }
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    const parsed: unknown = type.includes('json') && text ? JSON.parse(text) : text;
    if (!res.ok) {
      const p = parsed as { detail?: string; errors?: { pointer: string; message: string }[] };
      const lines = [typeof p === 'object' && p?.detail ? p.detail : `HTTP ${res.status}`];
      for (const e of (typeof p === 'object' && p?.errors) || []) lines.push(`  ${e.pointer || '/'}: ${e.message}`);
      throw new CliError(lines.join('\n'), exitCodeForStatus(res.status), parsed);
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** A streamed GET (text): each chunk goes to `onChunk` as it arrives. */
  async stream(path: string, onChunk: (text: string) => void): Promise<void> {
    const h: Record<string, string> = { accept: 'text/plain' };
    if (this.key) h['authorization'] = `Bearer ${this.key}`;
    let res: Response;
    try {
      res = await fetch(this.base + path, { headers: h });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err instanceof Error ? err.message : String(err));
      throw new CliError(`cannot reach sked at ${this.base} (${cause})`, EXIT.unreachable);
    }
    if (!res.ok || !res.body) {
      const text = await res.text();
      let detail = `HTTP ${res.status}`;
      try {
        detail = (JSON.parse(text) as { detail?: string }).detail ?? detail;
      } catch {
        // not JSON
      }
      throw new CliError(detail, exitCodeForStatus(res.status));
    }
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) onChunk(decoder.decode(chunk, { stream: true }));
    const rest = decoder.decode();
    if (rest) onChunk(rest);
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path).then((r) => r.body);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {}).then((r) => r.body);
  }
}
