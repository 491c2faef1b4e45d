/**
 * `{{placeholder}}` templating for http steps (url, header values, body).
 *
 * Known placeholders: `{{payload}}` (the payload as JSON), `{{payload.a.b}}` (a field: strings raw,
 * other values as JSON, a missing field as the empty string; array elements by number, `items.0`),
 * `{{runId}}`, `{{jobId}}`, `{{attempt}}` (the run's attempt), `{{scheduledFor}}` (RFC 3339, empty for
 * runs without one) and `{{error}}` (the run's error in onFailure steps, empty otherwise). Anything else
 * between braces is left exactly as written. Values are inserted raw, not escaped for the context.
 */
import { formatInstant } from '../schedule/instant.js';

export interface TemplateValues {
  payload: unknown;
  runId: string;
  jobId: string;
  attempt: number;
  scheduledFor: number | null;
  error: string | null;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_$-]+)*)\s*\}\}/g;

export function renderTemplate(text: string, values: TemplateValues): string {
  return text.replace(PLACEHOLDER, (whole: string, name: string) => resolve(name, values) ?? whole);
}

/** The text of a placeholder, or null when it is not a known one. */
function resolve(name: string, values: TemplateValues): string | null {
  switch (name) {
    case 'payload':
      return JSON.stringify(values.payload) ?? 'null';
    case 'runId':
      return values.runId;
    case 'jobId':
      return values.jobId;
    case 'attempt':
      return String(values.attempt);
    case 'scheduledFor':
      return values.scheduledFor === null ? '' : formatInstant(values.scheduledFor);
    case 'error':
      return values.error ?? '';
  }
  if (!name.startsWith('payload.')) return null;
  const value = fieldAt(values.payload, name.slice('payload.'.length).split('.'));
  if (value === undefined) return '';
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/** The value at a path of own properties (never the prototype chain), or undefined. */
function fieldAt(root: unknown, path: string[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
