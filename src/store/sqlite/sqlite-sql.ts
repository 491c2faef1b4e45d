/**
 * Every fixed SQL statement of the SQLite store, in one place; the list queries with optional filters
 * are built in sqlite-list-sql.ts. Statements use positional `?` parameters (the fastest binding in
 * better-sqlite3) and are prepared once per connection (SqliteSession). A list of ids is one JSON
 * array parameter read with json_each, so a statement never depends on how many ids it gets.
 */

// --- jobs ------------------------------------------------------------------------------------------

/**
 * nextFireTime is the earliest of the acquired (pending) fires and the trigger's next fire;
 * lastFireTime the latest fire that ran, read from the ledger (its primary key walked backwards from the
 * job's newest fire), so resolving a fire writes no counter.
 */
export const JOB_SELECT = `
SELECT j.id, j.name, j.collection, j.state, j.version, j.created_at, j.updated_at, j.labels, j.pause,
       j.definition,
       COALESCE((SELECT MIN(p.scheduled_for) FROM pending_fires p WHERE p.job_id = j.id), t.next_fire_at) AS next_fire_at,
       s.run_count, s.failure_count, s.last_run_id, s.last_run_status,
       (SELECT f.scheduled_for FROM fire_ledger f WHERE f.job_id = j.id AND f.outcome = 'run'
        ORDER BY f.scheduled_for DESC LIMIT 1) AS last_fire_at
FROM jobs j
LEFT JOIN triggers t ON t.job_id = j.id
LEFT JOIN job_stats s ON s.job_id = j.id`;

/** Named parameters: the keys of JobColumns. */
export const INSERT_JOB = `
INSERT INTO jobs (id, name, name_folded, collection, state, version, created_at, updated_at, labels, pause,
                  pause_until, definition)
VALUES (@id, @name, @name_folded, @collection, @state, @version, @created_at, @updated_at, @labels, @pause,
        @pause_until, @definition)`;

/** As INSERT_JOB plus @expected_version; created_at is kept: a job's creation instant never changes. */
export const UPDATE_JOB = `
UPDATE jobs SET name = @name, name_folded = @name_folded, collection = @collection, state = @state,
                version = @version, updated_at = @updated_at, labels = @labels, pause = @pause,
                pause_until = @pause_until, definition = @definition
WHERE id = @id AND version = @expected_version`;

export const INSERT_TRIGGER = 'INSERT INTO triggers (job_id, next_fire_at) VALUES (?, ?)';
export const INSERT_JOB_STATS = `
INSERT INTO job_stats (job_id, run_count, failure_count, last_run_id, last_run_status, last_fire_at)
VALUES (?, ?, ?, ?, ?, ?)`;
export const INSERT_LABEL = 'INSERT INTO job_labels (job_id, key, value) VALUES (?, ?, ?)';
export const DELETE_LABELS = 'DELETE FROM job_labels WHERE job_id = ?';
export const JOB_VERSION = 'SELECT version FROM jobs WHERE id = ?';
export const GET_JOB = `${JOB_SELECT} WHERE j.id = ?`;
export const GET_JOBS = `${JOB_SELECT} WHERE j.id IN (SELECT value FROM json_each(?))`;
export const DELETE_JOB = 'DELETE FROM jobs WHERE id = ?';
export const COUNT_JOBS = 'SELECT state, COUNT(*) AS n FROM jobs GROUP BY state';
export const COUNT_JOBS_IN = 'SELECT state, COUNT(*) AS n FROM jobs WHERE collection = ? GROUP BY state';
export const EXPIRED_PAUSES = `
SELECT id FROM jobs
WHERE pause_until IS NOT NULL AND pause_until <= ? AND state = 'paused'
ORDER BY pause_until, id`;
/** A state change is a change: the version moves so that a stale If-Match cannot undo it. */
/**
 * A job is completed once its schedule is exhausted (no next fire) AND its last fire has resolved (no
 * pending fire left): until then it is still enabled, can be paused, and shows its pending fire.
 */
export const COMPLETE_JOB_IF_DONE = `
UPDATE jobs SET state = 'completed', version = version + 1, updated_at = ?
WHERE id = ? AND state = 'enabled'
  AND EXISTS (SELECT 1 FROM triggers t WHERE t.job_id = jobs.id AND t.next_fire_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM pending_fires p WHERE p.job_id = jobs.id)`;

// --- triggers ----------------------------------------------------------------------------------------

/** Only enabled jobs are acquired: a paused, completed or faulted job's trigger waits. */
// CROSS JOIN fixes the join order (SQLite does not reorder it): the due index on triggers drives the
// query, in order and without a sort, instead of a walk over every enabled job.
export const DUE_TRIGGERS = `
SELECT t.job_id, t.next_fire_at, j.version
FROM triggers t CROSS JOIN jobs j
WHERE j.id = t.job_id AND t.next_fire_at IS NOT NULL AND t.next_fire_at <= ?
  AND (t.lease_node IS NULL OR t.lease_until < ?)
  AND j.state = 'enabled'
ORDER BY t.next_fire_at, t.job_id
LIMIT ?`;
export const LEASE_TRIGGER = 'UPDATE triggers SET lease_node = ?, lease_until = ? WHERE job_id = ?';
export const HELD_TRIGGER = `
SELECT 1 FROM triggers t JOIN jobs j ON j.id = t.job_id
WHERE t.job_id = ? AND t.lease_node = ? AND j.version = ?`;
export const ADVANCE_TRIGGER = `
UPDATE triggers SET next_fire_at = ?, lease_node = NULL, lease_until = NULL WHERE job_id = ?`;
export const RELEASE_TRIGGERS =
  'UPDATE triggers SET lease_node = NULL, lease_until = NULL WHERE lease_node = ?';
export const NEXT_FIRE_AT = 'SELECT next_fire_at FROM triggers WHERE job_id = ?';
export const WAITING_TRIGGERS = `
SELECT t.job_id, t.next_fire_at
FROM triggers t JOIN jobs j ON j.id = t.job_id
WHERE t.next_fire_at IS NOT NULL AND t.lease_node IS NULL AND j.state = 'enabled'
ORDER BY t.next_fire_at, t.job_id
LIMIT ?`;

// --- fire ledger -------------------------------------------------------------------------------------

/**
 * A fire acquired (pending until its instant): a (job, instant) is in at most one of pending_fires and
 * the ledger, so one already resolved is not acquired again. Parameters: job, instant, node, job, instant.
 */
export const INSERT_PENDING_FIRE = `
INSERT INTO pending_fires (job_id, scheduled_for, node_id)
SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM fire_ledger WHERE job_id = ? AND scheduled_for = ?)
ON CONFLICT (job_id, scheduled_for) DO NOTHING`;
/**
 * The WHERE EXISTS drops fires of a job deleted meanwhile; a fire pending (acquired) is not written here.
 * Parameters: job, instant, outcome, fired at, run, node, job, job, instant.
 */
export const INSERT_DIRECT_FIRE = `
INSERT INTO fire_ledger (job_id, scheduled_for, outcome, fired_at, run_id, node_id)
SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM jobs WHERE id = ?)
  AND NOT EXISTS (SELECT 1 FROM pending_fires WHERE job_id = ? AND scheduled_for = ?)
ON CONFLICT (job_id, scheduled_for) DO NOTHING`;
/** Resolving a fire takes it out of pending_fires (0 changes: not pending, nothing to do) ... */
export const TAKE_PENDING_FIRE = 'DELETE FROM pending_fires WHERE job_id = ? AND scheduled_for = ?';
/** ... and writes it to the ledger with its outcome. */
export const INSERT_RESOLVED_FIRE = `
INSERT INTO fire_ledger (job_id, scheduled_for, outcome, fired_at, run_id, node_id) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (job_id, scheduled_for) DO NOTHING`;
export const DELETE_PENDING_FIRES = 'DELETE FROM pending_fires WHERE job_id = ?';
export const PENDING_FIRES_OF = `
SELECT job_id, scheduled_for, node_id FROM pending_fires
WHERE node_id IN (SELECT value FROM json_each(?))
ORDER BY scheduled_for, job_id`;
export const TAKE_OVER_FIRES = `
UPDATE pending_fires SET node_id = ?
WHERE node_id IN (SELECT value FROM json_each(?))
RETURNING job_id, scheduled_for, node_id`;
/** Parameters: node ids (JSON), before, node ids (JSON), before. */
export const REWIND_TRIGGERS = `
UPDATE triggers
SET next_fire_at = MIN(COALESCE(next_fire_at, 9007199254740991),
                       (SELECT MIN(p.scheduled_for) FROM pending_fires p
                        WHERE p.job_id = triggers.job_id
                          AND p.node_id IN (SELECT value FROM json_each(?)) AND p.scheduled_for < ?)),
    lease_node = NULL, lease_until = NULL
WHERE job_id IN (SELECT job_id FROM pending_fires
                 WHERE node_id IN (SELECT value FROM json_each(?)) AND scheduled_for < ?)`;
export const DELETE_REWOUND_FIRES = `
DELETE FROM pending_fires
WHERE node_id IN (SELECT value FROM json_each(?)) AND scheduled_for < ?`;
export const LIST_PENDING_FIRES = `
SELECT job_id, scheduled_for, node_id FROM pending_fires ORDER BY scheduled_for, job_id LIMIT ?`;

// --- job stats -------------------------------------------------------------------------------------------

export const RECORD_FINISHED_RUN = `
UPDATE job_stats
SET run_count = run_count + 1, failure_count = failure_count + ?, last_run_id = ?, last_run_status = ?
WHERE job_id = ?`;

// --- runs ------------------------------------------------------------------------------------------------

/** `steps` last: the others are read without walking the overflow pages of long outputs. */
export const RUN_COLUMNS = `id, job_id, trigger_kind, scheduled_for, queued_at, started_at, finished_at, status,
  attempt, retry_of, not_before, node_id, payload, error, steps`;

export const INSERT_RUN = `
INSERT INTO runs (id, job_id, trigger_kind, scheduled_for, queued_at, started_at, status, attempt, retry_of,
                  not_before, node_id, exclusive, payload)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
export const GET_RUN = `SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`;
export const ACTIVE_RUNS = `
SELECT id, job_id, status, node_id FROM runs WHERE status IN ('queued', 'running') ORDER BY queued_at, id`;
export const ACTIVE_RUNS_OF = `
SELECT id, job_id, status, node_id FROM runs
WHERE status IN ('queued', 'running') AND job_id IN (SELECT value FROM json_each(?))
ORDER BY queued_at, id`;
/** One page of the queue after the key (queued_at, id), oldest first. */
export const QUEUED_RUNS_AFTER = `
SELECT id, job_id, queued_at, exclusive FROM runs
WHERE status = 'queued' AND (queued_at, id) > (?, ?) AND (not_before IS NULL OR not_before <= ?)
ORDER BY queued_at, id
LIMIT ?`;
// spelt with runs_active's condition, so that SQLite uses that partial index
export const JOB_HAS_RUNNING_RUN = `
SELECT 1 FROM runs WHERE status IN ('queued', 'running') AND status = 'running' AND job_id = ? LIMIT 1`;
export const START_QUEUED_RUN = `
UPDATE runs SET status = 'running', node_id = ?, started_at = ? WHERE id = ? AND status = 'queued'`;
export const FINISH_RUN = `
UPDATE runs SET status = ?, started_at = COALESCE(?, started_at), finished_at = ?, error = ?, steps = ?
WHERE id = ? AND status IN ('queued', 'running')
RETURNING job_id`;
export const REQUEST_CANCEL = `
UPDATE runs SET cancel_requested_at = COALESCE(cancel_requested_at, ?) WHERE id = ? AND status = 'running'`;
/** Unordered (an ORDER BY id would walk the whole history by its primary key): sorted by the caller. */
export const CANCEL_REQUESTS = `
SELECT id FROM runs
WHERE status IN ('queued', 'running') AND status = 'running' AND node_id = ? AND cancel_requested_at IS NOT NULL`;
export const CANCEL_QUEUED_RUN = `
UPDATE runs SET status = 'cancelled', finished_at = ? WHERE id = ? AND status = 'queued'`;
export const INTERRUPT_RUNS = `
UPDATE runs SET status = 'interrupted', finished_at = ?, error = ?
WHERE status IN ('queued', 'running') AND status = 'running' AND node_id IN (SELECT value FROM json_each(?))
RETURNING id, job_id`;
/** Keeps the newest `keep` finished runs of a job (LIMIT -1 = no limit). */
export const PRUNE_RUNS = `
DELETE FROM runs WHERE id IN (
  SELECT id FROM runs
  WHERE job_id = ? AND status NOT IN ('queued', 'running')
  ORDER BY listed_at DESC, id DESC
  LIMIT -1 OFFSET ?)`;

/** Keeps the newest `keep` ledger rows of a job (the ledger holds resolved fires only). */
export const PRUNE_FIRES = `
DELETE FROM fire_ledger
WHERE job_id = ? AND scheduled_for < (SELECT scheduled_for FROM fire_ledger WHERE job_id = ?
                                      ORDER BY scheduled_for DESC LIMIT 1 OFFSET ?)`;

// --- nodes, collections, settings ---------------------------------------------------------------------

export const NODE_EXISTS = 'SELECT 1 FROM nodes WHERE id = ?';
export const UPSERT_NODE = `
INSERT INTO nodes (id, host, pid, started_at, heartbeat_at, clock_skew_ms, state, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = excluded.started_at,
  heartbeat_at = excluded.heartbeat_at, clock_skew_ms = excluded.clock_skew_ms, state = excluded.state,
  version = excluded.version`;
export const LIST_NODES = `
SELECT id, host, pid, started_at, heartbeat_at, clock_skew_ms, state, version FROM nodes ORDER BY id`;
export const DELETE_NODE = 'DELETE FROM nodes WHERE id = ?';

const COLLECTION_COLUMNS = 'name, description, max_jobs, min_interval, created_at, updated_at';
export const GET_COLLECTION = `SELECT ${COLLECTION_COLUMNS} FROM collections WHERE name = ?`;
export const LIST_COLLECTIONS = `SELECT ${COLLECTION_COLUMNS} FROM collections ORDER BY name`;
/** created_at is kept when the collection exists. */
export const UPSERT_COLLECTION = `
INSERT INTO collections (${COLLECTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET description = excluded.description, max_jobs = excluded.max_jobs,
  min_interval = excluded.min_interval, updated_at = excluded.updated_at`;
export const DELETE_COLLECTION = 'DELETE FROM collections WHERE name = ?';
export const COLLECTION_HAS_JOBS = 'SELECT 1 FROM jobs WHERE collection = ? LIMIT 1';

export const GET_SETTING = 'SELECT value FROM settings WHERE key = ?';
export const UPSERT_SETTING = `
INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
export const DELETE_SETTING = 'DELETE FROM settings WHERE key = ?';

export const PING = 'SELECT 1';

/** Whether the job ? has a queued or running run (insertRunIfIdle); served by the runs_active index. */
export const JOB_HAS_ACTIVE_RUN = `
SELECT 1 FROM runs WHERE status IN ('queued', 'running') AND job_id = ? LIMIT 1`;
