/** API keys and the audit log. */

import type { ApiKey, AuditEntry } from '../../domain/types.js';
import type { AuditQuery, Page } from '../store.js';
import { parseJson, toJson } from './sqlite-rows.js';
import type { SqliteSession } from './sqlite-session.js';

const KEY_COLUMNS = 'id, name, role, hash, created_at, created_by, expires_at, revoked_at, last_used_at';
const INSERT_KEY = `INSERT INTO api_keys (${KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const UPSERT_KEY = `${INSERT_KEY}
ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, hash = excluded.hash,
  created_at = excluded.created_at, created_by = excluded.created_by, expires_at = excluded.expires_at,
  revoked_at = excluded.revoked_at, last_used_at = excluded.last_used_at`;
const GET_KEY = `SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = ?`;
const LIST_KEYS = `SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`;
const REVOKE_KEY = 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL';
const TOUCH_KEY = 'UPDATE api_keys SET last_used_at = ? WHERE id = ?';
const INSERT_AUDIT = `
INSERT INTO audit_log (id, at, actor_kind, actor_id, actor_name, action, target_type, target_id, before, after)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

interface KeyRow {
  id: string;
  name: string;
  role: ApiKey['role'];
  hash: string;
  created_at: number;
  created_by: string | null;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

interface AuditRow {
  id: string;
  at: number;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before: string | null;
  after: string | null;
}

const rowToKey = (r: KeyRow): ApiKey => ({
  id: r.id,
  name: r.name,
  role: r.role,
  hash: r.hash,
  createdAt: r.created_at,
  createdBy: r.created_by,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

const keyParams = (k: ApiKey): unknown[] => [k.id, k.name, k.role, k.hash, k.createdAt, k.createdBy, k.expiresAt, k.revokedAt, k.lastUsedAt];

const rowToAudit = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: r.at,
  actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name },
  action: r.action,
  target: { type: r.target_type, id: r.target_id },
  before: r.before === null ? null : parseJson<unknown>(r.before),
  after: r.after === null ? null : parseJson<unknown>(r.after),
});

export class SqliteAccess {
  constructor(private readonly session: SqliteSession) {}

  insertKey(key: ApiKey): void {
    const s = this.session;
    s.write(() => s.statement(INSERT_KEY).run(...keyParams(key)));
  }

  upsertKey(key: ApiKey): void {
    const s = this.session;
    s.write(() => s.statement(UPSERT_KEY).run(...keyParams(key)));
  }

  getKey(id: string): ApiKey | null {
    const row = this.session.statement(GET_KEY).get(id) as KeyRow | undefined;
    return row ? rowToKey(row) : null;
  }

  listKeys(): ApiKey[] {
    return (this.session.statement(LIST_KEYS).all() as KeyRow[]).map(rowToKey);
  }

  revokeKey(id: string, at: number): boolean {
    const s = this.session;
    return s.write(() => s.statement(REVOKE_KEY).run(at, id).changes > 0);
  }

  touchKey(id: string, at: number): void {
    const s = this.session;
    s.write(() => s.statement(TOUCH_KEY).run(at, id));
  }

  appendAudit(entries: AuditEntry[]): void {
    const s = this.session;
    s.write(() => {
      const insert = s.statement(INSERT_AUDIT);
      for (const e of entries) {
        insert.run(e.id, e.at, e.actor.kind, e.actor.id, e.actor.name, e.action, e.target.type, e.target.id, e.before === undefined || e.before === null ? null : toJson(e.before), e.after === undefined || e.after === null ? null : toJson(e.after));
      }
    });
  }

  listAudit(q: AuditQuery): Page<AuditEntry> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.action !== undefined) {
      where.push('action = ?');
      params.push(q.action);
    }
    if (q.targetType !== undefined) {
      where.push('target_type = ?');
      params.push(q.targetType);
    }
    if (q.targetId !== undefined) {
      where.push('target_id = ?');
      params.push(q.targetId);
    }
    if (q.actor !== undefined) {
      where.push('(actor_id = ? OR actor_name = ?)');
      params.push(q.actor, q.actor);
    }
    if (q.from !== undefined) {
      where.push('at >= ?');
      params.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('at < ?');
      params.push(q.to);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const s = this.session;
    const total = (s.listStatement(`SELECT COUNT(*) AS n FROM audit_log ${clause}`).get(...params) as { n: number }).n;
    const rows = s.listStatement(`SELECT * FROM audit_log ${clause} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`).all(...params, q.limit, q.offset) as AuditRow[];
    return { items: rows.map(rowToAudit), total };
  }
}
