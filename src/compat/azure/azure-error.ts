/**
 * Errors in Azure Scheduler's two shapes: classic Service Management answers
 * `<Error><Code/><Message/></Error>` XML, ARM answers `{"error":{"code","message"}}` JSON. sked's
 * registry errors map onto the codes each API documents; codes only Azure has (a missing x-ms-version
 * header, a malformed XML body) are raised as `AzureApiError`.
 */

import type { ErrorCode, FieldError } from '../../domain/errors.js';
import { toProblem } from '../../api/errors.js';
import { AzureApiError } from './azure-api-error.js';
import { xmlDocument, xmlElement } from './xml.js';

export type AzureFlavor = 'classic' | 'arm';

// The classic codes of "Scheduler Limits, Defaults, and Error Codes"; classic Service Management
// answers 403 ForbiddenError to a caller it does not accept.
const CLASSIC: Record<ErrorCode, { status?: number; code: string }> = {
  VALIDATION_ERROR: { code: 'BadRequest' },
  UNAUTHORIZED: { code: 'AuthenticationFailed' },
  FORBIDDEN: { code: 'ForbiddenError' },
  NOT_FOUND: { code: 'ResourceNotFound' },
  CONFLICT: { code: 'ConflictError' },
  QUOTA_EXCEEDED: { code: 'ConflictError' },
  PRECONDITION_FAILED: { code: 'PreconditionFailed' },
  REQUEST_TIMEOUT: { code: 'RequestTimeout' },
  PAYLOAD_TOO_LARGE: { code: 'RequestEntityTooLarge' },
  UNSUPPORTED_MEDIA_TYPE: { code: 'UnsupportedMediaType' },
  RATE_LIMITED: { status: 503, code: 'ServerBusy' },
  HEADERS_TOO_LARGE: { code: 'RequestHeaderFieldsTooLarge' },
  INTERNAL: { code: 'InternalError' },
  UNAVAILABLE: { code: 'ServerBusy' },
};

const ARM: Record<ErrorCode, { code: string }> = {
  VALIDATION_ERROR: { code: 'BadRequest' },
  UNAUTHORIZED: { code: 'AuthenticationFailed' },
  FORBIDDEN: { code: 'AuthorizationFailed' },
  NOT_FOUND: { code: 'ResourceNotFound' },
  CONFLICT: { code: 'Conflict' },
  QUOTA_EXCEEDED: { code: 'QuotaExceeded' },
  PRECONDITION_FAILED: { code: 'PreconditionFailed' },
  REQUEST_TIMEOUT: { code: 'RequestTimeout' },
  PAYLOAD_TOO_LARGE: { code: 'RequestEntityTooLarge' },
  UNSUPPORTED_MEDIA_TYPE: { code: 'UnsupportedMediaType' },
  RATE_LIMITED: { code: 'TooManyRequests' },
  HEADERS_TOO_LARGE: { code: 'RequestHeaderFieldsTooLarge' },
  INTERNAL: { code: 'InternalServerError' },
  UNAVAILABLE: { code: 'ServiceUnavailable' },
};

export interface AzureErrorReply {
  status: number;
  code: string;
  message: string;
  errors: FieldError[];
}

/** Anything thrown while serving a request, as Azure's status, code and message. */
export function toAzureError(flavor: AzureFlavor, err: unknown): AzureErrorReply {
  if (err instanceof AzureApiError) return { status: err.status, code: err.code, message: err.message, errors: err.errors };
  const p = toProblem(err);
  const mapped = flavor === 'classic' ? CLASSIC[p.code] : ARM[p.code];
  const status = (flavor === 'classic' ? CLASSIC[p.code].status : undefined) ?? p.status;
  return { status, code: mapped.code, message: p.detail, errors: p.errors ?? [] };
}

export function classicErrorXml(code: string, message: string): string {
  return xmlDocument(xmlElement('Error', [xmlElement('Code', code), xmlElement('Message', message)], true));
}

/** ARM's error body; invalid fields become `details` with their JSON pointer as `target`. */
export function armErrorBody(code: string, message: string, errors: readonly FieldError[] = []): Record<string, unknown> {
  const error: Record<string, unknown> = { code, message };
  if (errors.length) error['details'] = errors.map((e) => ({ code, target: e.pointer, message: e.message }));
  return { error };
}
