/**
 * IDM's error body, `{"code":404,"reason":"Not Found","message":"…"}` (CREST ResourceException), and the
 * mapping of everything thrown in the surface onto it: sked's registry errors keep their status, field
 * errors are reported with IDM's field names, Fastify's body errors become 400/413/415.
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import { SkedError, type FieldError } from '../../domain/errors.js';
import type { Logger } from '../../domain/logger.js';

/** An error only the IDM surface reports (501 for v1 actions, CREST's own 400s and 404s). */
export class IdmError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'IdmError';
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export interface IdmErrorBody {
  code: number;
  reason: string;
  message: string;
}

export function idmErrorBody(status: number, message: string): IdmErrorBody {
  return { code: status, reason: REASONS[status] ?? 'Error', message };
}

/** sked's pointers into a job definition, as the IDM field that produced them. */
const FIELD_OF_POINTER: [RegExp, string][] = [
  [/^\/schedule\/expression/, 'schedule'],
  [/^\/schedule\/timeZone/, 'timeZone'],
  [/^\/schedule\/(startAt|at)/, 'startTime'],
  [/^\/schedule\/endAt/, 'endTime'],
  [/^\/schedule\/every/, 'repeatInterval'],
  [/^\/schedule\/repeatCount/, 'repeatCount'],
  [/^\/schedule/, 'schedule'],
  [/^\/steps/, 'invokeService'],
];

function fieldMessage(e: FieldError): string {
  const field = FIELD_OF_POINTER.find(([re]) => re.test(e.pointer))?.[1];
  return field ? `${field}: ${e.message}` : `${e.pointer || '/'}: ${e.message}`;
}

/** The status and body of anything thrown while handling an IDM request. */
export function toIdmError(err: unknown): IdmErrorBody {
  if (err instanceof IdmError) return idmErrorBody(err.status, err.message);
  if (err instanceof SkedError) {
    if (err.code === 'NOT_FOUND') return idmErrorBody(404, 'Schedule does not exist');
    if (err.code === 'VALIDATION_ERROR' && err.errors?.length) {
      return idmErrorBody(400, `Invalid schedule configuration: ${err.errors.map(fieldMessage).join('; ')}`);
    }
    return idmErrorBody(err.status, err.message);
  }
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : 'invalid request';
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return idmErrorBody(413, 'The request body is larger than the limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return idmErrorBody(415, 'Send JSON (Content-Type: application/json)');
    default:
      break;
  }
  if (err instanceof SyntaxError) return idmErrorBody(400, `The request body is not valid JSON: ${message}`);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
    return idmErrorBody(e.statusCode, message);
  return idmErrorBody(500, 'An internal error occurred; it has been logged');
}

/**
 * Answers anything thrown in the surface in IDM's shape. Only unexpected failures are logged as errors
 * (with their stack); an IdmError is an answer the surface chose (the 501 for PATCH, for instance), so a
 * 5xx one is logged at debug level only.
 */
export function idmErrorHandler(logger: Logger) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const body = toIdmError(err);
    if (body.code >= 500) {
      if (err instanceof IdmError)
        logger.debug(
          { status: body.code, message: body.message, method: request.method, url: request.url },
          'idm request answered',
        );
      else
        logger.error(
          { err: err instanceof Error ? { message: err.message, stack: err.stack } : err, url: request.url },
          'idm request failed',
        );
    }
    const retryAfter = (err as { retryAfter?: unknown }).retryAfter;
    if (body.code === 429 && typeof retryAfter === 'number')
      void reply.header('Retry-After', String(retryAfter));
    void reply.status(body.code).type('application/json').send(body);
  };
}
