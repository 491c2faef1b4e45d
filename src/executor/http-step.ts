/**
 * `http` steps through undici's `request` on the executor's shared Agent (connections are reused).
 * Redirects are not followed: a 3xx is a failure unless listed in `expectStatus`, and a redirect can
 * never take a request past `checkUrl` to a host it would refuse.
 */
import type * as Undici from 'undici';
import { loadUndici } from './undici-module.js';
import type { HttpAuth, HttpStep } from '../domain/types.js';
import { messageOf } from '../domain/errors.js';
import { renderTemplate, type TemplateValues } from './template.js';
import { failed, succeeded, type AttemptContext, type AttemptOutcome } from './types.js';

export async function runHttpStep(step: HttpStep, ctx: AttemptContext): Promise<AttemptOutcome> {
  const spec = step.request;
  const rawUrl = renderTemplate(spec.url, ctx.template);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return failed(`invalid URL '${rawUrl}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return failed(`unsupported URL scheme '${url.protocol}' (only http and https)`);
  }
  if (ctx.settings.checkUrl !== null) {
    try {
      await ctx.settings.checkUrl(url);
    } catch (error) {
      return failed(`URL refused: ${messageOf(error)}`);
    }
  }
  const body = spec.body === undefined ? undefined : renderTemplate(spec.body, ctx.template);
  const method = (spec.method ?? (body === undefined ? 'GET' : 'POST')).toUpperCase();
  const headers = requestHeaders(spec.headers, spec.auth, body, ctx.template);

  let response: Undici.Dispatcher.ResponseData;
  try {
    response = await (await loadUndici()).request(url, {
      method,
      headers,
      body: body ?? null,
      signal: ctx.signal,
      dispatcher: await ctx.dispatcher(),
    });
  } catch (error) {
    return failed(`request failed: ${describeError(error)}`);
  }
  const status = response.statusCode;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) ctx.output.write(chunk, 'body');
  } catch (error) {
    return failed(`reading the response failed: ${describeError(error)}`, { httpStatus: status });
  }
  const expected = step.expectStatus;
  if (expected !== undefined && expected.length > 0) {
    if (expected.includes(status)) return succeeded({ httpStatus: status });
    return failed(`HTTP status ${status}, expected ${expected.join(' or ')}`, { httpStatus: status });
  }
  if (status >= 200 && status < 300) return succeeded({ httpStatus: status });
  return failed(`HTTP status ${status}, expected 2xx`, { httpStatus: status });
}

/**
 * The step's headers (values templated), then `authorization` from `auth` (it wins over a header of
 * the same name), a default `content-type` for a body (JSON when it parses as JSON, plain text
 * otherwise) and a `user-agent`, unless the step set them.
 */
export function requestHeaders(
  given: Readonly<Record<string, string>> | undefined,
  auth: HttpAuth | undefined,
  body: string | undefined,
  values: TemplateValues,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given ?? {}))
    headers[name.toLowerCase()] = renderTemplate(value, values);
  if (auth !== undefined) headers['authorization'] = authorization(auth);
  if (body !== undefined && headers['content-type'] === undefined) {
    headers['content-type'] = isJson(body) ? 'application/json' : 'text/plain; charset=utf-8';
  }
  headers['user-agent'] ??= 'sked';
  return headers;
}

function authorization(auth: HttpAuth): string {
  if (auth.type === 'bearer') return `Bearer ${auth.token}`;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** undici's message, plus the code of the network error underneath when it adds something. */
function describeError(error: unknown): string {
  const message = messageOf(error);
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && !message.includes(cause.message)) return `${message}: ${cause.message}`;
  return message;
}
