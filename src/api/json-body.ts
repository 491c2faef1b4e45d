/** Request bodies: JSON with a nesting limit, so hostile depth is a 400 and never a stack overflow later. */

import { SkedError } from '../domain/errors.js';

/** Deeper than any real definition or payload. */
export const MAX_JSON_DEPTH = 64;

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') {
    throw new SkedError('VALIDATION_ERROR', 'the JSON body is empty', { errors: [{ pointer: '', message: 'a JSON body is required' }] });
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new SkedError('VALIDATION_ERROR', `the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`, { errors: [{ pointer: '', message: `nested deeper than ${MAX_JSON_DEPTH} levels` }] });
      }
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SkedError('VALIDATION_ERROR', `the body is not valid JSON: ${(err as Error).message}`, { errors: [{ pointer: '', message: 'must be valid JSON' }] });
  }
}
