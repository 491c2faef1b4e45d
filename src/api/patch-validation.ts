/** A merge patch is applied to the stored definition, then the result is validated like a PUT body. */

import type { ValidateFunction } from 'ajv';
import { validationError } from '../domain/errors.js';
import type { JobInput } from '../service/job-input.js';
import { JobInputSchema } from './schemas/job-schema.js';
import { fieldErrors, validatorCompiler } from './validation.js';

let validate: ValidateFunction | null = null;

export function validateJobPatch(merged: unknown): JobInput {
  validate ??= validatorCompiler({ schema: JobInputSchema, httpPart: 'body', method: 'PATCH', url: '' }) as ValidateFunction;
  if (!validate(merged)) throw validationError(fieldErrors(validate.errors ?? [], 'body'));
  return merged as JobInput;
}
