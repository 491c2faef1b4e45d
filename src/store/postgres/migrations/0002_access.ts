/** Migration 0002: API keys (hashed) and the audit log, as SQLite's 0002. */
export const MIGRATION_0002_ACCESS = `
CREATE TABLE api_keys (
  id           TEXT COLLATE "C" PRIMARY KEY,
  name         TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  hash         TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  created_by   TEXT,
  expires_at   BIGINT,
  revoked_at   BIGINT,
  last_used_at BIGINT
);

CREATE TABLE audit_log (
  id          TEXT COLLATE "C" PRIMARY KEY,
  at          BIGINT NOT NULL,
  actor_kind  TEXT NOT NULL,
  actor_id    TEXT,
  actor_name  TEXT NOT NULL,
  action      TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id   TEXT COLLATE "C",
  before      JSONB,
  after       JSONB
);
CREATE INDEX audit_at ON audit_log (at, id);
CREATE INDEX audit_target ON audit_log (target_type, target_id, at);
CREATE INDEX audit_action ON audit_log (action, at);
`;
