/**
 * Request validation: bodies are checked strictly (no type coercion, unknown fields rejected, every
 * error reported), query strings and path parameters with coercion (they arrive as text). ajv errors
 * become field errors with JSON pointers (`/schedule/expression`, `/query/limit`).
 */

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from '../domain/errors.js';

// ajv-formats is a CommonJS module whose default export arrives wrapped under NodeNext.
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule.default }).default;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: coerce,
    removeAdditional: false,
    discriminator: true,
    strict: false,
  });
  addFormats(ajv, ['date-time', 'uri']);
  return ajv;
}

const bodyAjv = makeAjv(false);
const textAjv = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema as object) as ValidateFunction;
};

const PART_PREFIX: Record<string, string> = { body: '', querystring: '/query', params: '/path', headers: '/headers' };

/** ajv errors as field errors; `part` is fastify's validation context. */
export function fieldErrors(errors: readonly ErrorObject[], part: string): FieldError[] {
  const prefix = PART_PREFIX[part] ?? '';
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let pointer = prefix + e.instancePath;
    let message: string;
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        pointer += `/${String(params['missingProperty'])}`;
        message = 'is required';
        break;
      case 'additionalProperties':
        pointer += `/${String(params['additionalProperty'])}`;
        message = 'is not a known field';
        break;
      case 'discriminator':
        pointer += '/type';
        message = params['error'] === 'tag' ? 'is required and must be a string' : `is not one of the known types${typeof params['tagValue'] === 'string' ? ` ('${params['tagValue']}')` : ''}`;
        break;
      case 'enum':
        message = `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'const':
        message = `must be ${JSON.stringify(params['allowedValue'])}`;
        break;
      case 'anyOf':
      case 'oneOf':
        // The branch errors already say what is wrong; the summary adds nothing.
        continue;
      default:
        message = e.message ?? 'is invalid';
    }
    const key = `${pointer} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer, message });
  }
  // A literal mismatch inside a union (e.g. enum as anyOf of consts) lists every option: say it once.
  return dropUnionNoise(mergeConstErrors(out));
}

/**
 * A nullable field with an invalid object also reports "must be null" from the other branch of its
 * union, and a missing `type` is reported by both `required` and the discriminator: keep the errors that
 * say what to fix, one per pointer and message.
 */
function dropUnionNoise(errors: FieldError[]): FieldError[] {
  const kept = errors.filter((e) => !(e.message === 'must be null' && errors.some((o) => o !== e && (o.pointer === e.pointer || o.pointer.startsWith(`${e.pointer}/`)))));
  const seen = new Set<string>();
  return kept.filter((e) => {
    const key = e.message === 'is required' || e.message.startsWith('is required and') ? `${e.pointer} required` : `${e.pointer} ${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function mergeConstErrors(errors: FieldError[]): FieldError[] {
  const byPointer = new Map<string, string[]>();
  const rest: FieldError[] = [];
  for (const e of errors) {
    const m = /^must be (".*")$/.exec(e.message);
    if (m) byPointer.set(e.pointer, [...(byPointer.get(e.pointer) ?? []), m[1] as string]);
    else rest.push(e);
  }
  for (const [pointer, values] of byPointer) {
    rest.push({ pointer, message: values.length > 1 ? `must be one of ${values.join(', ')}` : `must be ${values[0]}` });
  }
  return rest;
}
