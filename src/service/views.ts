/** The public JSON shapes of the native API (instants as RFC 3339 UTC strings). */

import type { Collection, Fire, Job, NodeInfo, Run, StepResult } from '../domain/types.js';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

export function jobView(job: Job): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: job.id,
    name: job.name,
    description: job.description,
    collection: job.collection,
    labels: job.labels,
    schedule: job.schedule,
    steps: job.steps,
    onFailure: job.onFailure,
    retry: job.retry,
    overlap: job.overlap,
    catchUp: job.catchUp,
    timeout: job.timeout,
    state: job.state,
    pause: job.pause && { reason: job.pause.reason, until: iso(job.pause.until), pausedAt: iso(job.pause.pausedAt), by: job.pause.by },
    status: {
      nextFireTime: iso(job.status.nextFireTime),
      lastFireTime: iso(job.status.lastFireTime),
      lastRun: job.status.lastRun,
      runCount: job.status.runCount,
      failureCount: job.status.failureCount,
    },
    version: job.version,
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
  };
  if (Object.keys(job.extensions).length) view['extensions'] = job.extensions;
  return view;
}

export function stepResultView(s: StepResult): Record<string, unknown> {
  return {
    stepIndex: s.stepIndex,
    position: s.position,
    phase: s.phase,
    name: s.name,
    type: s.type,
    status: s.status,
    attempt: s.attempt,
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    exitCode: s.exitCode,
    httpStatus: s.httpStatus,
    output: s.output,
    error: s.error,
  };
}

export function runView(run: Run, withOutput = true): Record<string, unknown> {
  return {
    id: run.id,
    jobId: run.jobId,
    trigger: run.trigger,
    scheduledFor: iso(run.scheduledFor),
    queuedAt: iso(run.queuedAt),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    status: run.status,
    attempt: run.attempt,
    retryOf: run.retryOf,
    nodeId: run.nodeId,
    payload: run.payload,
    error: run.error,
    steps: run.steps.map((s) => {
      const v = stepResultView(s);
      if (!withOutput) delete v['output'];
      return v;
    }),
  };
}

export function fireView(f: Fire): Record<string, unknown> {
  return { jobId: f.jobId, scheduledFor: iso(f.scheduledFor), firedAt: iso(f.firedAt), outcome: f.outcome, runId: f.runId, nodeId: f.nodeId };
}

export function collectionView(c: Collection): Record<string, unknown> {
  return { name: c.name, description: c.description, maxJobs: c.maxJobs, minInterval: c.minInterval, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt) };
}

export function nodeView(n: NodeInfo, now: number, running: string[]): Record<string, unknown> {
  return {
    id: n.id,
    host: n.host,
    pid: n.pid,
    state: n.state,
    version: n.version,
    startedAt: iso(n.startedAt),
    heartbeatAt: iso(n.heartbeatAt),
    heartbeatAgeMs: Math.max(0, now - n.heartbeatAt),
    clockSkewMs: n.clockSkewMs,
    running,
  };
}
