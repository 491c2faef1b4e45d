/**
 * Fingerprints that tell whether a job's schedule or a step is still the one this surface made (then the
 * JIM fields it was made from are served back verbatim) or was changed through another surface (then the
 * JIM view is derived from the sked definition), and the stable step ids of steps made elsewhere.
 */

import { createHash } from 'node:crypto';
import { redactConnection } from '../../domain/secrets.js';
import type { Step } from '../../domain/types.js';

/** JSON with sorted keys and undefined members left out: equal values give equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableJson(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const fingerprint = (value: unknown): string => createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 32);

/**
 * A step's action as it reads back from sked (its secrets redacted), without the fields the JIM view
 * takes from the live step anyway (index, name, continueOnFailure, timeout, retry).
 */
export function stepFingerprint(step: Step): string {
  const { stepIndex: _i, name: _n, continueOnFailure: _c, timeout: _t, retry: _r, ...action } = step;
  const shown = action.type === 'sql' ? { ...action, connection: redactConnection(action.connection) } : action;
  return fingerprint(shown);
}

/** A GUID-shaped id derived from a job id and a step position, for steps made outside JIM. */
export function derivedStepId(jobId: string, position: number): string {
  const h = createHash('sha256').update(`sked-step:${jobId}#${position}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
