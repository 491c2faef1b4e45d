/** API keys and the audit log. */

import type { ApiKey, AuditEntry } from '../../domain/types.js';
import type { AuditQuery, Page } from '../store.js';
import { toJson } from './postgres-rows.js';
import type { PostgresSession } from './postgres-session.js';

const KEY_COLUMNS = 'id, name, role, hash, created_at, created_by, expires_at, revoked_at, last_used_at';
const INSERT_KEY = `INSERT INTO api_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;
const UPSERT_KEY = `${INSERT_KEY}
ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, hash = excluded.hash,
  created_at = excluded.created_at, created_by = excluded.created_by, expires_at = excluded.expires_at,
  revoked_at = excluded.revoked_at, last_used_at = excluded.last_used_at`;
const GET_KEY = `SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`;
const LIST_KEYS = `SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`;
const REVOKE_KEY = 'UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL';
const TOUCH_KEY = 'UPDATE api_keys SET last_used_at = $1 WHERE id = $2';
const INSERT_AUDIT = `
INSERT INTO audit_log (id, at, actor_kind, actor_id, actor_name, action, target_type, target_id, before, after)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::jsonb[], $10::jsonb[])`;

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
  before: unknown;
  after: unknown;
}

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const rowToKey = (r: KeyRow): ApiKey => ({
  id: r.id,
  name: r.name,
  role: r.role,
  hash: r.hash,
  createdAt: num(r.created_at),
  createdBy: r.created_by,
  expiresAt: numOrNull(r.expires_at),
  revokedAt: numOrNull(r.revoked_at),
  lastUsedAt: numOrNull(r.last_used_at),
});

const keyParams = (k: ApiKey): unknown[] => [k.id, k.name, k.role, k.hash, k.createdAt, k.createdBy, k.expiresAt, k.revokedAt, k.lastUsedAt];

const rowToAudit = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: num(r.at),
  actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name },
  action: r.action,
  target: { type: r.target_type, id: r.target_id },
  before: r.before ?? null,
  after: r.after ?? null,
});

export class PostgresAccess {
  constructor(private readonly session: PostgresSession) {}

  async insertKey(key: ApiKey): Promise<void> {
    await this.session.changes(INSERT_KEY, keyParams(key));
  }

  async upsertKey(key: ApiKey): Promise<void> {
    await this.session.changes(UPSERT_KEY, keyParams(key));
  }

  async getKey(id: string): Promise<ApiKey | null> {
    const [row] = await this.session.rows<KeyRow>(GET_KEY, [id]);
    return row ? rowToKey(row) : null;
  }

  async listKeys(): Promise<ApiKey[]> {
    return (await this.session.rows<KeyRow>(LIST_KEYS)).map(rowToKey);
  }

  async revokeKey(id: string, at: number): Promise<boolean> {
    return (await this.session.changes(REVOKE_KEY, [at, id])) > 0;
  }

  async touchKey(id: string, at: number): Promise<void> {
    await this.session.changes(TOUCH_KEY, [at, id]);
  }

  async appendAudit(entries: AuditEntry[]): Promise<void> {
    if (!entries.length) return;
    const json = (v: unknown): string | null => (v === undefined || v === null ? null : toJson(v));
    await this.session.changes(INSERT_AUDIT, [
      entries.map((e) => e.id),
      entries.map((e) => e.at),
      entries.map((e) => e.actor.kind),
      entries.map((e) => e.actor.id),
      entries.map((e) => e.actor.name),
      entries.map((e) => e.action),
      entries.map((e) => e.target.type),
      entries.map((e) => e.target.id),
      entries.map((e) => json(e.before)),
      entries.map((e) => json(e.after)),
    ]);
  }

  async listAudit(q: AuditQuery): Promise<Page<AuditEntry>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: number) => string, ...values: unknown[]): void => {
      where.push(sql(params.length + 1));
      params.push(...values);
    };
    if (q.action !== undefined) add((n) => `action = $${n}`, q.action);
    if (q.targetType !== undefined) add((n) => `target_type = $${n}`, q.targetType);
    if (q.targetId !== undefined) add((n) => `target_id = $${n}`, q.targetId);
    if (q.actor !== undefined) add((n) => `(actor_id = $${n} OR actor_name = $${n + 1})`, q.actor, q.actor);
    if (q.from !== undefined) add((n) => `at >= $${n}`, q.from);
    if (q.to !== undefined) add((n) => `at < $${n}`, q.to);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [count] = await this.session.adhoc<{ n: string }>(`SELECT COUNT(*) AS n FROM audit_log ${clause}`, params);
    const rows = await this.session.adhoc<AuditRow>(
      `SELECT * FROM audit_log ${clause} ORDER BY at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    );
    return { items: rows.map(rowToAudit), total: Number(count?.n ?? 0) };
  }
}
