/**
 * The one error registry: every error sked reports has a code here, with its HTTP status and title.
 * Store backends map driver errors onto these codes (one mapping file per backend) so callers see the
 * same error from either backend; unknown throws go through `toError()`.
 */

export const ERROR_CODES = {
  VALIDATION_ERROR: { status: 400, title: 'Invalid request' },
  UNAUTHORIZED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CONFLICT: { status: 409, title: 'Conflict' },
  QUOTA_EXCEEDED: { status: 409, title: 'Quota exceeded' },
  PRECONDITION_FAILED: { status: 412, title: 'Precondition failed' },
  REQUEST_TIMEOUT: { status: 408, title: 'Request timeout' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  HEADERS_TOO_LARGE: { status: 431, title: 'Request header fields too large' },
  INTERNAL: { status: 500, title: 'Internal error' },
  UNAVAILABLE: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One invalid field: a JSON pointer into the request body (or `/query/<name>`) and the rule it broke. */
export interface FieldError {
  pointer: string;
  message: string;
}

export class SkedError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;

  constructor(code: ErrorCode, message: string, options?: { errors?: FieldError[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SkedError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.errors = options?.errors;
  }

  get title(): string {
    return ERROR_CODES[this.code].title;
  }
}

/** A 400 listing the invalid fields; the message names the first of them. */
export function validationError(errors: FieldError[], message?: string): SkedError {
  const first = errors[0];
  const detail = message ?? (first ? `${first.pointer || '/'}: ${first.message}` : 'invalid request');
  return new SkedError('VALIDATION_ERROR', detail, { errors });
}

export function notFound(what: string, id: string): SkedError {
  return new SkedError('NOT_FOUND', `${what} '${id}' does not exist`);
}

export function conflict(message: string): SkedError {
  return new SkedError('CONFLICT', message);
}

/** Wraps anything thrown into a SkedError, keeping SkedErrors as they are. */
export function toError(thrown: unknown): SkedError {
  if (thrown instanceof SkedError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new SkedError('INTERNAL', message, { cause: thrown });
}

/** The message of anything thrown, for logs and run errors. */
export function messageOf(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  return typeof thrown === 'string' ? thrown : JSON.stringify(thrown);
}
