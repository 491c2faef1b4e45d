/** Rows as SQLite returns them, and their mapping to and from the domain types. */

import type {
  Collection,
  Fire,
  FireOutcome,
  Job,
  JobDefinition,
  JobState,
  NodeInfo,
  PauseInfo,
  Run,
  RunStatus,
  RunTrigger,
  StepResult,
  StepStatus,
  StepType,
} from '../../domain/types.js';
import type { ActiveRun, PendingFire } from '../store.js';

/** The part of a job definition kept as one JSON document (the rest has its own columns). */
type StoredDefinition = Omit<JobDefinition, 'name' | 'collection' | 'labels'>;

export interface JobRow {
  id: string;
  name: string;
  collection: string;
  state: JobState;
  version: number;
  created_at: number;
  updated_at: number;
  labels: string;
  pause: string | null;
  definition: string;
  next_fire_at: number | null;
  run_count: number | null;
  failure_count: number | null;
  last_run_id: string | null;
  last_run_status: RunStatus | null;
  last_fire_at: number | null;
}

export interface RunRow {
  id: string;
  job_id: string;
  trigger_kind: RunTrigger;
  scheduled_for: number | null;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
  status: RunStatus;
  attempt: number;
  retry_of: string | null;
  not_before: number | null;
  node_id: string | null;
  payload: string;
  error: string | null;
  /** JSON: one array per step (see stepsToJson). */
  steps: string;
}

export interface FireRow {
  job_id: string;
  scheduled_for: number;
  outcome: FireOutcome;
  fired_at: number | null;
  run_id: string | null;
  node_id: string | null;
}

export interface PendingFireRow {
  job_id: string;
  scheduled_for: number;
  node_id: string;
}

export interface ActiveRunRow {
  id: string;
  job_id: string;
  status: 'queued' | 'running';
  node_id: string | null;
}

export interface NodeRow {
  id: string;
  host: string;
  pid: number;
  started_at: number;
  heartbeat_at: number;
  clock_skew_ms: number;
  state: NodeInfo['state'];
  version: string;
}

export interface CollectionRow {
  name: string;
  description: string;
  max_jobs: number | null;
  min_interval: string | null;
  created_at: number;
  updated_at: number;
}

/** JSON text from the store, typed by the column it came from. */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** JSON text for a value; `undefined` is stored as null (JSON has no undefined). */
export function toJson(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

/** The columns of a `jobs` row, named as the parameters of INSERT_JOB and UPDATE_JOB. */
export interface JobColumns {
  id: string;
  name: string;
  name_folded: string;
  collection: string;
  state: JobState;
  version: number;
  created_at: number;
  updated_at: number;
  labels: string;
  pause: string | null;
  pause_until: number | null;
  definition: string;
}

export function jobColumns(job: Job): JobColumns {
  const definition: StoredDefinition = {
    description: job.description,
    schedule: job.schedule,
    steps: job.steps,
    onFailure: job.onFailure,
    retry: job.retry,
    overlap: job.overlap,
    catchUp: job.catchUp,
    timeout: job.timeout,
    extensions: job.extensions,
  };
  return {
    id: job.id,
    name: job.name,
    name_folded: job.name.toLowerCase(),
    collection: job.collection,
    state: job.state,
    version: job.version,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
    labels: JSON.stringify(job.labels),
    pause: job.pause === null ? null : JSON.stringify(job.pause),
    pause_until: job.pause?.until ?? null,
    definition: JSON.stringify(definition),
  };
}

export function rowToJob(row: JobRow): Job {
  const definition = parseJson<StoredDefinition>(row.definition);
  return {
    id: row.id,
    name: row.name,
    description: definition.description,
    collection: row.collection,
    labels: parseJson<Record<string, string>>(row.labels),
    schedule: definition.schedule,
    steps: definition.steps,
    onFailure: definition.onFailure,
    retry: definition.retry,
    overlap: definition.overlap,
    catchUp: definition.catchUp,
    timeout: definition.timeout,
    extensions: definition.extensions,
    state: row.state,
    pause: row.pause === null ? null : parseJson<PauseInfo>(row.pause),
    status: {
      nextFireTime: row.next_fire_at,
      lastFireTime: row.last_fire_at,
      lastRun:
        row.last_run_id === null || row.last_run_status === null
          ? null
          : { id: row.last_run_id, status: row.last_run_status },
      runCount: row.run_count ?? 0,
      failureCount: row.failure_count ?? 0,
    },
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The positions of a step result's fields in its JSON array (the order of migration 0003). */
type StepTuple = [
  StepResult['phase'], number, number, string | null, StepType, StepStatus, number,
  number | null, number | null, number | null, number | null, string, string | null,
];

/** A run's step results as stored in its row: an array of positional arrays (no field names per row). */
export function stepsToJson(steps: readonly StepResult[]): string {
  return JSON.stringify(
    steps.map((st): StepTuple => [
      st.phase, st.position, st.stepIndex, st.name, st.type, st.status, st.attempt,
      st.startedAt, st.finishedAt, st.exitCode, st.httpStatus, st.output, st.error,
    ]),
  );
}

export function stepsFromJson(json: string): StepResult[] {
  return (JSON.parse(json) as StepTuple[]).map(
    ([phase, position, stepIndex, name, type, status, attempt, startedAt, finishedAt, exitCode, httpStatus, output, error]) => ({
      stepIndex, position, phase, name, type, status, attempt, startedAt, finishedAt, exitCode, httpStatus, output, error,
    }),
  );
}

export function rowToRun(row: RunRow): Run {
  return {
    id: row.id,
    jobId: row.job_id,
    trigger: row.trigger_kind,
    scheduledFor: row.scheduled_for,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status,
    attempt: row.attempt,
    retryOf: row.retry_of,
    notBefore: row.not_before,
    nodeId: row.node_id,
    payload: parseJson<unknown>(row.payload),
    error: row.error,
    steps: stepsFromJson(row.steps),
  };
}

export function rowToFire(row: FireRow): Fire {
  return {
    jobId: row.job_id,
    scheduledFor: row.scheduled_for,
    firedAt: row.fired_at,
    outcome: row.outcome,
    runId: row.run_id,
    nodeId: row.node_id,
  };
}

export function rowToPendingFire(row: PendingFireRow): PendingFire {
  return { jobId: row.job_id, scheduledFor: row.scheduled_for, nodeId: row.node_id };
}

export function rowToActiveRun(row: ActiveRunRow): ActiveRun {
  return { id: row.id, jobId: row.job_id, status: row.status, nodeId: row.node_id };
}

export function rowToNode(row: NodeRow): NodeInfo {
  return {
    id: row.id,
    host: row.host,
    pid: row.pid,
    startedAt: row.started_at,
    heartbeatAt: row.heartbeat_at,
    clockSkewMs: row.clock_skew_ms,
    state: row.state,
    version: row.version,
  };
}

export function rowToCollection(row: CollectionRow): Collection {
  return {
    name: row.name,
    description: row.description,
    maxJobs: row.max_jobs,
    minInterval: row.min_interval,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
