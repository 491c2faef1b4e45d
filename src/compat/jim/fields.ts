/**
 * Reading a JSON request object the way JIM's ASP.NET binding does: property names case-insensitive
 * (System.Text.Json web defaults), null the same as absent, unknown properties ignored, enums as their
 * string names only (case-insensitive; numbers refused, as JsonStringEnumConverter with
 * allowIntegerValues:false does), and DataAnnotations-style messages keyed by the .NET property path.
 */

import { addError, type ValidationErrors } from './errors.js';

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const pascal = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

export class FieldReader {
  private readonly values = new Map<string, unknown>();

  /** `path`: the .NET path prefix of this object (`''` at the top, `Steps[0].` for a step). */
  constructor(
    source: JsonObject,
    private readonly path: string,
    readonly errors: ValidationErrors,
  ) {
    for (const [k, v] of Object.entries(source)) this.values.set(k.toLowerCase(), v);
  }

  /** The .NET path of a property (`Steps[0].TimeoutSeconds`). */
  field(name: string): string {
    return `${this.path}${pascal(name)}`;
  }

  private fail(name: string, message: string): undefined {
    addError(this.errors, this.field(name), message);
    return undefined;
  }

  /** The value, undefined when absent or null. */
  raw(name: string): unknown {
    const v = this.values.get(name.toLowerCase());
    return v === null ? undefined : v;
  }

  string(name: string, opts: { max?: number; min?: number; required?: boolean } = {}): string | undefined {
    const v = this.raw(name);
    const field = pascal(name);
    if (v === undefined) return opts.required ? this.fail(name, `The ${field} field is required.`) : undefined;
    if (typeof v !== 'string') return this.fail(name, 'The JSON value could not be converted to System.String.');
    const min = opts.min ?? 0;
    if (opts.max !== undefined && (v.length > opts.max || v.length < min)) {
      const range = min > 0 ? `a minimum length of ${min} and a maximum length of ${opts.max}` : `a maximum length of ${opts.max}`;
      return this.fail(name, `The field ${field} must be a string with ${range}.`);
    }
    if (opts.required && v.length === 0) return this.fail(name, `The ${field} field is required.`);
    return v;
  }

  int(name: string, opts: { min?: number; max?: number } = {}): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > 2_147_483_647) return this.fail(name, 'The JSON value could not be converted to System.Int32.');
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      return this.fail(name, `The field ${pascal(name)} must be between ${opts.min ?? '-2147483648'} and ${opts.max ?? '2147483647'}.`);
    }
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') return this.fail(name, 'The JSON value could not be converted to System.Boolean.');
    return v;
  }

  /** An enum by its member name (case-insensitive); `typeName` for the message (`ScheduleTriggerType`). */
  enumValue<T extends string>(name: string, members: readonly T[], typeName: string): T | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const found = typeof v === 'string' ? members.find((m) => m.toLowerCase() === v.toLowerCase()) : undefined;
    if (found === undefined) return this.fail(name, `The JSON value could not be converted to JIM.Models.Scheduling.${typeName}. Use one of: ${members.join(', ')}.`);
    return found;
  }

  array(name: string): unknown[] | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return this.fail(name, 'The JSON value could not be converted to a list.');
    return v;
  }

  /** A GUID (`Guid?`); the empty GUID reads as absent, as JIM treats it. */
  guid(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !GUID.test(v)) return this.fail(name, 'The JSON value could not be converted to System.Guid.');
    const id = v.toLowerCase();
    return id === EMPTY_GUID ? undefined : id;
  }
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
