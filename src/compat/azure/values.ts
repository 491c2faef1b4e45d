/** Reading loosely typed Azure JSON: objects, enums (case-insensitive), date-times and durations. */

import { formatDuration, parseDuration, parseInstant } from '../../schedule/instant.js';
import { badRequest } from './azure-api-error.js';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object, or undefined when absent or null; anything else is a 400. */
export function optionalObject(value: unknown, pointer: string): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw badRequest(pointer, 'must be an object');
  return value;
}

/** Refuses fields the API does not have, so a typo never silently drops a setting. */
export function checkKnown(obj: Json, known: readonly string[], pointer: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) throw badRequest(`${pointer}/${key}`, `is not a known field (known: ${known.join(', ')})`);
  }
}

export function optionalString(value: unknown, pointer: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(pointer, 'must be a string');
  return value;
}

export function requiredString(value: unknown, pointer: string): string {
  const s = optionalString(value, pointer);
  if (s === undefined || s === '') throw badRequest(pointer, 'is required');
  return s;
}

/** One of `values`, matched case-insensitively; returned as spelled in `values`. */
export function enumValue<T extends string>(value: unknown, values: readonly T[], pointer: string): T {
  const found = typeof value === 'string' ? values.find((v) => v.toLowerCase() === value.toLowerCase()) : undefined;
  if (found === undefined) throw badRequest(pointer, `must be one of ${values.join(', ')} (got ${JSON.stringify(value)})`);
  return found;
}

export function optionalInteger(value: unknown, pointer: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) throw badRequest(pointer, `must be an integer ${min}..${max}`);
  return value as number;
}

/** An Azure date-time as epoch ms; one without an offset is UTC. */
export function parseAzureInstant(value: unknown, pointer: string): number {
  const text = typeof value === 'string' ? value.trim() : '';
  const zoned = /([Zz]|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`;
  const t = parseInstant(zoned);
  if (t === null) throw badRequest(pointer, `must be an ISO 8601 date-time such as 2026-01-30T20:08:00Z (got ${JSON.stringify(value)})`);
  return t;
}

/** An ISO 8601 duration (`PT1M`) or a .NET TimeSpan (`00:01:00`, `1.00:00:00`), as ms. */
export function parseAzureDuration(value: unknown, pointer: string): number {
  if (typeof value === 'string') {
    const iso = parseDuration(value.trim());
    if (iso !== null) return iso;
    const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(value.trim());
    if (m) {
      const [, d, h, mi, s, frac] = m;
      return ((Number(d ?? 0) * 24 + Number(h)) * 3600 + Number(mi) * 60 + Number(s)) * 1000 + (frac ? Math.round(Number(`0.${frac}`) * 1000) : 0);
    }
  }
  throw badRequest(pointer, `must be an ISO 8601 duration such as PT1M (got ${JSON.stringify(value)})`);
}

export const iso = (t: number): string => new Date(t).toISOString();
export const isoDuration = (ms: number): string => formatDuration(ms);
