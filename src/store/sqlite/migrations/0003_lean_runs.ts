/**
 * Migration 0003: a leaner fire path. Measured per fire with 20,000 jobs (see the notes of issue 2):
 * fewer B-trees touched when a fire is acquired, resolved and its run finished.
 *
 * - Acquired fires move out of the ledger into `pending_fires`, a small table of their own: acquiring a
 *   fire inserts one row there (was a ledger row plus two partial indexes), resolving deletes it and
 *   inserts the ledger row with its outcome (was an update that also left both indexes). The ledger
 *   holds only fires with an outcome; the pair (job, instant) is still in at most one of the two.
 * - `runs` becomes a WITHOUT ROWID table keyed by its (time-ordered) id, and a run's step results are a
 *   JSON array in its row, written once when it finishes (was one `step_results` row per step, each with
 *   its own primary key index). `steps` is the last column, so reading the others never walks the
 *   overflow pages of a long output. Each element is
 *   [phase, position, stepIndex, name, type, status, attempt, startedAt, finishedAt, exitCode,
 *    httpStatus, output, error].
 * - `runs_running_job` and `runs_running_node` are gone: subsets of `runs_active`, which answers the same
 *   questions (queries repeat its condition so SQLite uses it).
 *
 * Runs with foreign keys off (see sqlite-migrations.ts), so rebuilding `runs` cascades nothing.
 */
export const MIGRATION_0003_LEAN_RUNS = `
CREATE TABLE pending_fires (
  job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  scheduled_for INTEGER NOT NULL,
  node_id       TEXT NOT NULL,
  PRIMARY KEY (job_id, scheduled_for)
) WITHOUT ROWID;
INSERT INTO pending_fires (job_id, scheduled_for, node_id)
  SELECT job_id, scheduled_for, COALESCE(node_id, '') FROM fire_ledger WHERE outcome = 'pending';
DELETE FROM fire_ledger WHERE outcome = 'pending';
DROP INDEX fire_ledger_pending;
DROP INDEX fire_ledger_pending_job;

CREATE TABLE runs_new (
  id            TEXT PRIMARY KEY,
  job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  trigger_kind  TEXT NOT NULL,
  scheduled_for INTEGER,
  queued_at     INTEGER NOT NULL,
  listed_at     INTEGER NOT NULL GENERATED ALWAYS AS (COALESCE(scheduled_for, queued_at)) VIRTUAL,
  started_at    INTEGER,
  finished_at   INTEGER,
  status        TEXT NOT NULL CHECK (status IN
                  ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'timedOut', 'interrupted')),
  attempt       INTEGER NOT NULL,
  retry_of      TEXT,
  not_before    INTEGER,
  node_id       TEXT,
  exclusive     INTEGER NOT NULL,
  payload       TEXT NOT NULL,
  error         TEXT,
  cancel_requested_at INTEGER,
  steps         TEXT NOT NULL DEFAULT '[]'
) WITHOUT ROWID;
INSERT INTO runs_new (id, job_id, trigger_kind, scheduled_for, queued_at, started_at, finished_at, status,
                      attempt, retry_of, not_before, node_id, exclusive, payload, error, cancel_requested_at, steps)
SELECT r.id, r.job_id, r.trigger_kind, r.scheduled_for, r.queued_at, r.started_at, r.finished_at, r.status,
       r.attempt, r.retry_of, r.not_before, r.node_id, r.exclusive, r.payload, r.error, r.cancel_requested_at,
       COALESCE((SELECT json_group_array(json_array(s.phase, s.position, s.step_index, s.name, s.type, s.status,
                                                    s.attempt, s.started_at, s.finished_at, s.exit_code, s.http_status,
                                                    s.output, s.error) ORDER BY s.ordinal)
                 FROM step_results s WHERE s.run_id = r.id), '[]')
FROM runs r;
DROP TABLE step_results;
DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;
CREATE INDEX runs_active ON runs (job_id) WHERE status IN ('queued', 'running');
CREATE INDEX runs_queue ON runs (queued_at, id) WHERE status = 'queued';
CREATE INDEX runs_job ON runs (job_id, listed_at, id);
CREATE INDEX runs_listed ON runs (listed_at, id);

-- The ledger with the fires acquired and not resolved yet, as one list (outcome 'pending').
CREATE VIEW fires AS
  SELECT job_id, scheduled_for, outcome, fired_at, run_id, node_id FROM fire_ledger
  UNION ALL
  SELECT job_id, scheduled_for, 'pending', NULL, NULL, node_id FROM pending_fires;
`;
