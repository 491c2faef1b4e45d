/** The SQLite backend of the store port. */
export { SqliteStore, SQLITE_CAPABILITIES } from './sqlite-store.js';
export { parseSqliteUrl, openSqliteDatabase } from './sqlite-connection.js';
export { MIGRATIONS, applyMigrations, appliedMigrations, type Migration } from './sqlite-migrations.js';
