/** Collections: namespaces of jobs with quotas. `default` exists from the first migration and stays. */

import { conflict } from '../../domain/errors.js';
import type { Collection } from '../../domain/types.js';
import { rowToCollection, type CollectionRow } from './postgres-rows.js';
import type { PostgresSession } from './postgres-session.js';
import * as sql from './postgres-sql.js';

export const DEFAULT_COLLECTION = 'default';

export class PostgresCollections {
  constructor(private readonly session: PostgresSession) {}

  async get(name: string): Promise<Collection | null> {
    const [row] = await this.session.rows<CollectionRow>(sql.GET_COLLECTION, [name]);
    return row === undefined ? null : rowToCollection(row);
  }

  async list(): Promise<Collection[]> {
    return (await this.session.rows<CollectionRow>(sql.LIST_COLLECTIONS)).map(rowToCollection);
  }

  /** Creates or replaces; an existing collection keeps its createdAt. */
  async put(c: Collection): Promise<void> {
    await this.session.retrying((q) =>
      q.changes(sql.UPSERT_COLLECTION, [
        c.name,
        c.description,
        c.maxJobs,
        c.minInterval,
        c.createdAt,
        c.updatedAt,
      ]),
    );
  }

  /** The collection row stays locked while its jobs are looked for, so the answer holds until deleted. */
  async delete(name: string): Promise<boolean> {
    return this.session.write(async (q) => {
      if ((await q.rows(sql.LOCK_COLLECTION, [name])).length === 0) return false;
      if (name === DEFAULT_COLLECTION) throw conflict(`collection '${name}' cannot be deleted`);
      if ((await q.rows(sql.COLLECTION_HAS_JOBS, [name])).length > 0) {
        throw conflict(`collection '${name}' still holds jobs: delete or move them first`);
      }
      await q.changes(sql.DELETE_COLLECTION, [name]);
      return true;
    });
  }
}
