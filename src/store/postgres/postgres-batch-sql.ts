/**
 * The batched hot-path statements, and the column arrays they take. Each takes a whole batch as arrays
 * (`unnest($n::type[])`) and does its work in ONE statement, so committing, resolving or finishing N
 * fires costs one round trip, whatever N. Data-modifying CTEs all see the statement's snapshot. Two
 * nodes write the same rows only in rare races (a lease taken over, a stale node): the session runs a
 * statement that deadlocked in one of them again. The tables written here have no foreign keys (see
 * migration 0001); each statement says what keeps its rows attached to a job.
 */

import type { StepResult } from '../../domain/types.js';
import type { NewRun } from '../store.js';
import { storableText, toJson } from './postgres-rows.js';
import { RUN_COLUMNS } from './postgres-sql.js';

/** The column arrays of INSERT_RUNS ($1 … $13), one element per run. */
export function runArrays(runs: readonly NewRun[]): unknown[][] {
  return [
    runs.map((r) => r.id),
    runs.map((r) => r.jobId),
    runs.map((r) => r.trigger),
    runs.map((r) => r.scheduledFor),
    runs.map((r) => r.queuedAt),
    runs.map((r) => r.startedAt),
    runs.map((r) => r.status),
    runs.map((r) => r.attempt),
    runs.map((r) => r.retryOf),
    runs.map((r) => r.notBefore),
    runs.map((r) => r.nodeId),
    runs.map((r) => r.exclusive),
    runs.map((r) => toJson(r.payload)),
  ];
}

/** The column arrays of a batch of step results, each in the order given within its run. */
export function stepArrays(
  steps: readonly { runId: string; ordinal: number; step: StepResult }[],
): unknown[][] {
  return [
    steps.map((s) => s.runId),
    steps.map((s) => s.ordinal),
    steps.map((s) => s.step.phase),
    steps.map((s) => s.step.position),
    steps.map((s) => s.step.stepIndex),
    steps.map((s) => s.step.name),
    steps.map((s) => s.step.type),
    steps.map((s) => s.step.status),
    steps.map((s) => s.step.attempt),
    steps.map((s) => s.step.startedAt),
    steps.map((s) => s.step.finishedAt),
    steps.map((s) => s.step.exitCode),
    steps.map((s) => s.step.httpStatus),
    steps.map((s) => storableText(s.step.output)),
    steps.map((s) => storableText(s.step.error)),
  ];
}

/** The runs of a batch, as `n(…)`: $a … $a+12 in the order of runArrays(). */
function newRuns(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::bigint[], ${p(4)}::bigint[],
              ${p(5)}::bigint[], ${p(6)}::text[], ${p(7)}::int[], ${p(8)}::text[], ${p(9)}::bigint[],
              ${p(10)}::text[], ${p(11)}::bool[], ${p(12)}::text[])
    AS n(id, job_id, trigger_kind, scheduled_for, queued_at, started_at, status, attempt, retry_of,
         not_before, node_id, exclusive, payload)`;
}

const INSERT_RUN_COLUMNS = `INSERT INTO runs (id, job_id, trigger_kind, scheduled_for, queued_at, started_at, status,
                  attempt, retry_of, not_before, node_id, exclusive, payload)`;
const SELECT_RUN_COLUMNS = `SELECT n.id, n.job_id, n.trigger_kind, n.scheduled_for, n.queued_at, n.started_at,
         n.status, n.attempt, n.retry_of, n.not_before, n.node_id, n.exclusive, n.payload::jsonb`;

/** Moves each job's last_fire_at forward to its latest fire written with outcome `run`. */
/**
 * The rows of a batch (the CTE `batch`, aliased `b`) joined to the row of `table` (aliased `t`) that
 * each names (`where`, by its key), locked, as `tid` (that row's ctid). Each row is
 * found by its own index lookup whatever the planner's statistics say: a plain UPDATE … FROM joined on
 * the keys was planned from stale estimates of a partial index (pending fires, active runs) as a hash
 * join over every entry that index holds, dead ones included (a bitmap scan never marks them dead, and
 * every run finished leaves one in runs_active until vacuum): millions of entries read per second. The
 * lock makes the ctid the current version's until commit, so an UPDATE by it changes exactly the row
 * found (a row changed meanwhile is looked at again after the lock, and skipped when it no longer
 * matches, as a plain UPDATE would). The UPDATE names its rows as `ctid = f.tid AND ctid = ANY(ARRAY(SELECT
 * tid FROM target))`, so that it reads them by TID whatever the table's size (joined on ctid alone, it
 * was planned as a hash join over a sequential scan of the table).
 */
const LOCK_BY_KEY = (batch: string, b: string, table: string, t: string, where: string) =>
  `SELECT ${b}.*, l.tid FROM ${batch} ${b}
  CROSS JOIN LATERAL (SELECT ${t}.ctid AS tid FROM ${table} ${t} WHERE ${where} LIMIT 1 FOR UPDATE) l`;

const RECORD_FIRES = (written: string) => `
UPDATE job_stats s SET last_fire_at = GREATEST(s.last_fire_at, x.at)
FROM (SELECT job_id, max(scheduled_for) AS at FROM ${written} WHERE outcome = 'run' GROUP BY job_id) x
WHERE s.job_id = x.job_id`;

/**
 * $1 … $13: the run columns. Their jobs are locked first (against a concurrent deleteJob, as a foreign
 * key would); a run whose job does not exist is left out, and the ids inserted are returned.
 */
export const INSERT_RUNS = `
WITH job AS (SELECT id FROM jobs WHERE id = ANY($2::text[]) FOR KEY SHARE)
${INSERT_RUN_COLUMNS}
${SELECT_RUN_COLUMNS}
FROM ${newRuns(1)}
WHERE n.job_id IN (SELECT id FROM job)
RETURNING id`;

/**
 * $1 node; acquisitions $2 job ids, $3 versions, $4 next fires, $5 completed; fires $6 job ids, $7
 * instants. An acquisition holds when its trigger is still leased to the node and its job still at the
 * version: those rows are locked (the trigger for update, the job against a concurrent change or
 * deletion), so a lease taken over or a job changed meanwhile is seen, after the lock, and dropped; the
 * fires inserted belong to a job locked until commit. Returns the fires inserted, then the held
 * acquisitions that exhausted their schedule (scheduled_for null): those jobs are completed by
 * COMPLETE_EXHAUSTED_JOBS once this has committed.
 */
export const COMMIT_ACQUISITIONS = `
WITH acquisition AS (
  SELECT * FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bool[])
    AS a(job_id, version, next_fire_at, completed)
), held AS (
  SELECT t.job_id, a.next_fire_at, a.completed
  FROM acquisition a
  JOIN triggers t ON t.job_id = a.job_id
  JOIN jobs j ON j.id = a.job_id
  WHERE t.lease_node = $1 AND j.version = a.version
  ORDER BY t.job_id
  FOR UPDATE OF t FOR SHARE OF j
), inserted AS (
  INSERT INTO fire_ledger (job_id, scheduled_for, outcome, node_id)
  SELECT f.job_id, f.scheduled_for, 'pending', $1
  FROM unnest($6::text[], $7::bigint[]) AS f(job_id, scheduled_for)
  WHERE f.job_id IN (SELECT job_id FROM held)
  ORDER BY f.job_id, f.scheduled_for
  ON CONFLICT (job_id, scheduled_for) DO NOTHING
  RETURNING job_id, scheduled_for
), advanced AS (
  UPDATE triggers t SET next_fire_at = h.next_fire_at, lease_node = NULL, lease_until = NULL
  FROM held h WHERE t.job_id = h.job_id
)
SELECT job_id, scheduled_for FROM inserted
UNION ALL
SELECT job_id, NULL FROM held WHERE completed`;

/**
 * $1 node; resolutions $2 job ids, $3 instants, $4 outcomes, $5 fired-at, $6 run ids; their runs $7 …
 * $19. Only still-pending rows change: a row another node resolves meanwhile is re-checked after its
 * lock and left alone. A run is inserted only when the fire that names it was resolved here: that
 * ledger row stays locked until commit, so a concurrent deleteJob, which deletes the job's fires before
 * its runs, waits and then deletes this run too.
 */
export const RESOLVE_FIRES = `
WITH resolution AS (
  SELECT * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::text[])
    AS r(job_id, scheduled_for, outcome, fired_at, run_id)
), target AS (
  ${LOCK_BY_KEY('resolution', 'r', 'fire_ledger', 'f', `f.job_id = r.job_id AND f.scheduled_for = r.scheduled_for AND f.outcome = 'pending'`)}
), resolved AS (
  UPDATE fire_ledger f SET outcome = r.outcome, fired_at = r.fired_at, run_id = r.run_id, node_id = $1
  FROM target r
  WHERE f.ctid = r.tid AND f.ctid = ANY(ARRAY(SELECT tid FROM target))
  RETURNING f.job_id, f.scheduled_for, f.outcome, f.run_id
), new_runs AS (
  ${INSERT_RUN_COLUMNS}
  ${SELECT_RUN_COLUMNS}
  FROM ${newRuns(7)}
  JOIN resolved x ON x.run_id = n.id
), stats AS (${RECORD_FIRES('resolved')})
SELECT job_id, scheduled_for FROM resolved`;

/**
 * Fires written straight to their outcome: $1 job ids, $2 instants, $3 outcomes, $4 fired-at, $5 run
 * ids, $6 node ids, then $7 … $19 the columns of their runs; a run is inserted with the fire that
 * names it. Fires of a missing job and keys already written are skipped.
 */
export const INSERT_DIRECT_FIRES = `
WITH job AS (
  -- locked against a concurrent deleteJob, as a foreign key would
  SELECT id FROM jobs WHERE id = ANY($1::text[]) FOR KEY SHARE
), inserted AS (
  INSERT INTO fire_ledger (job_id, scheduled_for, outcome, fired_at, run_id, node_id)
  SELECT f.job_id, f.scheduled_for, f.outcome, f.fired_at, f.run_id, f.node_id
  FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[])
    AS f(job_id, scheduled_for, outcome, fired_at, run_id, node_id)
  WHERE f.job_id IN (SELECT id FROM job)
  ORDER BY f.job_id, f.scheduled_for
  ON CONFLICT (job_id, scheduled_for) DO NOTHING
  RETURNING job_id, scheduled_for, outcome, run_id
), new_runs AS (
  ${INSERT_RUN_COLUMNS}
  ${SELECT_RUN_COLUMNS}
  FROM ${newRuns(7)}
  JOIN inserted x ON x.run_id = n.id
), stats AS (${RECORD_FIRES('inserted')})
SELECT job_id, scheduled_for FROM inserted`;

/**
 * $1 run ids, $2 statuses, $3 started-at, $4 finished-at, $5 errors, $6 failed, $7 batch positions;
 * their steps $8 … $22. Only queued or running runs change (finishing a finished run is a no-op); steps
 * are written only for runs changed here, which stay locked until commit (a concurrent deletion of
 * the run waits, then deletes them). The counters move once per run finished, and lastRun is each
 * job's last one in the batch.
 */
export const FINISH_RUNS = `
WITH finish AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::bool[], $7::int[])
    AS f(id, status, started_at, finished_at, error, failed, nth)
), target AS (
  ${LOCK_BY_KEY('finish', 'f', 'runs', 'r', `r.id = f.id AND r.status IN ('queued', 'running')`)}
), finished AS (
  UPDATE runs r SET status = f.status, started_at = COALESCE(f.started_at, r.started_at),
                    finished_at = f.finished_at, error = f.error
  FROM target f
  WHERE r.ctid = f.tid AND r.ctid = ANY(ARRAY(SELECT tid FROM target))
  RETURNING r.id, r.job_id, f.status, f.failed, f.nth
), steps AS (
  INSERT INTO step_results (run_id, ordinal, phase, position, step_index, name, type, status, attempt,
                            started_at, finished_at, exit_code, http_status, output, error)
  SELECT s.run_id, s.ordinal, s.phase, s.position, s.step_index, s.name, s.type, s.status, s.attempt,
         s.started_at, s.finished_at, s.exit_code, s.http_status, s.output, s.error
  FROM unnest($8::text[], $9::int[], $10::text[], $11::int[], $12::int[], $13::text[], $14::text[],
              $15::text[], $16::int[], $17::bigint[], $18::bigint[], $19::int[], $20::int[], $21::text[],
              $22::text[])
    AS s(run_id, ordinal, phase, position, step_index, name, type, status, attempt, started_at,
         finished_at, exit_code, http_status, output, error)
  WHERE s.run_id IN (SELECT id FROM finished)
), stats AS (
  UPDATE job_stats s
  SET run_count = s.run_count + x.n, failure_count = s.failure_count + x.failures,
      last_run_id = x.last_id, last_run_status = x.last_status
  FROM (SELECT job_id, count(*)::int AS n, (count(*) FILTER (WHERE failed))::int AS failures,
               (array_agg(id ORDER BY nth DESC))[1] AS last_id,
               (array_agg(status ORDER BY nth DESC))[1] AS last_status
        FROM finished GROUP BY job_id) x
  WHERE s.job_id = x.job_id
)
SELECT count(*)::int AS n FROM finished`;

/**
 * Marks the running runs of nodes $3 interrupted at $1 with error $2, counted as finished and failed
 * (lastRun: each job's latest queued one), and returns them oldest first.
 */
export const INTERRUPT_RUNS = `
WITH interrupted AS (
  UPDATE runs SET status = 'interrupted', finished_at = $1, error = $2
  WHERE status = 'running' AND node_id = ANY($3::text[])
  RETURNING ${RUN_COLUMNS}
), stats AS (
  UPDATE job_stats s
  SET run_count = s.run_count + x.n, failure_count = s.failure_count + x.n,
      last_run_id = x.last_id, last_run_status = 'interrupted'
  FROM (SELECT job_id, count(*)::int AS n, (array_agg(id ORDER BY queued_at DESC, id DESC))[1] AS last_id
        FROM interrupted GROUP BY job_id) x
  WHERE s.job_id = x.job_id
)
SELECT ${RUN_COLUMNS} FROM interrupted ORDER BY queued_at, id`;

// --- the run queue (claimQueuedRuns) -------------------------------------------------------------------

/**
 * One page of the queue after the key ($1 queued_at, $2 id), oldest first, eligible at $3, at most $4
 * rows, locked (rows another node is claiming are skipped). An exclusive run whose job has a running
 * run is not even read: however many of them wait, a page holds only runs that may start.
 */
export const QUEUED_RUNS_PAGE = `
SELECT r.id, r.job_id, r.queued_at, r.exclusive FROM runs r
WHERE r.status = 'queued' AND (r.queued_at, r.id) > ($1::bigint, $2::text)
  AND (r.not_before IS NULL OR r.not_before <= $3)
  AND (NOT r.exclusive
       OR NOT EXISTS (SELECT 1 FROM runs x WHERE x.job_id = r.job_id AND x.status = 'running'))
ORDER BY r.queued_at, r.id
LIMIT $4
FOR UPDATE OF r SKIP LOCKED`;

/**
 * Takes, without waiting, a transaction-scoped advisory lock per job ($2 ids): exclusive where the job
 * has an exclusive candidate ($3), shared otherwise, in lock space $1. Returns the jobs locked: another
 * node starting a run of one of the others right now makes this node leave that job for its next call.
 */
export const LOCK_QUEUE_JOBS = `
SELECT l.job_id FROM unnest($2::text[], $3::bool[]) AS l(job_id, exclusive)
WHERE CASE WHEN l.exclusive THEN pg_try_advisory_xact_lock(hashtext($1), hashtext(l.job_id))
           ELSE pg_try_advisory_xact_lock_shared(hashtext($1), hashtext(l.job_id)) END`;

/**
 * Starts runs $3 on node $1 at $2. Being a new statement after the job locks, its snapshot sees every
 * run another node started and committed before: an exclusive run whose job now has a running run is
 * left queued.
 */
export const START_RUNS = `
UPDATE runs r SET status = 'running', node_id = $1, started_at = $2
WHERE r.id = ANY($3::text[]) AND r.status = 'queued'
  AND (NOT r.exclusive
       OR NOT EXISTS (SELECT 1 FROM runs x WHERE x.job_id = r.job_id AND x.status = 'running'))
RETURNING ${RUN_COLUMNS}`;
