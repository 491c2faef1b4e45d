/** Builders of domain values for the store contract suite: valid defaults, overridable per test. */

import type { Job, NodeInfo, StepResult } from '../../../src/domain/types.js';
import type { Acquisition, FireResolution, NewRun, RunFinish } from '../../../src/store/store.js';

/** 2026-11-22T06:00:00.000Z: every instant in the suite is an offset from it. */
export const T0 = Date.UTC(2026, 10, 22, 6, 0, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export function makeJob(id: string, overrides: Partial<Job> = {}): Job {
  return {
    id,
    name: `Job ${id}`,
    description: '',
    collection: 'default',
    labels: {},
    schedule: { type: 'interval', every: 'PT1S' },
    steps: [{ stepIndex: 0, type: 'noop' }],
    onFailure: [],
    retry: null,
    overlap: 'skip',
    catchUp: { policy: 'latest', window: 'PT1H' },
    timeout: null,
    extensions: {},
    state: 'enabled',
    pause: null,
    status: { nextFireTime: null, lastFireTime: null, lastRun: null, runCount: 0, failureCount: 0 },
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** A job using every part of the definition, to prove the round trip loses nothing. */
export function makeRichJob(id: string): Job {
  return makeJob(id, {
    name: 'Nightly report',
    description: 'Exports and notifies',
    labels: { team: 'billing', tier: 'gold' },
    schedule: {
      type: 'cron',
      expression: '0 30 2 * * ?',
      dialect: 'quartz',
      timeZone: 'Europe/London',
      dst: 'compatible',
    },
    steps: [
      {
        stepIndex: 0,
        name: 'export',
        type: 'exec',
        command: '/usr/local/bin/export',
        args: ['--full'],
        timeout: 'PT10M',
      },
      {
        stepIndex: 1,
        name: 'notify',
        type: 'http',
        request: { method: 'POST', url: 'https://hooks.example.com/x', headers: { 'x-a': '1' }, body: '{}' },
        continueOnFailure: true,
        expectStatus: [200, 202],
      },
      { stepIndex: 1, type: 'shell', script: 'echo "ünïcödé" && exit 0' },
    ],
    onFailure: [{ stepIndex: 0, type: 'sql', connection: 'sqlite::memory:', sql: 'SELECT 1' }],
    retry: {
      maxAttempts: 3,
      backoff: 'exponential',
      interval: 'PT30S',
      maxInterval: 'PT10M',
      onExhausted: 'fault',
    },
    overlap: 'bufferOne',
    catchUp: { policy: 'all', window: 'PT2H' },
    timeout: 'PT1H',
    extensions: { azure: { jobCollection: 'c1', nested: [1, { a: null }] }, idm: { persisted: true } },
    state: 'paused',
    pause: { reason: 'maintenance', until: T0 + 3_600_000, pausedAt: T0, by: 'alice' },
    version: 3,
    createdAt: T0 - 86_400_000,
    updatedAt: T0 - 1000,
  });
}

/** The job as the store returns it: status assembled from the trigger and the counters. */
export function withStatus(job: Job, status: Partial<Job['status']>): Job {
  return { ...job, status: { ...job.status, ...status } };
}

export function makeRun(id: string, jobId: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    id,
    jobId,
    trigger: 'schedule',
    scheduledFor: T0,
    queuedAt: T0,
    status: 'queued',
    nodeId: null,
    startedAt: null,
    attempt: 1,
    retryOf: null,
    notBefore: null,
    payload: null,
    exclusive: false,
    ...overrides,
  };
}

export function makeStep(position: number, overrides: Partial<StepResult> = {}): StepResult {
  return {
    stepIndex: position,
    position,
    phase: 'main',
    name: `step ${position}`,
    type: 'exec',
    status: 'succeeded',
    attempt: 1,
    startedAt: T0 + position * SECOND,
    finishedAt: T0 + (position + 1) * SECOND,
    exitCode: 0,
    httpStatus: null,
    output: `output of ${position}`,
    error: null,
    ...overrides,
  };
}

export function makeFinish(id: string, jobId: string, overrides: Partial<RunFinish> = {}): RunFinish {
  return {
    id,
    jobId,
    status: 'succeeded',
    startedAt: T0,
    finishedAt: T0 + 5 * SECOND,
    error: null,
    steps: [],
    failed: false,
    ...overrides,
  };
}

export function makeAcquisition(
  jobId: string,
  version: number,
  fires: number[],
  nextFireAt: number | null,
): Acquisition {
  return { jobId, version, fires, nextFireAt, completed: false };
}

/** Resolves a fire into a run (outcome `run`) with the given run id. */
export function runResolution(
  jobId: string,
  scheduledFor: number,
  runId: string,
  nodeId = 'node-a',
): FireResolution {
  return {
    jobId,
    scheduledFor,
    outcome: 'run',
    firedAt: scheduledFor + 3,
    run: makeRun(runId, jobId, {
      scheduledFor,
      queuedAt: scheduledFor + 3,
      status: 'running',
      nodeId,
      startedAt: scheduledFor + 3,
    }),
  };
}

export function makeNode(id: string, overrides: Partial<NodeInfo> = {}): NodeInfo {
  return {
    id,
    host: 'host-1',
    pid: 4242,
    startedAt: T0,
    heartbeatAt: T0,
    clockSkewMs: 0,
    state: 'active',
    version: '0.1.0',
    ...overrides,
  };
}
