/** Every error leaves the native API as application/problem+json (RFC 9457) with a registry code. */

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, SkedError, type ErrorCode, type FieldError } from '../domain/errors.js';
import type { Logger } from '../domain/logger.js';
import { fieldErrors } from './validation.js';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
}

export function problem(code: ErrorCode, detail: string, errors?: FieldError[]): ProblemBody {
  const { status, title } = ERROR_CODES[code];
  return { type: `urn:sked:error:${code}`, title, status, detail, code, ...(errors?.length ? { errors } : {}) };
}

/** Maps anything thrown while handling a request to a problem. */
export function toProblem(err: unknown): ProblemBody {
  if (err instanceof SkedError) return problem(err.code, err.message, err.errors);
  const e = err as FastifyError & { validation?: unknown; validationContext?: string };
  if (Array.isArray(e.validation)) {
    const errors = fieldErrors(e.validation, e.validationContext ?? 'body');
    const first = errors[0];
    return problem('VALIDATION_ERROR', first ? `${first.pointer || '/'}: ${first.message}` : 'invalid request', errors);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('PAYLOAD_TOO_LARGE', 'the request body is larger than the limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem('UNSUPPORTED_MEDIA_TYPE', 'send JSON (Content-Type: application/json)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('VALIDATION_ERROR', 'the JSON body is empty', [{ pointer: '', message: 'a JSON body is required' }]);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem('VALIDATION_ERROR', `the body is not valid JSON: ${e.message}`, [{ pointer: '', message: 'must be valid JSON' }]);
    default:
      break;
  }
  if (e instanceof SyntaxError || (typeof e.statusCode === 'number' && e.statusCode === 400)) {
    return problem('VALIDATION_ERROR', `the request is malformed: ${e.message}`, [{ pointer: '', message: e.message }]);
  }
  if (typeof e.statusCode === 'number' && e.statusCode === 413) return problem('PAYLOAD_TOO_LARGE', e.message);
  if (typeof e.statusCode === 'number' && e.statusCode === 415) return problem('UNSUPPORTED_MEDIA_TYPE', e.message);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { ...problem('VALIDATION_ERROR', e.message), status: e.statusCode };
  }
  return problem('INTERNAL', 'an internal error occurred; it has been logged');
}

export function errorHandler(logger: Logger) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const body = toProblem(err);
    const retryAfter = (err as { retryAfter?: unknown }).retryAfter;
    if (body.status === 429 && typeof retryAfter === 'number') void reply.header('Retry-After', String(retryAfter));
    if (body.status === 401) void reply.header('WWW-Authenticate', 'Bearer realm="sked"');
    if (body.status >= 500) logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : err, url: request.url }, 'request failed');
    void reply.status(body.status).type('application/problem+json').send(body);
  };
}
