/**
 * sked's services name invalid fields of the sked definition (`/schedule/interval`, `/steps/0/request/url`);
 * an Azure client sent other fields. These rules point the errors back at the Azure body.
 */

import { SkedError, type FieldError } from '../../domain/errors.js';

const RULES: [RegExp, string][] = [
  [/^\/schedule\/(startAt|at)$/, '/startTime'],
  [/^\/schedule\/(endTime|endAt)$/, '/recurrence/endTime'],
  [/^\/schedule\/(frequency|interval|count|schedule)(.*)$/, '/recurrence/$1$2'],
  [/^\/steps\/\d+\/request\/url$/, '/action/request/uri'],
  [/^\/steps\/\d+(.*)$/, '/action$1'],
  [/^\/onFailure\/\d+\/request\/url$/, '/action/errorAction/request/uri'],
  [/^\/onFailure\/\d+(.*)$/, '/action/errorAction$1'],
  [/^\/retry(\/.*)?$/, '/action/retryPolicy'],
  [/^\/collection$/, ''],
];

function translate(pointer: string, base: string, recurring: boolean): string {
  if (pointer === '/schedule') return `${base}${recurring ? '/recurrence' : '/startTime'}`;
  for (const [re, to] of RULES) if (re.test(pointer)) return base + pointer.replace(re, to);
  return pointer;
}

/** Runs a service call, pointing its field errors at the Azure body under `base`. */
export async function withAzurePointers<T>(base: string, recurring: boolean, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof SkedError) || !err.errors?.length) throw err;
    const errors: FieldError[] = err.errors.map((e) => ({ pointer: translate(e.pointer, base, recurring), message: e.message }));
    const first = errors[0] as FieldError;
    throw new SkedError(err.code, `${first.pointer || '/'}: ${first.message}`, { errors, cause: err });
  }
}
