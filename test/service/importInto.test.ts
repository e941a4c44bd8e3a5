import Database from 'better-sqlite3';
import { createMemoryRepositories } from '../../src/index.js';
import { configureSqlite, createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { createPostgresRepositories } from '../../src/postgres.js';
import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL } from '../adapters/postgresDatabases.js';
import { importSuite } from './importSuite.js';

importSuite('memory', async () => createMemoryRepositories());

importSuite('sqlite', async () => {
  const db = new Database(':memory:');
  configureSqlite(db);
  migrateSqlite(db);
  return createSqliteRepositories(db);
});

const pglite = pgliteDatabase();
importSuite('postgres (PGlite)', async () => createPostgresRepositories(await pglite(), { tenantId: freshTenant('import') }));

if (SERVER_URL) {
  const server = serverDatabase(SERVER_URL);
  importSuite('postgres server', async () => createPostgresRepositories(await server(), { tenantId: freshTenant('import') }));
}
