/**
 * sked's domain model. No I/O here: every other layer speaks these types.
 *
 * Glossary
 * - job: a named definition: a schedule, an ordered list of steps, and policies (retry, overlap,
 *   catch-up, timeout). Jobs live in a collection (a namespace with quotas; `default` unless named).
 * - schedule: when a job fires. Every kind answers one question: the next fire instant after a given
 *   instant (see `schedule/`).
 * - fire: one nominal occurrence of a schedule (job id + scheduled instant), written to the fire ledger
 *   exactly once with its outcome. (job id, scheduled instant) is unique in the store.
 * - run: one execution of a job's steps, from a fire, a manual trigger, a retry, or a catch-up.
 * - step: one unit of work in a run. Steps with the same stepIndex run in parallel; groups run in
 *   ascending stepIndex order.
 * - node: one running sked server process. Nodes heartbeat into the store and lease the fires they
 *   acquire.
 *
 * Instants are carried as epoch milliseconds (numbers) inside the process and rendered as RFC 3339 UTC
 * strings with milliseconds at the API edge. Durations are ISO 8601 strings in definitions (`PT30S`)
 * and milliseconds once parsed.
 */

/** Epoch milliseconds. */
export type Instant = number;

// ---------------------------------------------------------------------------------------------
// Schedules
// ---------------------------------------------------------------------------------------------

/** How a wall-clock time that does not exist, or exists twice, on a DST change is fired. */
export type DstPolicy = 'compatible' | 'quartz';
export type CronDialect = 'auto' | 'unix' | 'quartz';

interface ScheduleBounds {
  /** RFC 3339 instant: no fire before it. */
  startAt?: string | undefined;
  /** RFC 3339 instant: no fire after it. */
  endAt?: string | undefined;
  dst?: DstPolicy | undefined;
}

export interface CronSchedule extends ScheduleBounds {
  type: 'cron';
  expression: string;
  dialect?: CronDialect | undefined;
  timeZone?: string | undefined;
}

export interface IntervalSchedule extends ScheduleBounds {
  type: 'interval';
  /** ISO 8601 duration of fixed length (weeks, days, hours, minutes, seconds). */
  every: string;
  /** How many times to fire after the first (IDM/Quartz simple trigger semantics): total = repeatCount + 1. */
  repeatCount?: number | undefined;
}

export interface OnceSchedule extends ScheduleBounds {
  type: 'once';
  at: string;
}

export interface DailySchedule extends ScheduleBounds {
  type: 'daily';
  /** 0 = Sunday .. 6 = Saturday. */
  daysOfWeek: number[];
  /** `HH:MM` or `HH:MM:SS`, 24-hour. */
  times: string[];
  timeZone?: string | undefined;
}

export interface WindowSchedule extends ScheduleBounds {
  type: 'window';
  daysOfWeek: number[];
  /** ISO 8601 duration, minutes or hours. */
  every: string;
  /** `HH:MM`: first fire of the day. */
  from: string;
  /** `HH:MM`: fires only before this time of day (exclusive), like the cron range it derives to. */
  to: string;
  timeZone?: string | undefined;
}

export type RecurrenceFrequency = 'minute' | 'hour' | 'day' | 'week' | 'month';
export type WeekDay = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';

export interface RecurrenceSchedule extends ScheduleBounds {
  type: 'recurrence';
  frequency: RecurrenceFrequency;
  interval?: number | undefined;
  schedule?:
    | {
        minutes?: number[] | undefined;
        hours?: number[] | undefined;
        weekDays?: WeekDay[] | undefined;
        monthDays?: number[] | undefined;
        monthlyOccurrences?: { day: WeekDay; occurrence: number }[] | undefined;
      }
    | undefined;
  /** Total number of fires. */
  count?: number | undefined;
  endTime?: string | undefined;
  timeZone?: string | undefined;
}

export interface ManualSchedule extends ScheduleBounds {
  type: 'manual';
}

export type ScheduleSpec =
  | CronSchedule
  | IntervalSchedule
  | OnceSchedule
  | DailySchedule
  | WindowSchedule
  | RecurrenceSchedule
  | ManualSchedule;

export type ScheduleType = ScheduleSpec['type'];

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

export interface RetryPolicy {
  /** Total attempts including the first. 1 = no retry. */
  maxAttempts: number;
  backoff: 'fixed' | 'exponential';
  /** ISO 8601 duration before the first retry. */
  interval: string;
  /** Cap for exponential backoff. */
  maxInterval?: string | undefined;
  /** When the last attempt fails: `fault` puts the job in state `faulted` (no further fires). */
  onExhausted?: 'continue' | 'fault' | undefined;
}

interface StepBase {
  stepIndex: number;
  name?: string | undefined;
  continueOnFailure?: boolean | undefined;
  timeout?: string | undefined;
  retry?: RetryPolicy | undefined;
}

export type HttpAuth =
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string };

export interface HttpStep extends StepBase {
  type: 'http';
  request: {
    method?: string | undefined;
    url: string;
    headers?: Record<string, string> | undefined;
    body?: string | undefined;
    auth?: HttpAuth | undefined;
  };
  /** Statuses counted as success; default any 2xx. */
  expectStatus?: number[] | undefined;
}

export interface ExecStep extends StepBase {
  type: 'exec';
  command: string;
  args?: string[] | undefined;
  cwd?: string | undefined;
  env?: Record<string, string> | undefined;
}

export interface ShellStep extends StepBase {
  type: 'shell';
  script: string;
  /** Interpreter; default `/bin/sh`. */
  shell?: string | undefined;
  cwd?: string | undefined;
  env?: Record<string, string> | undefined;
}

export interface SqlStep extends StepBase {
  type: 'sql';
  /** `sqlite:PATH` or `postgres://...`. */
  connection: string;
  sql: string;
}

/** Does nothing (optionally for a while): for tests, benchmarks and placeholders. */
export interface NoopStep extends StepBase {
  type: 'noop';
  /** ISO 8601 duration to wait before succeeding. */
  delay?: string | undefined;
}

/**
 * An action that belongs to a compatibility surface's own platform (IDM invokeService, JIM RunProfile,
 * Infinni HandlerType, Puppet tasks and plans, Azure queue and Service Bus messages): kept verbatim and
 * run as an HTTP POST of the original fields to the URL the operator configures for that surface.
 */
export interface DispatchStep extends StepBase {
  type: 'dispatch';
  /** The surface: idm, azure, puppet, infinni or jim. */
  surface: string;
  /** What to do, with the surface's original fields. */
  action: Record<string, unknown>;
}

export type Step = HttpStep | ExecStep | ShellStep | SqlStep | NoopStep | DispatchStep;
export type StepType = Step['type'];

// ---------------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------------

export type JobState = 'enabled' | 'paused' | 'completed' | 'faulted';
/** What happens to a fire while the job's previous run is still going. */
export type OverlapPolicy = 'allow' | 'skip' | 'bufferOne' | 'cancelOther';
/** What happens to fires missed while no node was running. */
export type CatchUpPolicy = 'none' | 'latest' | 'all';

export interface PauseInfo {
  reason: string | null;
  until: Instant | null;
  pausedAt: Instant;
  by: string | null;
}

export interface JobStatus {
  nextFireTime: Instant | null;
  lastFireTime: Instant | null;
  lastRun: { id: string; status: RunStatus } | null;
  runCount: number;
  failureCount: number;
}

/** The user-editable part of a job: what the API accepts (after defaults are applied). */
export interface JobDefinition {
  name: string;
  description: string;
  collection: string;
  labels: Record<string, string>;
  schedule: ScheduleSpec;
  steps: Step[];
  /** Steps run when a run fails (Azure's error action). */
  onFailure: Step[];
  retry: RetryPolicy | null;
  overlap: OverlapPolicy;
  catchUp: { policy: CatchUpPolicy; window: string };
  timeout: string | null;
  /** Free-form fields kept verbatim for the compatibility surfaces (keyed by surface name). */
  extensions: Record<string, unknown>;
}

export interface Job extends JobDefinition {
  id: string;
  state: JobState;
  pause: PauseInfo | null;
  status: JobStatus;
  version: number;
  createdAt: Instant;
  updatedAt: Instant;
}

// ---------------------------------------------------------------------------------------------
// Runs and fires
// ---------------------------------------------------------------------------------------------

export type RunTrigger = 'schedule' | 'manual' | 'retry' | 'catchUp' | 'backfill';
export type RunStatus =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'timedOut'
  | 'interrupted';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timedOut' | 'skipped';

export const TERMINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set([
  'succeeded',
  'failed',
  'cancelled',
  'timedOut',
  'interrupted',
]);

export interface StepResult {
  stepIndex: number;
  /** Position of the step in the job's step list (or onFailure list) — several steps share a stepIndex. */
  position: number;
  phase: 'main' | 'onFailure';
  name: string | null;
  type: StepType;
  status: StepStatus;
  attempt: number;
  startedAt: Instant | null;
  finishedAt: Instant | null;
  exitCode: number | null;
  httpStatus: number | null;
  output: string;
  error: string | null;
}

export interface Run {
  id: string;
  jobId: string;
  trigger: RunTrigger;
  scheduledFor: Instant | null;
  queuedAt: Instant;
  startedAt: Instant | null;
  finishedAt: Instant | null;
  status: RunStatus;
  attempt: number;
  /** For retries: the run this one retries. */
  retryOf: string | null;
  /** Earliest instant the run may start (retry backoff). */
  notBefore: Instant | null;
  nodeId: string | null;
  payload: unknown;
  error: string | null;
  steps: StepResult[];
}

export type FireOutcome = 'pending' | 'run' | 'skipped' | 'missed' | 'excluded';

export interface Fire {
  jobId: string;
  scheduledFor: Instant;
  firedAt: Instant | null;
  outcome: FireOutcome;
  runId: string | null;
  nodeId: string | null;
}

export interface Collection {
  name: string;
  description: string;
  /** Maximum number of jobs; null = unlimited. */
  maxJobs: number | null;
  /** Minimum interval between fires of any job in the collection, ISO 8601; null = none. */
  minInterval: string | null;
  createdAt: Instant;
  updatedAt: Instant;
}

export interface NodeInfo {
  id: string;
  host: string;
  pid: number;
  startedAt: Instant;
  heartbeatAt: Instant;
  /** Measured skew of this node's clock against the store's clock, ms (positive = node ahead). */
  clockSkewMs: number;
  state: 'active' | 'standby' | 'stopping';
  version: string;
}

// ---------------------------------------------------------------------------------------------
// Access
// ---------------------------------------------------------------------------------------------

export type Role = 'admin' | 'operator' | 'viewer';

/** An API key as stored: never the secret, only its hash and the visible prefix that finds it. */
export interface ApiKey {
  /** The visible prefix, e.g. `sked_1a2b3c4d` (unique; the lookup key). */
  id: string;
  name: string;
  role: Role;
  /** Hex SHA-256 of the whole key. */
  hash: string;
  createdAt: Instant;
  createdBy: string | null;
  expiresAt: Instant | null;
  revokedAt: Instant | null;
  lastUsedAt: Instant | null;
}

/** One change or operator action, appended to the audit log (secrets already redacted). */
export interface AuditEntry {
  id: string;
  at: Instant;
  actor: { kind: string; id: string | null; name: string };
  /** e.g. `job.create`, `job.trigger`, `run.cancel`, `key.revoke`, `scheduler.standby`. */
  action: string;
  target: { type: string; id: string | null };
  before: unknown;
  after: unknown;
}
