/** Asserts that a promise rejects with a SkedError of the given code. */

import { expect } from 'vitest';
import { SkedError, type ErrorCode } from '../../../src/domain/errors.js';

export async function expectSkedError(promise: Promise<unknown>, code: ErrorCode): Promise<SkedError> {
  let thrown: unknown;
  try {
    await promise;
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a SkedError ${code}`).toBeInstanceOf(SkedError);
  expect((thrown as SkedError).code).toBe(code);
  return thrown as SkedError;
}
