/** Errors with codes that only Azure's APIs have (a missing x-ms-version header, malformed XML, ...). */

import type { FieldError } from '../../domain/errors.js';

export class AzureApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'AzureApiError';
  }
}

/** A 400 naming one field by its JSON pointer. */
export function badRequest(pointer: string, message: string): AzureApiError {
  return new AzureApiError(400, 'BadRequest', `${pointer || '/'}: ${message}`, [{ pointer, message }]);
}

/** A 404 ResourceNotFound. */
export function resourceNotFound(message: string): AzureApiError {
  return new AzureApiError(404, 'ResourceNotFound', message);
}
