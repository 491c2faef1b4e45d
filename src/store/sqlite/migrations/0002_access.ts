/** Migration 0002: API keys (hashed) and the audit log. */
export const MIGRATION_0002_ACCESS = `
CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,   -- the visible prefix that finds the key
  name         TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  hash         TEXT NOT NULL,      -- hex SHA-256 of the whole key
  created_at   INTEGER NOT NULL,
  created_by   TEXT,
  expires_at   INTEGER,
  revoked_at   INTEGER,
  last_used_at INTEGER
);

CREATE TABLE audit_log (
  id          TEXT PRIMARY KEY,    -- UUIDv7: time-ordered
  at          INTEGER NOT NULL,
  actor_kind  TEXT NOT NULL,
  actor_id    TEXT,
  actor_name  TEXT NOT NULL,
  action      TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id   TEXT,
  before      TEXT,                -- JSON, secrets redacted
  after       TEXT                 -- JSON, secrets redacted
);
CREATE INDEX audit_at ON audit_log (at, id);
CREATE INDEX audit_target ON audit_log (target_type, target_id, at);
CREATE INDEX audit_action ON audit_log (action, at);
`;
