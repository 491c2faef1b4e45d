/** The JSON shapes of the native REST API (v1) that the dashboard reads; see PRODUCT.md. */

export interface Page<T> {
  items: T[];
  pagination: { limit: number; offset: number; total: number };
}

export type JobState = 'enabled' | 'paused' | 'completed' | 'faulted';
export type RunStatus =
  'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timedOut' | 'interrupted';
export type StepStatus =
  'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timedOut' | 'skipped';

/** A schedule as the API takes it; the editor handles every kind. */
export type Schedule = { type: string } & Record<string, unknown>;

/** A step as the API takes it (fields per type; unknown ones are kept as they are when editing). */
export type Step = { type: string; stepIndex: number; name?: string } & Record<string, unknown>;

export interface Job {
  id: string;
  name: string;
  description: string;
  collection: string;
  labels: Record<string, string>;
  schedule: Schedule;
  steps: Step[];
  onFailure?: Step[];
  retry: unknown;
  overlap: string;
  catchUp: { policy?: string; window?: string } | null;
  timeout: string | null;
  state: JobState;
  pause: { reason: string | null; until: string | null; pausedAt: string | null; by: string | null } | null;
  status: {
    nextFireTime: string | null;
    lastFireTime: string | null;
    lastRun: { id: string; status: RunStatus } | null;
    runCount: number;
    failureCount: number;
  };
  version: number;
  createdAt: string;
  updatedAt: string;
  extensions?: Record<string, unknown>;
}

export interface StepResult {
  stepIndex: number;
  position: number;
  phase: 'main' | 'onFailure';
  name: string | null;
  type: string;
  status: StepStatus;
  attempt: number;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  httpStatus: number | null;
  output?: string;
  error: string | null;
}

export interface Run {
  id: string;
  jobId: string;
  trigger: string;
  scheduledFor: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  status: RunStatus;
  attempt: number;
  nodeId: string | null;
  payload: unknown;
  error: string | null;
  steps: StepResult[];
}

export interface Fire {
  jobId: string;
  scheduledFor: string;
  firedAt: string | null;
  outcome: 'pending' | 'run' | 'skipped' | 'missed' | 'excluded';
  runId: string | null;
  nodeId: string | null;
}

export interface FirePage extends Page<Fire> {
  next: { scheduledFor: string }[];
}

export interface PreviewFire {
  at: string;
  local: string;
  offset: string;
  dst: 'shifted' | 'repeated' | null;
  note?: string;
}

export interface Preview {
  valid: boolean;
  type: string | null;
  dialect: 'unix' | 'quartz' | null;
  timeZone: string | null;
  description: string | null;
  cron: string | null;
  nextFireTimes: PreviewFire[];
  warnings: { code: string; message: string }[];
  errors: { pointer: string; message: string; field?: string; position?: number }[];
}

export interface SchedulerStatus {
  state: 'started' | 'standby';
  nodeId: string;
  nodes: number;
  counts: Record<string, number>;
}

export interface NodeView {
  id: string;
  host: string;
  pid: number;
  state: string;
  version: string;
  startedAt: string | null;
  heartbeatAt: string | null;
  heartbeatAgeMs: number;
  clockSkewMs: number | null;
  running: string[];
}

export interface TriggerView {
  jobId: string;
  scheduledFor: string;
  state: 'acquired' | 'waiting';
  nodeId: string | null;
}

export const TERMINAL: ReadonlySet<string> = new Set([
  'succeeded',
  'failed',
  'cancelled',
  'timedOut',
  'interrupted',
]);
