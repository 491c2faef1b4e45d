/**
 * `dispatch` steps: the platform actions of the compatibility surfaces, POSTed as JSON (surface, job,
 * run, payload and the original action fields) to the URL configured for the surface
 * (SKED_DISPATCH_<SURFACE>_URL). Success is a 2xx answer; the answer's body is the step's output.
 */

import type * as Undici from 'undici';
import { loadUndici } from './undici-module.js';
import type { DispatchStep } from '../domain/types.js';
import { messageOf } from '../domain/errors.js';
import { failed, succeeded, type AttemptContext, type AttemptOutcome } from './types.js';

export async function runDispatchStep(step: DispatchStep, ctx: AttemptContext): Promise<AttemptOutcome> {
  const target = ctx.settings.dispatchUrls[step.surface];
  if (!target) {
    return failed(`no dispatch URL is configured for the ${step.surface} surface: set SKED_DISPATCH_${step.surface.toUpperCase()}_URL to the endpoint that performs its actions`);
  }
  const body = JSON.stringify({
    surface: step.surface,
    jobId: ctx.template.jobId,
    runId: ctx.template.runId,
    attempt: ctx.template.attempt,
    scheduledFor: ctx.template.scheduledFor === null ? null : new Date(ctx.template.scheduledFor).toISOString(),
    payload: ctx.template.payload,
    action: step.action,
  });
  let response: Undici.Dispatcher.ResponseData;
  try {
    response = await (await loadUndici()).request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'sked' },
      body,
      signal: ctx.signal,
      dispatcher: await ctx.dispatcher(),
    });
  } catch (error) {
    return failed(`dispatch to ${target} failed: ${messageOf(error)}`);
  }
  for await (const chunk of response.body as AsyncIterable<Buffer>) ctx.output.write(chunk, 'body');
  const status = response.statusCode;
  return status >= 200 && status < 300 ? succeeded({ httpStatus: status }) : failed(`dispatch to ${target} answered HTTP ${status}`, { httpStatus: status });
}
