/** Shared JSON schemas of the native API (TypeBox: one source for validation and the OpenAPI document). */

import { Type, type TSchema } from '@sinclair/typebox';

export const Id = Type.String({ pattern: '^[A-Za-z0-9._-]{1,128}$', description: 'letters, digits, . _ -; 1 to 128 characters' });
export const Duration = Type.String({ pattern: '^P', maxLength: 64, description: 'ISO 8601 duration, e.g. PT30S, PT10M, P1D', examples: ['PT30S'] });
export const Instant = Type.String({ format: 'date-time', description: 'RFC 3339 date-time, e.g. 2026-11-22T06:00:00.000Z' });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A `oneOf` keyed by `type`: validated branch by branch (ajv's discriminator), documented as such. */
export function Tagged<T extends TSchema>(branches: T[], options: Record<string, unknown> = {}) {
  return Type.Unsafe<T['static']>({
    type: 'object',
    required: ['type'],
    discriminator: { propertyName: 'type' },
    oneOf: branches,
    ...options,
  });
}

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ pointer: Type.String(), message: Type.String() }))),
  },
  { description: 'RFC 9457 problem details' },
);

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 })),
};

export const Pagination = Type.Object({ limit: Type.Integer(), offset: Type.Integer(), total: Type.Integer() });

export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), pagination: Pagination });
}

export const Loose = Type.Object({}, { additionalProperties: true });

/** A string-keyed map whose keys must match `keyPattern` (TypeBox's Record drops key patterns). */
export function Dict<T extends TSchema>(keyPattern: string, value: T, options: { maxProperties?: number; description?: string } = {}) {
  return Type.Unsafe<Record<string, T['static']>>({
    type: 'object',
    patternProperties: { [keyPattern]: value },
    additionalProperties: false,
    ...options,
  });
}
