/**
 * Azure job history from sked's runs: one entry per finished run (`MainAction`: completed or failed;
 * each retry is its own run, its `retryCount` the attempts before it), and one more `ErrorAction` entry
 * when the run's error steps ran. Like Azure, the history covers the last 1000 runs and keeps 2048
 * bytes of each message. Newest first.
 */

import type { Job, Run, StepResult } from '../../domain/types.js';
import type { Actor } from '../../service/actor.js';
import type { Services } from '../../service/index.js';
import { PROVIDER, jobArmId, type ArmScope } from './arm-shapes.js';
import { iso, type Json } from './values.js';

const RETAINED_RUNS = 1000;
const MESSAGE_BYTES = 2048;
const FINISHED: Run['status'][] = ['succeeded', 'failed', 'cancelled', 'timedOut', 'interrupted'];

export interface HistoryEntry {
  id: string;
  actionName: 'MainAction' | 'ErrorAction';
  status: 'completed' | 'failed';
  startTime: number | null;
  endTime: number | null;
  expectedTime: number;
  message: string;
  retryCount: number;
  repeatCount: number;
  state: string;
}

export async function historyOf(services: Services, actor: Actor, job: Job): Promise<HistoryEntry[]> {
  const runs = (await services.jobs.runs(actor, job.id, { limit: RETAINED_RUNS, offset: 0, status: FINISHED })).items;
  // repeatCount: which occurrence of the job a run belongs to, counted from the oldest (retries share it).
  const occurrence = new Map<string, number>();
  let count = -1;
  for (const run of [...runs].reverse()) {
    const original = run.retryOf === null ? undefined : occurrence.get(run.retryOf);
    if (original === undefined) count++;
    occurrence.set(run.id, original ?? count);
  }
  const entries: HistoryEntry[] = [];
  runs.forEach((run, i) => {
    const state = i === 0 && (job.state === 'completed' || job.state === 'faulted') ? job.state : 'enabled';
    const base = { expectedTime: run.scheduledFor ?? run.queuedAt, retryCount: run.attempt - 1, repeatCount: occurrence.get(run.id) ?? 0, state };
    const errorSteps = run.steps.filter((s) => s.phase === 'onFailure');
    if (errorSteps.length) {
      entries.push({
        ...base,
        id: `${run.id}-error`,
        actionName: 'ErrorAction',
        status: errorSteps.every((s) => s.status === 'succeeded' || s.status === 'skipped') ? 'completed' : 'failed',
        startTime: earliest(errorSteps.map((s) => s.startedAt)),
        endTime: latest(errorSteps.map((s) => s.finishedAt)),
        message: messageOf(job, run, errorSteps),
      });
    }
    const mainSteps = run.steps.filter((s) => s.phase === 'main');
    entries.push({
      ...base,
      id: run.id,
      actionName: 'MainAction',
      status: run.status === 'succeeded' ? 'completed' : 'failed',
      startTime: run.startedAt ?? run.queuedAt,
      endTime: latest(mainSteps.map((s) => s.finishedAt)) ?? run.finishedAt,
      message: messageOf(job, run, mainSteps),
    });
  });
  return entries;
}

function earliest(times: (number | null)[]): number | null {
  const known = times.filter((t): t is number => t !== null);
  return known.length ? Math.min(...known) : null;
}

function latest(times: (number | null)[]): number | null {
  const known = times.filter((t): t is number => t !== null);
  return known.length ? Math.max(...known) : null;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function stepMessage(job: Job, r: StepResult): string {
  const def = (r.phase === 'main' ? job.steps : job.onFailure)[r.position];
  const output = r.output.trim();
  if (def?.type === 'http') {
    const host = hostOf(def.request.url);
    if (r.httpStatus !== null) return `Http Action - Response from host '${host}': '${r.httpStatus}'${output ? ` Body: ${output}` : ''}${r.error && r.status !== 'succeeded' ? ` Error: ${r.error}` : ''}`;
    return `Http Action - Request to host '${host}' failed: ${r.error ?? r.status}`;
  }
  if (def?.type === 'dispatch') {
    const type = String(def.action['type'] ?? def.surface);
    const label = type.charAt(0).toUpperCase() + type.slice(1);
    return r.status === 'succeeded' ? `${label} Action - dispatched${output ? `: ${output}` : ''}` : `${label} Action - failed: ${r.error ?? r.status}`;
  }
  return `${r.type} step ${r.status}${r.error ? `: ${r.error}` : output ? `: ${output}` : ''}`;
}

function messageOf(job: Job, run: Run, steps: StepResult[]): string {
  const parts = [...steps].sort((a, b) => a.position - b.position).map((s) => stepMessage(job, s));
  if (!parts.length) parts.push(run.error ?? run.status);
  else if (run.error && run.status !== 'succeeded' && !parts.some((p) => p.includes(run.error as string))) parts.push(run.error);
  const text = parts.join('; ');
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= MESSAGE_BYTES ? text : bytes.subarray(0, MESSAGE_BYTES).toString('utf8').replace(/\uFFFD+$/, '');
}

/** `$filter=status eq failed` or `state eq completed` (case-insensitive, quotes optional). */
export function filterHistory(entries: HistoryEntry[], filter: { field: string; value: string } | null): HistoryEntry[] {
  if (!filter) return entries;
  const value = filter.value.toLowerCase();
  return entries.filter((e) => (filter.field === 'status' ? e.status : e.state) === value);
}

export function classicHistoryEntry(e: HistoryEntry, azureId: string): Json {
  const end = e.endTime ?? e.startTime;
  return {
    jobId: azureId,
    timestamp: end === null ? null : iso(end),
    startTime: e.startTime === null ? null : iso(e.startTime),
    endTime: e.endTime === null ? null : iso(e.endTime),
    state: e.state,
    status: e.status,
    message: e.message,
    actionName: e.actionName,
    retryCount: e.retryCount,
    repeatCount: e.repeatCount,
  };
}

export function armHistoryEntry(e: HistoryEntry, scope: ArmScope, jc: string, azureId: string): Json {
  return {
    id: `${jobArmId(scope, jc, azureId)}/history/${e.id}`,
    type: `${PROVIDER}/jobCollections/jobs/history`,
    name: `${jc}/${azureId}/${e.id}`,
    properties: {
      startTime: e.startTime === null ? null : iso(e.startTime),
      endTime: e.endTime === null ? null : iso(e.endTime),
      expectedExecutionTime: iso(e.expectedTime),
      actionName: e.actionName,
      status: e.status === 'completed' ? 'Completed' : 'Failed',
      message: e.message,
      retryCount: e.retryCount,
      repeatCount: e.repeatCount,
    },
  };
}

/** What a job's status shows from its runs beyond sked's counters. */
export interface RunFacts {
  /** Failed runs whose retries were exhausted (every failure when there is no retry). */
  faultedCount: number;
  /** The start of the latest run, manual runs included (sked's lastFireTime counts scheduled fires only). */
  lastExecutionTime: number | null;
}

export async function runFactsOf(services: Services, actor: Actor, job: Job): Promise<RunFacts> {
  if (job.status.runCount === 0) return { faultedCount: 0, lastExecutionTime: job.status.lastFireTime };
  const latest = (await services.jobs.runs(actor, job.id, { limit: 1, offset: 0 })).items[0];
  const started = latest ? (latest.startedAt ?? latest.queuedAt) : null;
  const lastExecutionTime = Math.max(started ?? -Infinity, job.status.lastFireTime ?? -Infinity);
  let faultedCount = 0;
  if (job.status.failureCount > 0) {
    const failed = await services.jobs.runs(actor, job.id, { limit: RETAINED_RUNS, offset: 0, status: ['failed', 'timedOut', 'interrupted'] });
    const attempts = job.retry?.maxAttempts ?? 1;
    faultedCount = failed.items.filter((r) => r.attempt >= attempts).length;
  }
  return { faultedCount, lastExecutionTime: Number.isFinite(lastExecutionTime) ? lastExecutionTime : null };
}
