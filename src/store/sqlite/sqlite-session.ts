/**
 * One better-sqlite3 connection with its prepared statements and transactions. Statements are prepared
 * on first use and kept (never re-prepared per call); they are prepared lazily because a statement
 * cannot be compiled before the migration that creates its tables has run.
 */

import type Database from 'better-sqlite3';

export type Statement = Database.Statement<unknown[], unknown>;

/** Distinct list queries kept prepared; beyond it the least recently prepared one is dropped. */
const MAX_LIST_STATEMENTS = 128;

export class SqliteSession {
  readonly db: Database.Database;
  /** The fixed statements of sqlite-sql.ts: a finite set, kept for the life of the connection. */
  private readonly statements = new Map<string, Statement>();
  /** List queries built from filters (sqlite-list-sql.ts): bounded, so odd filter mixes cannot grow it. */
  private readonly listStatements = new Map<string, Statement>();
  private readonly transaction: Database.Transaction<(body: () => unknown) => unknown>;

  constructor(db: Database.Database) {
    this.db = db;
    this.transaction = db.transaction((body: () => unknown) => body());
  }

  /** The prepared statement of a fixed SQL text, prepared once. */
  statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], unknown>(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** The prepared statement of a list query, from a bounded cache. */
  listStatement(sql: string): Statement {
    let statement = this.listStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], unknown>(sql);
      if (this.listStatements.size >= MAX_LIST_STATEMENTS) {
        const oldest = this.listStatements.keys().next();
        if (oldest.done !== true) this.listStatements.delete(oldest.value);
      }
      this.listStatements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Runs `body` in a `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so a transaction
   * never fails half-way when it upgrades from reading to writing while another process writes
   * (SQLITE_BUSY_SNAPSHOT); a waiting writer is covered by busy_timeout instead. Rolls back on throw.
   */
  write<T>(body: () => T): T {
    return this.transaction.immediate(body) as T;
  }

  /** Runs `body` in a read transaction: its statements see one snapshot. */
  read<T>(body: () => T): T {
    return this.transaction.deferred(body) as T;
  }
}
