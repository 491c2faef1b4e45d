/** Settings: small JSON values by key (scheduler standby, installed keys, …). */

import { toJson } from './postgres-rows.js';
import type { PostgresSession } from './postgres-session.js';
import * as sql from './postgres-sql.js';

export class PostgresSettings {
  constructor(private readonly session: PostgresSession) {}

  /** The stored value, or undefined when the key is not set. */
  async get(key: string): Promise<unknown> {
    const [row] = await this.session.rows<{ value: unknown }>(sql.GET_SETTING, [key]);
    return row === undefined ? undefined : row.value;
  }

  /** Stores a JSON value; `undefined` removes the key. */
  async set(key: string, value: unknown): Promise<void> {
    if (value === undefined) await this.session.changes(sql.DELETE_SETTING, [key]);
    else await this.session.retrying((q) => q.changes(sql.UPSERT_SETTING, [key, toJson(value)]));
  }
}
