/**
 * Every fixed SQL statement of the PostgreSQL store, in one place; the list queries with optional
 * filters are built in postgres-list-sql.ts, the batched hot paths are in postgres-batch-sql.ts.
 * Statements name no schema (search_path is the store's schema) and take `$n` parameters; a list of ids
 * is one array parameter (`= ANY($1::text[])`), so a statement never depends on how many ids it gets.
 */

/** The database clock in epoch ms: the time authority of a cluster. */
export const DB_NOW = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

export const NOW = `SELECT ${DB_NOW} AS now`;
export const PING = 'SELECT 1';

// --- jobs ------------------------------------------------------------------------------------------

/** nextFireTime is the earliest of the acquired (pending) fires and the trigger's next fire. */
export const JOB_SELECT = `
SELECT j.id, j.name, j.collection, j.state, j.version, j.created_at, j.updated_at, j.labels, j.pause,
       j.definition,
       COALESCE((SELECT min(f.scheduled_for) FROM fire_ledger f WHERE f.job_id = j.id AND f.outcome = 'pending'),
                t.next_fire_at) AS next_fire_at,
       s.run_count, s.failure_count, s.last_run_id, s.last_run_status, s.last_fire_at
FROM jobs j
LEFT JOIN triggers t ON t.job_id = j.id
LEFT JOIN job_stats s ON s.job_id = j.id`;

/**
 * The job, its trigger ($13), its counters ($14 … $18) and its labels ($19 keys, $20 values) in one
 * statement: the foreign keys are checked at its end, when the job row exists.
 */
export const INSERT_JOB = `
WITH job AS (
  INSERT INTO jobs (id, name, name_folded, collection, state, version, created_at, updated_at, labels,
                    pause, pause_until, definition)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12::jsonb)
  RETURNING id
), trigger_row AS (
  INSERT INTO triggers (job_id, next_fire_at) SELECT id, $13::bigint FROM job
), stats_row AS (
  INSERT INTO job_stats (job_id, run_count, failure_count, last_run_id, last_run_status, last_fire_at)
  SELECT id, $14::int, $15::int, $16::text, $17::text, $18::bigint FROM job
)
INSERT INTO job_labels (job_id, key, value)
SELECT job.id, l.key, l.value FROM job, unnest($19::text[], $20::text[]) AS l(key, value)`;

/** $12 is the expected version; created_at is kept: a job's creation instant never changes. */
export const UPDATE_JOB = `
UPDATE jobs SET name = $2, name_folded = $3, collection = $4, state = $5, version = $6, updated_at = $7,
                labels = $8::jsonb, pause = $9::jsonb, pause_until = $10, definition = $11::jsonb
WHERE id = $1 AND version = $12`;

export const DELETE_LABELS = 'DELETE FROM job_labels WHERE job_id = $1';
export const INSERT_LABELS = `
INSERT INTO job_labels (job_id, key, value)
SELECT $1, l.key, l.value FROM unnest($2::text[], $3::text[]) AS l(key, value)`;
export const JOB_VERSION = 'SELECT version FROM jobs WHERE id = $1';
export const GET_JOB = `${JOB_SELECT} WHERE j.id = $1`;
export const GET_JOBS = `${JOB_SELECT} WHERE j.id = ANY($1::text[])`;
/**
 * Deletes a job only at the expected version ($2, or any when null); its trigger, counters and labels
 * go by cascade. Its fires, runs and steps (no foreign key: see migration 0001) are deleted after it, in
 * that order, each statement waiting for writers holding those rows, so none is left behind.
 */
export const DELETE_JOB = 'DELETE FROM jobs WHERE id = $1 AND ($2::int IS NULL OR version = $2)';
export const DELETE_JOB_FIRES = 'DELETE FROM fire_ledger WHERE job_id = $1';
export const DELETE_JOB_RUNS = 'DELETE FROM runs WHERE job_id = $1 RETURNING id';
export const DELETE_STEPS_OF_RUNS = 'DELETE FROM step_results WHERE run_id = ANY($1::text[])';
export const COUNT_JOBS = 'SELECT state, count(*)::int AS n FROM jobs GROUP BY state';
export const COUNT_JOBS_IN =
  'SELECT state, count(*)::int AS n FROM jobs WHERE collection = $1 GROUP BY state';
export const EXPIRED_PAUSES = `
SELECT id FROM jobs
WHERE pause_until IS NOT NULL AND pause_until <= $1 AND state = 'paused'
ORDER BY pause_until, id`;

/**
 * Completes the jobs $1 whose schedule is exhausted (no next fire) AND whose last fire has resolved (no
 * pending fire left), at $2 (or the database clock). It runs after the write that may have finished a
 * job has committed: its own snapshot then sees every other node's committed fires too, so of two
 * nodes resolving a job's last fires at once, the later one to commit completes it.
 */
export const COMPLETE_EXHAUSTED_JOBS = `
UPDATE jobs j SET state = 'completed', version = j.version + 1, updated_at = COALESCE($2::bigint, ${DB_NOW})
WHERE j.id = ANY($1::text[]) AND j.state = 'enabled'
  AND EXISTS (SELECT 1 FROM triggers t WHERE t.job_id = j.id AND t.next_fire_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM fire_ledger f WHERE f.job_id = j.id AND f.outcome = 'pending')`;

// --- triggers ----------------------------------------------------------------------------------------

/**
 * Claims due triggers of enabled jobs: rows another node is claiming right now are skipped, not waited
 * for (SKIP LOCKED); a row claimed and committed meanwhile is re-checked against its new lease after
 * the lock and left out. $1 node, $2 horizon, $3 now, $4 limit, $5 lease until.
 */
export const CLAIM_DUE_TRIGGERS = `
WITH due AS (
  SELECT t.job_id, t.next_fire_at, j.version
  FROM triggers t JOIN jobs j ON j.id = t.job_id
  WHERE t.next_fire_at <= $2
    AND (t.lease_node IS NULL OR t.lease_until < $3)
    AND j.state = 'enabled'
  ORDER BY t.next_fire_at, t.job_id
  LIMIT $4
  FOR UPDATE OF t SKIP LOCKED
)
UPDATE triggers t SET lease_node = $1, lease_until = $5
FROM due
WHERE t.job_id = due.job_id
RETURNING t.job_id, due.next_fire_at, due.version`;

export const RESET_TRIGGER = `
UPDATE triggers SET next_fire_at = $2, lease_node = NULL, lease_until = NULL WHERE job_id = $1`;
export const RELEASE_TRIGGERS =
  'UPDATE triggers SET lease_node = NULL, lease_until = NULL WHERE lease_node = $1';
export const NEXT_FIRE_AT = 'SELECT next_fire_at FROM triggers WHERE job_id = $1';
export const WAITING_TRIGGERS = `
SELECT t.job_id, t.next_fire_at
FROM triggers t JOIN jobs j ON j.id = t.job_id
WHERE t.next_fire_at IS NOT NULL AND t.lease_node IS NULL AND j.state = 'enabled'
ORDER BY t.next_fire_at, t.job_id
LIMIT $1`;

// --- fire ledger -------------------------------------------------------------------------------------

export const DELETE_PENDING_FIRES = `DELETE FROM fire_ledger WHERE job_id = $1 AND outcome = 'pending'`;
export const PENDING_FIRES_OF = `
SELECT job_id, scheduled_for, node_id FROM fire_ledger
WHERE outcome = 'pending' AND node_id = ANY($1::text[])
ORDER BY scheduled_for, job_id`;
export const TAKE_OVER_FIRES = `
UPDATE fire_ledger SET node_id = $1
WHERE outcome = 'pending' AND node_id = ANY($2::text[])
RETURNING job_id, scheduled_for, node_id`;
/**
 * Gives back the pending fires of nodes $1 scheduled before $2: deletes them and moves each job's
 * trigger back to the earliest (lease cleared). A fire resolved meanwhile is re-checked after its lock
 * and kept. Returns how many were given back.
 */
export const REWIND_PENDING_FIRES = `
WITH rewound AS (
  DELETE FROM fire_ledger
  WHERE outcome = 'pending' AND node_id = ANY($1::text[]) AND scheduled_for < $2
  RETURNING job_id, scheduled_for
), moved AS (
  UPDATE triggers t SET next_fire_at = LEAST(t.next_fire_at, e.at), lease_node = NULL, lease_until = NULL
  FROM (SELECT job_id, min(scheduled_for) AS at FROM rewound GROUP BY job_id) e
  WHERE t.job_id = e.job_id
)
SELECT count(*)::int AS n FROM rewound`;
export const LIST_PENDING_FIRES = `
SELECT job_id, scheduled_for, node_id FROM fire_ledger WHERE outcome = 'pending'
ORDER BY scheduled_for, job_id LIMIT $1`;

// --- runs ------------------------------------------------------------------------------------------------

export const RUN_COLUMNS = `id, job_id, trigger_kind, scheduled_for, queued_at, started_at, finished_at, status,
  attempt, retry_of, not_before, node_id, payload, error`;
const STEP_COLUMNS = `run_id, phase, position, step_index, name, type, status, attempt, started_at,
  finished_at, exit_code, http_status, output, error`;

export const GET_RUN = `SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`;
export const STEPS_OF_RUNS = `
SELECT ${STEP_COLUMNS} FROM step_results WHERE run_id = ANY($1::text[])
ORDER BY run_id, ordinal`;
export const ACTIVE_RUNS = `
SELECT id, job_id, status, node_id FROM runs WHERE status IN ('queued', 'running') ORDER BY queued_at, id`;
export const ACTIVE_RUNS_OF = `
SELECT id, job_id, status, node_id FROM runs
WHERE status IN ('queued', 'running') AND job_id = ANY($1::text[])
ORDER BY queued_at, id`;
/**
 * The job $1, locked against concurrent insertRunIfIdle calls (and changes or deletion) until the
 * transaction ends. NO KEY UPDATE leaves the FOR KEY SHARE of run inserts (INSERT_RUNS) unblocked.
 */
export const LOCK_JOB_FOR_RUN = 'SELECT id FROM jobs WHERE id = $1 FOR NO KEY UPDATE';
/** Whether the job $1 has a queued or running run; served by the runs_active index. */
export const JOB_HAS_ACTIVE_RUN = `
SELECT 1 FROM runs WHERE status IN ('queued', 'running') AND job_id = $1 LIMIT 1`;
export const REQUEST_CANCEL = `
UPDATE runs SET cancel_requested_at = COALESCE(cancel_requested_at, $1) WHERE id = $2 AND status = 'running'`;
export const CANCEL_REQUESTS = `
SELECT id FROM runs WHERE status = 'running' AND node_id = $1 AND cancel_requested_at IS NOT NULL ORDER BY id`;
export const CANCEL_QUEUED_RUN = `
UPDATE runs SET status = 'cancelled', finished_at = $1 WHERE id = $2 AND status = 'queued'`;
/** Keeps the newest `$2` finished runs of job `$1`; their steps are deleted next (DELETE_STEPS_OF_RUNS). */
export const PRUNE_RUNS = `
DELETE FROM runs WHERE id IN (
  SELECT id FROM runs
  WHERE job_id = $1 AND status NOT IN ('queued', 'running')
  ORDER BY listed_at DESC, id DESC
  OFFSET $2)
RETURNING id`;

/** Keeps the newest $2 resolved fires of job $1 (pending ones are not counted, nor deleted). */
export const PRUNE_FIRES = `
DELETE FROM fire_ledger
WHERE job_id = $1 AND outcome <> 'pending'
  AND scheduled_for < (SELECT scheduled_for FROM fire_ledger WHERE job_id = $1 AND outcome <> 'pending'
                       ORDER BY scheduled_for DESC OFFSET $2 - 1 LIMIT 1)`;

// --- nodes, collections, settings ---------------------------------------------------------------------

export const UPSERT_NODE = `
INSERT INTO nodes (id, host, pid, started_at, heartbeat_at, clock_skew_ms, state, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = excluded.started_at,
  heartbeat_at = excluded.heartbeat_at, clock_skew_ms = excluded.clock_skew_ms, state = excluded.state,
  version = excluded.version
RETURNING (xmax = 0) AS inserted`;
export const LIST_NODES = `
SELECT id, host, pid, started_at, heartbeat_at, clock_skew_ms, state, version FROM nodes ORDER BY id`;
export const DELETE_NODE = 'DELETE FROM nodes WHERE id = $1';

const COLLECTION_COLUMNS = 'name, description, max_jobs, min_interval, created_at, updated_at';
export const GET_COLLECTION = `SELECT ${COLLECTION_COLUMNS} FROM collections WHERE name = $1`;
/** The collection, locked until the transaction ends (deleteCollection). */
export const LOCK_COLLECTION = 'SELECT name FROM collections WHERE name = $1 FOR UPDATE';
export const LIST_COLLECTIONS = `SELECT ${COLLECTION_COLUMNS} FROM collections ORDER BY name`;
/** created_at is kept when the collection exists. */
export const UPSERT_COLLECTION = `
INSERT INTO collections (${COLLECTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (name) DO UPDATE SET description = excluded.description, max_jobs = excluded.max_jobs,
  min_interval = excluded.min_interval, updated_at = excluded.updated_at`;
export const DELETE_COLLECTION = 'DELETE FROM collections WHERE name = $1';
export const COLLECTION_HAS_JOBS = 'SELECT 1 FROM jobs WHERE collection = $1 LIMIT 1';

export const GET_SETTING = 'SELECT value FROM settings WHERE key = $1';
export const UPSERT_SETTING = `
INSERT INTO settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
export const DELETE_SETTING = 'DELETE FROM settings WHERE key = $1';

/** Wakes every listener of the store's channel ($1) with a payload ($2). */
export const NOTIFY = 'SELECT pg_notify($1, $2)';
/** One notification on channel $1 per payload of the array $2, in the array's order, in one transaction. */
export const NOTIFY_EACH = 'SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload';
