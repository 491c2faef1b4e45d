/**
 * JSON bodies for the JIM scope: the app's depth-limited parser, plus what JIM's System.Text.Json
 * settings add: a property given twice in one object (names compared case-insensitively, as they bind)
 * is a 400, and an empty body reads as no body (JIM's PowerShell client sends `Content-Type:
 * application/json` with no body on POST /run, /enable, /disable and /cancel).
 */

import type { FastifyInstance } from 'fastify';
import { parseJsonBody } from '../../api/json-body.js';
import { JimError } from './errors.js';

/** The first property name repeated within one object of valid JSON text, or null. */
export function duplicateProperty(text: string): string | null {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && expectKey) {
        const key = (JSON.parse(text.slice(i, j + 1)) as string).toLowerCase();
        if (top.has(key)) return key;
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(null);
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
  }
  return null;
}

export function registerJimJsonParser(scope: FastifyInstance): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      const value = parseJsonBody(text);
      const duplicate = duplicateProperty(text);
      if (duplicate !== null) {
        throw new JimError(400, 'VALIDATION_ERROR', `The JSON property '${duplicate}' appears more than once in an object.`, { [`$.${duplicate}`]: ['Duplicate properties are not allowed.'] });
      }
      done(null, value);
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
