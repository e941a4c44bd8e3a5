// The public surface of sales-pipelines/postgres: the PostgreSQL adapter. `pg` is an optional
// peer dependency and is never imported: the adapter speaks to any client with `query` (PGlite
// as is, a `pg` Pool through fromPgPool).

export { createPostgresRepositories, type PostgresRepositoryOptions } from './adapters/postgres/createPostgresRepositories.js';
export { migratePostgres } from './adapters/postgres/schema.js';
export type { MigrationOptions, MigrationProgress } from './adapters/migration.js';
export { fromPgPool, type PostgresClient, type PostgresQueryable, type PgPoolLike, type PgPoolConnection, type PgQueryConfig, type PostgresQueryOptions } from './adapters/postgres/client.js';
