/**
 * Puppet orchestrator errors: `{kind, msg, details}` with `kind` `puppetlabs.orchestrator/<k>` (or
 * `puppetlabs.rbac/<k>` for authentication), and the mapping of sked's errors onto them:
 * VALIDATION_ERROR → 400 validation-error, NOT_FOUND → 404 unknown-job, FORBIDDEN → 403 not-permitted,
 * UNAUTHORIZED → 401 (see auth.ts), CONFLICT / QUOTA_EXCEEDED → 409 conflict, RATE_LIMITED → 429
 * too-many-requests, anything else → 500 unknown-error.
 */

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SkedError, type FieldError } from '../../domain/errors.js';
import type { Logger } from '../../domain/logger.js';

export const ORCH = 'puppetlabs.orchestrator';

export class PuppetError extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    message: string,
    readonly details: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = 'PuppetError';
  }
}

/** A 400 validation-error; `details` maps each field to its problem, the message is the first one. */
export function validationError(details: Record<string, string>): PuppetError {
  const first = Object.entries(details)[0];
  return new PuppetError(400, `${ORCH}/validation-error`, first ? `${first[0]}: ${first[1]}` : 'invalid request', details);
}

export const unknownJob = (name: string): PuppetError => new PuppetError(404, `${ORCH}/unknown-job`, `No scheduled job with id '${name}'`, { id: name });

/** sked's field errors as Puppet details, through `field` (JSON pointer → Puppet field name). */
export function detailsOf(errors: readonly FieldError[] | undefined, field: (pointer: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors ?? []) out[field(e.pointer)] ??= e.message;
  return out;
}

/** Rethrows sked's VALIDATION_ERROR with Puppet's field names, NOT_FOUND as unknown-job. */
export function rethrowAs(name: string, field: (pointer: string) => string) {
  return (err: unknown): never => {
    if (err instanceof SkedError && err.code === 'VALIDATION_ERROR') {
      const details = detailsOf(err.errors, field);
      throw Object.keys(details).length ? validationError(details) : new PuppetError(400, `${ORCH}/validation-error`, err.message);
    }
    if (err instanceof SkedError && (err.code === 'NOT_FOUND' || err.code === 'PRECONDITION_FAILED')) throw unknownJob(name);
    throw err;
  };
}

interface Mapped {
  status: number;
  body: { kind: string; msg: string; details?: Record<string, unknown> };
}

function body(status: number, kind: string, msg: string, details: Record<string, unknown> | null = null): Mapped {
  return { status, body: { kind, msg, ...(details ? { details } : {}) } };
}

export function toPuppetError(err: unknown): Mapped {
  if (err instanceof PuppetError) return body(err.status, err.kind, err.message, err.details);
  if (err instanceof SkedError) {
    switch (err.code) {
      case 'VALIDATION_ERROR':
        return body(400, `${ORCH}/validation-error`, err.message, err.errors?.length ? { errors: err.errors } : null);
      case 'NOT_FOUND':
        return body(404, `${ORCH}/unknown-job`, err.message);
      case 'FORBIDDEN':
        return body(403, `${ORCH}/not-permitted`, err.message);
      case 'UNAUTHORIZED':
        return body(401, 'puppetlabs.rbac/token-not-found', err.message);
      case 'CONFLICT':
      case 'QUOTA_EXCEEDED':
      case 'PRECONDITION_FAILED':
        return body(409, `${ORCH}/conflict`, err.message);
      case 'RATE_LIMITED':
        return body(429, `${ORCH}/too-many-requests`, err.message);
      case 'PAYLOAD_TOO_LARGE':
        return body(413, `${ORCH}/validation-error`, err.message);
      default:
        return body(err.status >= 500 ? err.status : 500, `${ORCH}/unknown-error`, err.message);
    }
  }
  const e = err as FastifyError;
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return body(413, `${ORCH}/validation-error`, 'The request body is too large');
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return body(415, `${ORCH}/validation-error`, 'The request body must be JSON (Content-Type: application/json)');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return body(400, `${ORCH}/validation-error`, e.message);
  return body(500, `${ORCH}/unknown-error`, 'An unexpected error occurred');
}

export function puppetErrorHandler(logger: Logger) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const { status, body: payload } = toPuppetError(err);
    const retryAfter = (err as { retryAfter?: unknown }).retryAfter;
    if (status === 429 && typeof retryAfter === 'number') void reply.header('Retry-After', String(retryAfter));
    // The path only: Puppet clients may send the key as ?token=, which must not reach the log.
    if (status >= 500) logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : err, path: request.url.split('?')[0] }, 'puppet request failed');
    void reply.status(status).type('application/json').send(payload);
  };
}
