/** Settings: small JSON values by key (scheduler standby, installed keys, …). */

import { parseJson, toJson } from './sqlite-rows.js';
import type { SqliteSession } from './sqlite-session.js';
import * as sql from './sqlite-sql.js';

export class SqliteSettings {
  constructor(private readonly session: SqliteSession) {}

  /** The stored value, or undefined when the key is not set. */
  get(key: string): unknown {
    const row = this.session.statement(sql.GET_SETTING).get(key) as { value: string } | undefined;
    return row === undefined ? undefined : parseJson<unknown>(row.value);
  }

  /** Stores a JSON value; `undefined` removes the key. */
  set(key: string, value: unknown): void {
    const s = this.session;
    s.write(() => {
      if (value === undefined) s.statement(sql.DELETE_SETTING).run(key);
      else s.statement(sql.UPSERT_SETTING).run(key, toJson(value));
    });
  }
}
