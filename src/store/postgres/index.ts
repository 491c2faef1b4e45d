/** The PostgreSQL backend of the store port. */
export { PostgresStore, POSTGRES_CAPABILITIES } from './postgres-store.js';
export {
  parsePostgresUrl,
  checkSchemaName,
  DEFAULT_SCHEMA,
  DEFAULT_POOL_SIZE,
  type PostgresConfig,
  type PostgresStoreOptions,
} from './postgres-connection.js';
export { MIGRATIONS, applyMigrations, appliedMigrations, type Migration } from './postgres-migrations.js';
