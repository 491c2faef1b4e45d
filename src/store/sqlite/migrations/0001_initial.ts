/**
 * Migration 0001: the initial schema. Append-only: never edit a migration that has shipped; add
 * `0002_<name>.ts` instead. The SQL is a TypeScript string so that `dist/` is self-contained (tsc does
 * not copy `.sql` files).
 *
 * Instants are INTEGER epoch milliseconds. The wide `jobs` row is written only when a definition or
 * state changes; everything the engine touches per fire lives in narrow tables (`triggers`,
 * `job_stats`, `fire_ledger`, `runs`) so acquisition never rewrites the job.
 */
export const MIGRATION_0001_INITIAL = `
CREATE TABLE collections (
  name         TEXT PRIMARY KEY,
  description  TEXT NOT NULL DEFAULT '',
  max_jobs     INTEGER,
  min_interval TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);

INSERT INTO collections (name, description, created_at, updated_at)
VALUES ('default', 'The default collection',
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));

-- collection is deliberately not a foreign key: whether a job may name a missing collection is a
-- service rule; deleteCollection refuses while jobs are in one.
CREATE TABLE jobs (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  -- folded by the process (String.prototype.toLowerCase): SQLite's lower() folds ASCII only
  name_folded TEXT NOT NULL,
  collection  TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('enabled', 'paused', 'completed', 'faulted')),
  version     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  labels      TEXT NOT NULL,   -- JSON object, read back as is; job_labels serves the filters
  pause       TEXT,            -- JSON PauseInfo or NULL
  pause_until INTEGER,         -- pause.until, for expiredPauses
  definition  TEXT NOT NULL    -- JSON: the rest of the JobDefinition
);
CREATE INDEX jobs_collection_state ON jobs (collection, state);
CREATE INDEX jobs_state ON jobs (state, id);
CREATE INDEX jobs_name ON jobs (name_folded, id);
CREATE INDEX jobs_created ON jobs (created_at, id);
CREATE INDEX jobs_updated ON jobs (updated_at, id);
CREATE INDEX jobs_pause_until ON jobs (pause_until) WHERE pause_until IS NOT NULL;

CREATE TABLE job_labels (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (job_id, key)
) WITHOUT ROWID;
CREATE INDEX job_labels_key_value ON job_labels (key, value, job_id);

-- The hot, narrow half of a job: rewritten on every acquisition.
CREATE TABLE triggers (
  job_id       TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  next_fire_at INTEGER,
  lease_node   TEXT,
  lease_until  INTEGER
) WITHOUT ROWID;
CREATE INDEX triggers_due ON triggers (next_fire_at, job_id) WHERE next_fire_at IS NOT NULL;
CREATE INDEX triggers_lease ON triggers (lease_node) WHERE lease_node IS NOT NULL;

-- Counters assembled into Job.status; rewritten on every finished run.
CREATE TABLE job_stats (
  job_id          TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  run_count       INTEGER NOT NULL DEFAULT 0,
  failure_count   INTEGER NOT NULL DEFAULT 0,
  last_run_id     TEXT,
  last_run_status TEXT,
  last_fire_at    INTEGER
) WITHOUT ROWID;

-- Every fire exactly once: the primary key is the final guard against double firing.
-- run_id is not a foreign key: pruning old runs must not touch the ledger.
CREATE TABLE fire_ledger (
  job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  scheduled_for INTEGER NOT NULL,
  outcome       TEXT NOT NULL CHECK (outcome IN ('pending', 'run', 'skipped', 'missed', 'excluded')),
  fired_at      INTEGER,
  run_id        TEXT,
  node_id       TEXT,
  PRIMARY KEY (job_id, scheduled_for)
) WITHOUT ROWID;
CREATE INDEX fire_ledger_pending ON fire_ledger (node_id, scheduled_for) WHERE outcome = 'pending';
-- a job's pending fires: its next fire time and whether it is done
CREATE INDEX fire_ledger_pending_job ON fire_ledger (job_id, scheduled_for) WHERE outcome = 'pending';

CREATE TABLE runs (
  id            TEXT PRIMARY KEY,
  job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  trigger_kind  TEXT NOT NULL,
  scheduled_for INTEGER,
  queued_at     INTEGER NOT NULL,
  -- the instant runs are listed, filtered (from/to) and ordered by
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
  payload       TEXT NOT NULL,   -- JSON
  error         TEXT,
  -- set when a cancel was asked of the node running the run (cluster: any node may ask)
  cancel_requested_at INTEGER
);
-- Partial indexes hold only the few active runs, whatever the size of the history. SQLite uses a
-- partial index only when the query repeats its WHERE term, hence one per status test the store makes.
CREATE INDEX runs_active ON runs (job_id) WHERE status IN ('queued', 'running');
CREATE INDEX runs_running_job ON runs (job_id) WHERE status = 'running';
CREATE INDEX runs_running_node ON runs (node_id) WHERE status = 'running';
CREATE INDEX runs_queue ON runs (queued_at, id) WHERE status = 'queued';
CREATE INDEX runs_job ON runs (job_id, listed_at, id);
CREATE INDEX runs_listed ON runs (listed_at, id);

-- Rows can be large (captured output): a rowid table, keyed by the step's ordinal in the run.
CREATE TABLE step_results (
  run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  ordinal     INTEGER NOT NULL,
  phase       TEXT NOT NULL,
  position    INTEGER NOT NULL,
  step_index  INTEGER NOT NULL,
  name        TEXT,
  type        TEXT NOT NULL,
  status      TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER,
  exit_code   INTEGER,
  http_status INTEGER,
  output      TEXT NOT NULL,
  error       TEXT,
  PRIMARY KEY (run_id, ordinal)
);

CREATE TABLE nodes (
  id            TEXT PRIMARY KEY,
  host          TEXT NOT NULL,
  pid           INTEGER NOT NULL,
  started_at    INTEGER NOT NULL,
  heartbeat_at  INTEGER NOT NULL,
  clock_skew_ms REAL NOT NULL,
  state         TEXT NOT NULL,
  version       TEXT NOT NULL
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL   -- JSON
);
`;
