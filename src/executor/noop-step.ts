/** `noop` steps: succeed after the optional `delay` (abortable). */
import type { NoopStep } from '../domain/types.js';
import { parseDuration } from '../schedule/instant.js';
import { sleep } from './stop.js';
import { failed, succeeded, type AttemptContext, type AttemptOutcome } from './types.js';

export async function runNoopStep(step: NoopStep, ctx: AttemptContext): Promise<AttemptOutcome> {
  if (step.delay === undefined) return succeeded();
  const ms = parseDuration(step.delay);
  if (ms === null) return failed(`invalid delay '${step.delay}': not an ISO 8601 duration`);
  return (await sleep(ms, ctx.signal)) ? succeeded() : failed('stopped');
}
