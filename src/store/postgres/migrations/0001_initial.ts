/**
 * Migration 0001: the initial schema, the same tables and indexes as SQLite's 0001. Append-only: never
 * edit a migration that has shipped; add `0002_<name>.ts` instead. The SQL is a TypeScript string so
 * that `dist/` is self-contained (tsc does not copy `.sql` files). It runs with `search_path` set to the
 * store's schema, so it names no schema.
 *
 * Adaptations from SQLite:
 * - instants are BIGINT epoch milliseconds; JSON documents are JSONB;
 * - every identifier and name column is `COLLATE "C"`: ordering is byte order, as SQLite's BINARY,
 *   whatever the database's default collation (the contract orders ids and names that way);
 * - `listed_at` is a STORED generated column (PostgreSQL has no virtual ones);
 * - triggers and job_stats leave room on each page (fillfactor) so that their per-fire updates that
 *   change no indexed column stay on the page (HOT updates) instead of adding index entries; for the
 *   same reason triggers has no index on its lease;
 * - the three tables written per fire (fire_ledger, runs, step_results) have no foreign key: a foreign
 *   key is checked row by row (a query and a lock on the parent row per inserted row), which measured
 *   as a third to a half of the time of the batched statements. The store keeps the same integrity
 *   explicitly (postgres-jobs.ts, postgres-runs.ts): each insert either names a row it holds locked
 *   (a pending fire, a running run, a held trigger) or locks the job first, and deleting a job or
 *   pruning runs deletes the children, in an order that waits for those locks.
 */
export const MIGRATION_0001_INITIAL = `
CREATE TABLE collections (
  name         TEXT COLLATE "C" PRIMARY KEY,
  description  TEXT NOT NULL DEFAULT '',
  max_jobs     INTEGER,
  min_interval TEXT,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL
);

INSERT INTO collections (name, description, created_at, updated_at)
VALUES ('default', 'The default collection',
        (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
        (extract(epoch FROM clock_timestamp()) * 1000)::bigint);

-- collection is deliberately not a foreign key: whether a job may name a missing collection is a
-- service rule; deleteCollection refuses while jobs are in one.
CREATE TABLE jobs (
  id          TEXT COLLATE "C" PRIMARY KEY,
  name        TEXT COLLATE "C" NOT NULL,
  -- folded by the process (String.prototype.toLowerCase), the same on both backends
  name_folded TEXT COLLATE "C" NOT NULL,
  collection  TEXT COLLATE "C" NOT NULL,
  state       TEXT COLLATE "C" NOT NULL CHECK (state IN ('enabled', 'paused', 'completed', 'faulted')),
  version     INTEGER NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  labels      JSONB NOT NULL,   -- read back as is; job_labels serves the filters
  pause       JSONB,            -- PauseInfo or NULL
  pause_until BIGINT,           -- pause.until, for expiredPauses
  definition  JSONB NOT NULL    -- the rest of the JobDefinition
);
CREATE INDEX jobs_collection_state ON jobs (collection, state);
CREATE INDEX jobs_state ON jobs (state, id);
CREATE INDEX jobs_name ON jobs (name_folded, id);
CREATE INDEX jobs_created ON jobs (created_at, id);
CREATE INDEX jobs_updated ON jobs (updated_at, id);
CREATE INDEX jobs_pause_until ON jobs (pause_until) WHERE pause_until IS NOT NULL;

CREATE TABLE job_labels (
  job_id TEXT COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  key    TEXT COLLATE "C" NOT NULL,
  value  TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (job_id, key)
);
CREATE INDEX job_labels_key_value ON job_labels (key, value, job_id);

-- The hot, narrow half of a job: rewritten on every acquisition. Unlike SQLite, no index on the lease:
-- claiming a trigger then changes no indexed column, so the lease is written in place (a HOT update,
-- given room on the page) instead of adding an entry to every index of the table; only releasing all
-- of a node's leases at its shutdown reads the whole table.
CREATE TABLE triggers (
  job_id       TEXT COLLATE "C" PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  next_fire_at BIGINT,
  lease_node   TEXT COLLATE "C",
  lease_until  BIGINT
) WITH (fillfactor = 70);
CREATE INDEX triggers_due ON triggers (next_fire_at, job_id) WHERE next_fire_at IS NOT NULL;

-- Counters assembled into Job.status; rewritten on every fire and finished run. No secondary index,
-- so those updates are HOT when the page has room.
CREATE TABLE job_stats (
  job_id          TEXT COLLATE "C" PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  run_count       INTEGER NOT NULL DEFAULT 0,
  failure_count   INTEGER NOT NULL DEFAULT 0,
  last_run_id     TEXT COLLATE "C",
  last_run_status TEXT COLLATE "C",
  last_fire_at    BIGINT
) WITH (fillfactor = 70);

-- Every fire exactly once: the primary key is the final guard against double firing.
-- run_id is not a foreign key: pruning old runs must not touch the ledger. job_id is not one either
-- (see above): deleteJob deletes the job's fires.
CREATE TABLE fire_ledger (
  job_id        TEXT COLLATE "C" NOT NULL,
  scheduled_for BIGINT NOT NULL,
  outcome       TEXT COLLATE "C" NOT NULL
                  CHECK (outcome IN ('pending', 'run', 'skipped', 'missed', 'excluded')),
  fired_at      BIGINT,
  run_id        TEXT COLLATE "C",
  node_id       TEXT COLLATE "C",
  PRIMARY KEY (job_id, scheduled_for)
);
CREATE INDEX fire_ledger_pending ON fire_ledger (node_id, scheduled_for) WHERE outcome = 'pending';
-- A job's pending fires (its next fire time, whether it is done): without it, finding that a job has
-- none would read its whole history through the primary key.
CREATE INDEX fire_ledger_pending_job ON fire_ledger (job_id, scheduled_for) WHERE outcome = 'pending';

-- job_id is not a foreign key (see above): deleteJob deletes the job's runs.
CREATE TABLE runs (
  id            TEXT COLLATE "C" PRIMARY KEY,
  job_id        TEXT COLLATE "C" NOT NULL,
  trigger_kind  TEXT COLLATE "C" NOT NULL,
  scheduled_for BIGINT,
  queued_at     BIGINT NOT NULL,
  -- the instant runs are listed, filtered (from/to) and ordered by
  listed_at     BIGINT NOT NULL GENERATED ALWAYS AS (COALESCE(scheduled_for, queued_at)) STORED,
  started_at    BIGINT,
  finished_at   BIGINT,
  status        TEXT COLLATE "C" NOT NULL CHECK (status IN
                  ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'timedOut', 'interrupted')),
  attempt       INTEGER NOT NULL,
  retry_of      TEXT COLLATE "C",
  not_before    BIGINT,
  node_id       TEXT COLLATE "C",
  exclusive     BOOLEAN NOT NULL,
  payload       JSONB NOT NULL,
  error         TEXT,
  -- set when a cancel was asked of the node running the run (cluster: any node may ask)
  cancel_requested_at BIGINT
);
-- Partial indexes hold only the few active runs, whatever the size of the history.
CREATE INDEX runs_active ON runs (job_id) WHERE status IN ('queued', 'running');
CREATE INDEX runs_running_job ON runs (job_id) WHERE status = 'running';
CREATE INDEX runs_running_node ON runs (node_id) WHERE status = 'running';
CREATE INDEX runs_queue ON runs (queued_at, id) WHERE status = 'queued';
CREATE INDEX runs_job ON runs (job_id, listed_at, id);
CREATE INDEX runs_listed ON runs (listed_at, id);

-- Rows can be large (captured output, TOASTed), keyed by the step's ordinal in the run. run_id is not a
-- foreign key (see above): deleting runs deletes their steps.
CREATE TABLE step_results (
  run_id      TEXT COLLATE "C" NOT NULL,
  ordinal     INTEGER NOT NULL,
  phase       TEXT COLLATE "C" NOT NULL,
  position    INTEGER NOT NULL,
  step_index  INTEGER NOT NULL,
  name        TEXT,
  type        TEXT COLLATE "C" NOT NULL,
  status      TEXT COLLATE "C" NOT NULL,
  attempt     INTEGER NOT NULL,
  started_at  BIGINT,
  finished_at BIGINT,
  exit_code   INTEGER,
  http_status INTEGER,
  output      TEXT NOT NULL,
  error       TEXT,
  PRIMARY KEY (run_id, ordinal)
);

CREATE TABLE nodes (
  id            TEXT COLLATE "C" PRIMARY KEY,
  host          TEXT NOT NULL,
  pid           INTEGER NOT NULL,
  started_at    BIGINT NOT NULL,
  heartbeat_at  BIGINT NOT NULL,
  clock_skew_ms DOUBLE PRECISION NOT NULL,
  state         TEXT COLLATE "C" NOT NULL,
  version       TEXT NOT NULL
);

CREATE TABLE settings (
  key   TEXT COLLATE "C" PRIMARY KEY,
  value JSONB NOT NULL
);
`;
