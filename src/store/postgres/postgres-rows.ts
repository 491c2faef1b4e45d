/**
 * Rows as pg returns them (JSONB already parsed, BIGINT as numbers: see postgres-connection.ts), and
 * their mapping to and from the domain types.
 */

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
  labels: Record<string, string>;
  pause: PauseInfo | null;
  definition: StoredDefinition;
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
  payload: unknown;
  error: string | null;
}

export interface StepRow {
  run_id: string;
  phase: StepResult['phase'];
  position: number;
  step_index: number;
  name: string | null;
  type: StepType;
  status: StepStatus;
  attempt: number;
  started_at: number | null;
  finished_at: number | null;
  exit_code: number | null;
  http_status: number | null;
  output: string;
  error: string | null;
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

/** JSON text for a JSONB parameter; `undefined` is stored as null (JSON has no undefined). */
export function toJson(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

/**
 * Captured output and error text as PostgreSQL can store it: a TEXT value cannot hold NUL, which a
 * process may well print, so each NUL becomes U+FFFD rather than failing the whole finish.
 */
export function storableText<T extends string | null>(text: T): T {
  return (text !== null && text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text) as T;
}

/** The columns of a `jobs` row, JSON as text for JSONB parameters. */
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
    labels: toJson(job.labels),
    pause: job.pause === null ? null : toJson(job.pause),
    pause_until: job.pause?.until ?? null,
    definition: toJson(definition),
  };
}

export function rowToJob(row: JobRow): Job {
  const definition = row.definition;
  return {
    id: row.id,
    name: row.name,
    description: definition.description,
    collection: row.collection,
    labels: row.labels,
    schedule: definition.schedule,
    steps: definition.steps,
    onFailure: definition.onFailure,
    retry: definition.retry,
    overlap: definition.overlap,
    catchUp: definition.catchUp,
    timeout: definition.timeout,
    extensions: definition.extensions,
    state: row.state,
    pause: row.pause,
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

export function rowToStep(row: StepRow): StepResult {
  return {
    stepIndex: row.step_index,
    position: row.position,
    phase: row.phase,
    name: row.name,
    type: row.type,
    status: row.status,
    attempt: row.attempt,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    exitCode: row.exit_code,
    httpStatus: row.http_status,
    output: row.output,
    error: row.error,
  };
}

export function rowToRun(row: RunRow, steps: StepResult[]): Run {
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
    payload: row.payload,
    error: row.error,
    steps,
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
