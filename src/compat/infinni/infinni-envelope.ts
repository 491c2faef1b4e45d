/**
 * InfinniPlatform's answers: always HTTP 200 with `{"Success":bool,"Result":…,"Error":"msg"}`, nulls
 * omitted. The one exception is a caller that is not on this host (or came through a proxy): 403, as
 * InfinniPlatform's OnBefore check answers.
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLocalCaller } from '../../api/guards.js';
import { SkedError } from '../../domain/errors.js';
import type { Logger } from '../../domain/logger.js';

export interface ServiceResult {
  Success: boolean;
  Result?: unknown;
  Error?: string;
}

export function ok(result: unknown): ServiceResult {
  return result === null || result === undefined ? { Success: true } : { Success: true, Result: result };
}

/** A failure; InfinniPlatform leaves Error out when there is no exception (a job that is not there). */
export function fail(error?: string): ServiceResult {
  return error === undefined ? { Success: false } : { Success: false, Error: error };
}

/** The object without its null and undefined properties (the serializer's NullValueHandling.Ignore). */
export function withoutNulls(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

function messageOf(err: unknown): string {
  if (err instanceof SkedError && err.errors?.length)
    return `${err.message} (${err.errors.map((e) => `${e.pointer}: ${e.message}`).join('; ')})`;
  return err instanceof Error ? err.message : String(err);
}

export function infinniErrorHandler(logger: Logger) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    if (!isLocalCaller(request)) {
      void reply
        .status(403)
        .type('application/json')
        .send(fail('the scheduler service is available only on the host where the application runs'));
      return;
    }
    const internal =
      !(err instanceof SkedError) && !(typeof (err as { statusCode?: unknown }).statusCode === 'number');
    if (internal)
      logger.error(
        { err: err instanceof Error ? { message: err.message, stack: err.stack } : err, url: request.url },
        'infinni request failed',
      );
    void reply
      .status(200)
      .type('application/json')
      .send(fail(messageOf(err)));
  };
}
