/**
 * Any sked job of a collection in Azure's job shape (classic casing: lowercase enums). The first step
 * is the action and the first error step the errorAction; what Azure cannot express is shown with
 * sensible defaults: a step type Azure lacks appears as that type, a schedule with no Azure recurrence
 * (cron, daily, window, manual) appears without one, its next run still in `status`.
 */

import type { Job, JobState, RetryPolicy, ScheduleSpec, Step } from '../../domain/types.js';
import { parseDuration } from '../../schedule/instant.js';
import type { RunFacts } from './history.js';
import { azureExtension } from './job-input.js';
import { iso, type Json } from './values.js';

const STATE: Record<JobState, string> = { enabled: 'enabled', paused: 'disabled', completed: 'completed', faulted: 'faulted' };

/** The job as Azure shows it; `facts` come from its runs. */
export function jobView(job: Job, azureId: string, facts: RunFacts): Json {
  const auth = azureExtension(job).auth;
  const action = actionView(firstStep(job.steps), auth?.action);
  action['retryPolicy'] = retryView(job.retry);
  const error = firstStep(job.onFailure);
  if (error) action['errorAction'] = actionView(error, auth?.errorAction);
  const view: Json = { id: azureId, startTime: startTimeOf(job), action };
  const recurrence = recurrenceView(job.schedule);
  if (recurrence) view['recurrence'] = recurrence;
  view['state'] = STATE[job.state];
  const status: Json = {};
  if (facts.lastExecutionTime !== null) status['lastExecutionTime'] = iso(facts.lastExecutionTime);
  if (job.status.nextFireTime !== null && job.state === 'enabled') status['nextExecutionTime'] = iso(job.status.nextFireTime);
  status['executionCount'] = job.status.runCount;
  status['failureCount'] = job.status.failureCount;
  status['faultedCount'] = facts.faultedCount;
  view['status'] = status;
  return view;
}

function firstStep(steps: readonly Step[]): Step | undefined {
  return [...steps].sort((a, b) => a.stepIndex - b.stepIndex)[0];
}

function startTimeOf(job: Job): string {
  const s = job.schedule;
  if (s.type === 'once') return s.at;
  return s.startAt ?? iso(job.createdAt);
}

function actionView(step: Step | undefined, authFacts: Json | undefined): Json {
  if (!step) return { type: 'noop' };
  if (step.type === 'dispatch' && step.surface === 'azure') return { ...step.action };
  if (step.type !== 'http') return { type: step.type };
  const r = step.request;
  const request: Json = { uri: r.url, method: r.method ?? (r.body === undefined ? 'GET' : 'POST') };
  if (r.headers && Object.keys(r.headers).length) request['headers'] = { ...r.headers };
  if (r.body !== undefined) request['body'] = r.body;
  // Secrets are never shown: Basic shows its user name, the others their stored facts.
  if (r.auth?.type === 'basic') request['authentication'] = { type: 'Basic', username: r.auth.username };
  else if (authFacts) request['authentication'] = { ...authFacts };
  return { type: r.url.toLowerCase().startsWith('https:') ? 'https' : 'http', request };
}

function retryView(retry: RetryPolicy | null): Json {
  if (!retry) return { retryType: 'none' };
  return { retryType: 'fixed', retryInterval: retry.interval, retryCount: retry.maxAttempts - 1 };
}

const UNITS: [string, number][] = [
  ['week', 604_800_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

function recurrenceView(s: ScheduleSpec): Json | null {
  if (s.type === 'recurrence') {
    const out: Json = { frequency: s.frequency, interval: s.interval ?? 1 };
    if (s.count !== undefined) out['count'] = s.count;
    const end = s.endTime ?? s.endAt;
    if (end !== undefined) out['endTime'] = end;
    if (s.schedule && Object.keys(s.schedule).length) out['schedule'] = { ...s.schedule };
    return out;
  }
  if (s.type === 'interval') {
    // A fixed interval is a recurrence when it is a whole number of minutes, hours, days or weeks.
    const ms = parseDuration(s.every);
    const unit = ms === null ? undefined : UNITS.find(([, size]) => ms % size === 0);
    if (ms === null || !unit) return null;
    const out: Json = { frequency: unit[0], interval: ms / unit[1] };
    if (s.repeatCount !== undefined) out['count'] = s.repeatCount + 1;
    if (s.endAt !== undefined) out['endTime'] = s.endAt;
    return out;
  }
  return null;
}
