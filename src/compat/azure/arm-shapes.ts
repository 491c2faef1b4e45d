/**
 * ARM's shapes of jobs, job collections and history entries: resources `{id, type, name, properties}`
 * whose enums are PascalCase (`Http`, `Fixed`, `Minute`, `Monday`, `Enabled`) and whose monthly
 * occurrences spell `Occurrence` as the 2016-03-01 spec does. Built from the classic-cased views.
 */

import { isObject, type Json } from './values.js';

export const PROVIDER = 'Microsoft.Scheduler';

export interface ArmScope {
  subscription: string;
  resourceGroup: string;
}

const pascal = (s: unknown): unknown => (typeof s === 'string' && s.length ? s[0]?.toUpperCase() + s.slice(1) : s);

export function collectionArmId(scope: ArmScope, jc: string): string {
  return `/subscriptions/${scope.subscription}/resourceGroups/${scope.resourceGroup}/providers/${PROVIDER}/jobCollections/${jc}`;
}

export function jobArmId(scope: ArmScope, jc: string, job: string): string {
  return `${collectionArmId(scope, jc)}/jobs/${job}`;
}

function armAction(action: Json): Json {
  const out: Json = { ...action, type: pascal(action['type']) };
  const retry = action['retryPolicy'];
  if (isObject(retry)) out['retryPolicy'] = { ...retry, retryType: pascal(retry['retryType']) };
  const error = action['errorAction'];
  if (isObject(error)) out['errorAction'] = armAction(error);
  return out;
}

function armRecurrence(rec: Json): Json {
  const out: Json = { ...rec, frequency: pascal(rec['frequency']) };
  const s = rec['schedule'];
  if (isObject(s)) {
    const schedule: Json = { ...s };
    if (Array.isArray(s['weekDays'])) schedule['weekDays'] = s['weekDays'].map(pascal);
    if (Array.isArray(s['monthlyOccurrences'])) {
      schedule['monthlyOccurrences'] = s['monthlyOccurrences'].map((o) => (isObject(o) ? { day: pascal(o['day']), Occurrence: o['occurrence'] } : o));
    }
    out['schedule'] = schedule;
  }
  return out;
}

/** A job view (classic casing) as an ARM job resource. */
export function armJob(scope: ArmScope, jc: string, view: Json): Json {
  const name = String(view['id']);
  const properties: Json = { startTime: view['startTime'] };
  if (isObject(view['action'])) properties['action'] = armAction(view['action']);
  if (isObject(view['recurrence'])) properties['recurrence'] = armRecurrence(view['recurrence']);
  properties['state'] = pascal(view['state']);
  properties['status'] = view['status'];
  return { id: jobArmId(scope, jc, name), type: `${PROVIDER}/jobCollections/jobs`, name: `${jc}/${name}`, properties };
}

/** ARM's list envelope, with a nextLink when more items follow. */
export function armList(value: Json[], nextLink: string | null): Json {
  return nextLink ? { value, nextLink } : { value };
}
