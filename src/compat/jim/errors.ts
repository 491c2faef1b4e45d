/**
 * JIM's error body, `{code, message, details, validationErrors, timestamp}` (ApiErrorResponse; .NET writes
 * the null members too), and the mapping of sked's errors onto it. JIM's schedule controllers leave `code`
 * empty on their 400/404 answers; this surface serves the documented codes instead (VALIDATION_ERROR,
 * NOT_FOUND, UNAUTHORISED with JIM's British spelling, FORBIDDEN, ...).
 */

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SkedError, type FieldError } from '../../domain/errors.js';
import type { Logger } from '../../domain/logger.js';
import { dotnetDate } from './dates.js';

/** Field path (`Name`, `Steps[0].TimeoutSeconds`) → messages, as ASP.NET's ModelState reports them. */
export type ValidationErrors = Record<string, string[]>;

export type JimCode =
  | 'VALIDATION_ERROR'
  | 'NOT_FOUND'
  | 'UNAUTHORISED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'INTERNAL_ERROR'
  | 'BAD_REQUEST'
  | 'SERVICE_UNAVAILABLE'
  | 'TOO_MANY_REQUESTS';

/** An error raised by the surface itself, already in JIM's terms. */
export class JimError extends Error {
  constructor(
    readonly status: number,
    readonly code: JimCode,
    message: string,
    readonly validationErrors: ValidationErrors | null = null,
  ) {
    super(message);
    this.name = 'JimError';
  }
}

export function addError(errors: ValidationErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

/** A 400 VALIDATION_ERROR; the message is the first field's first message (or ASP.NET's summary). */
export function validationFailed(errors: ValidationErrors, message?: string): JimError {
  const first = Object.values(errors)[0]?.[0];
  return new JimError(400, 'VALIDATION_ERROR', message ?? first ?? 'One or more validation errors occurred.', errors);
}

export const notFound = (what: 'Schedule' | 'Schedule execution', id: string): JimError => new JimError(404, 'NOT_FOUND', `${what} not found: ${id}`);

export interface JimErrorBody {
  code: string;
  message: string;
  details: string | null;
  validationErrors: ValidationErrors | null;
  timestamp: string;
}

interface Mapped {
  status: number;
  body: JimErrorBody;
}

const SKED_TO_JIM: Record<SkedError['code'], { status: number; code: JimCode }> = {
  VALIDATION_ERROR: { status: 400, code: 'VALIDATION_ERROR' },
  UNAUTHORIZED: { status: 401, code: 'UNAUTHORISED' },
  FORBIDDEN: { status: 403, code: 'FORBIDDEN' },
  NOT_FOUND: { status: 404, code: 'NOT_FOUND' },
  CONFLICT: { status: 409, code: 'CONFLICT' },
  QUOTA_EXCEEDED: { status: 409, code: 'CONFLICT' },
  PRECONDITION_FAILED: { status: 409, code: 'CONFLICT' },
  REQUEST_TIMEOUT: { status: 408, code: 'BAD_REQUEST' },
  PAYLOAD_TOO_LARGE: { status: 413, code: 'BAD_REQUEST' },
  HEADERS_TOO_LARGE: { status: 431, code: 'BAD_REQUEST' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: 'BAD_REQUEST' },
  RATE_LIMITED: { status: 429, code: 'TOO_MANY_REQUESTS' },
  INTERNAL: { status: 500, code: 'INTERNAL_ERROR' },
  UNAVAILABLE: { status: 503, code: 'SERVICE_UNAVAILABLE' },
};

/** sked field errors (JSON pointers) as JIM field paths, through `field` (pointer → path). */
export function fieldErrorsToJim(errors: readonly FieldError[] | undefined, field: (pointer: string) => string): ValidationErrors | null {
  if (!errors?.length) return null;
  const out: ValidationErrors = {};
  for (const e of errors) addError(out, field(e.pointer), e.message);
  return out;
}

/** sked step fields under the JIM names they come from. */
const STEP_FIELD: Record<string, string> = {
  connection: 'SqlConnectionString',
  sql: 'SqlScriptPath',
  command: 'ExecutablePath',
  args: 'Arguments',
  cwd: 'WorkingDirectory',
  timeout: 'TimeoutSeconds',
  type: 'StepType',
};

/**
 * A sked pointer as the JIM field it comes from, .NET style: `/steps/0/connection` →
 * `Steps[0].SqlConnectionString`, `/schedule/...` → `CronExpression`, else `/a/0/b` → `A[0].B`.
 */
export function pointerAsPath(pointer: string): string {
  if (pointer.startsWith('/schedule')) return 'CronExpression';
  const step = /^\/steps\/(\d+)\/([^/]+)/.exec(pointer);
  if (step && STEP_FIELD[step[2] as string]) return `Steps[${step[1]}].${STEP_FIELD[step[2] as string]}`;
  const parts = pointer.split('/').filter(Boolean);
  let out = '';
  for (const p of parts) {
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else out += `${out ? '.' : ''}${p.charAt(0).toUpperCase()}${p.slice(1)}`;
  }
  return out || '$';
}

export function toJimError(err: unknown, now: number): Mapped {
  const timestamp = dotnetDate(now) as string;
  const body = (status: number, code: string, message: string, validationErrors: ValidationErrors | null = null): Mapped => ({
    status,
    body: { code, message, details: null, validationErrors, timestamp },
  });
  if (err instanceof JimError) return body(err.status, err.code, err.message, err.validationErrors);
  if (err instanceof SkedError) {
    const m = SKED_TO_JIM[err.code];
    return body(m.status, m.code, err.message, err.code === 'VALIDATION_ERROR' ? fieldErrorsToJim(err.errors, pointerAsPath) : null);
  }
  const e = err as FastifyError;
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return body(413, 'BAD_REQUEST', 'The request body is too large.');
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return body(415, 'BAD_REQUEST', 'Send JSON (Content-Type: application/json).');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return body(400, 'BAD_REQUEST', e.message);
  return body(500, 'INTERNAL_ERROR', 'An unexpected error occurred.');
}

/** The scope's error handler: every error, including the global hook's 401/403/429, in JIM's shape. */
export function jimErrorHandler(logger: Logger, now: () => number) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const { status, body } = toJimError(err, now());
    const retryAfter = (err as { retryAfter?: unknown }).retryAfter;
    if (status === 429 && typeof retryAfter === 'number') void reply.header('Retry-After', String(retryAfter));
    if (status >= 500) logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : err, url: request.url }, 'jim request failed');
    void reply.status(status).type('application/json; charset=utf-8').send(body);
  };
}
