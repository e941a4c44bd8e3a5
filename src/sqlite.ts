// The public surface of sales-pipelines/sqlite: repositories over better-sqlite3 12.

export {
  createSqliteRepositories,
  type SqliteRepositoryOptions,
  type SqliteRepositories,
} from './adapters/sqlite/createSqliteRepositories.js';
export { migrateSqlite, configureSqlite, SCHEMA_VERSION, DEFAULT_TENANT } from './adapters/sqlite/schema.js';
/** @category Storage */
export type { MigrationOptions, MigrationProgress } from './adapters/migration.js';
export type { SqliteDwellQuery } from './adapters/sqlite/dwell.js';
export type { SqliteVisitRepository } from './adapters/sqlite/visits.js';
export type { SqliteDatabase, SqliteStatement, SqliteTransaction } from './adapters/sqlite/database.js';
