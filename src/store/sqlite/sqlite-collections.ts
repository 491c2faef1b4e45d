/** Collections: namespaces of jobs with quotas. `default` exists from the first migration and stays. */

import { conflict } from '../../domain/errors.js';
import type { Collection } from '../../domain/types.js';
import { rowToCollection, type CollectionRow } from './sqlite-rows.js';
import type { SqliteSession } from './sqlite-session.js';
import * as sql from './sqlite-sql.js';

export const DEFAULT_COLLECTION = 'default';

export class SqliteCollections {
  constructor(private readonly session: SqliteSession) {}

  get(name: string): Collection | null {
    const row = this.session.statement(sql.GET_COLLECTION).get(name) as CollectionRow | undefined;
    return row === undefined ? null : rowToCollection(row);
  }

  list(): Collection[] {
    return (this.session.statement(sql.LIST_COLLECTIONS).all() as CollectionRow[]).map(rowToCollection);
  }

  /** Creates or replaces; an existing collection keeps its createdAt. */
  put(c: Collection): void {
    const s = this.session;
    s.write(() =>
      s
        .statement(sql.UPSERT_COLLECTION)
        .run(c.name, c.description, c.maxJobs, c.minInterval, c.createdAt, c.updatedAt),
    );
  }

  delete(name: string): boolean {
    const s = this.session;
    return s.write(() => {
      if (s.statement(sql.GET_COLLECTION).get(name) === undefined) return false;
      if (name === DEFAULT_COLLECTION) throw conflict(`collection '${name}' cannot be deleted`);
      if (s.statement(sql.COLLECTION_HAS_JOBS).get(name) !== undefined) {
        throw conflict(`collection '${name}' still holds jobs: delete or move them first`);
      }
      s.statement(sql.DELETE_COLLECTION).run(name);
      return true;
    });
  }
}
