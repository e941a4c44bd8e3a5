import Database from 'better-sqlite3';
import { PGlite } from '@electric-sql/pglite';
import { afterAll } from 'vitest';
import { describeRepositoryContract } from '../../src/testing/vitest.js';
import { createSqliteRepositories, migrateSqlite } from '../../examples/adapters/sqlite.js';
import { createPostgresRepositories, migratePostgres } from '../../examples/adapters/postgres.js';
import { serviceSuite } from '../service/serviceSuite.js';

function sqlite() {
  const db = new Database(':memory:');
  migrateSqlite(db);
  return createSqliteRepositories(db);
}

// One PGlite instance (it takes a moment to start); each check gets empty tables.
const pg = new PGlite();
const ready = migratePostgres(pg);
afterAll(() => pg.close());

async function postgres() {
  await ready;
  await pg.query('TRUNCATE sp_deals, sp_workspace');
  return createPostgresRepositories(pg);
}

describeRepositoryContract('sqlite (better-sqlite3)', sqlite);
describeRepositoryContract('postgres (PGlite)', postgres);
serviceSuite('sqlite (better-sqlite3)', sqlite);
serviceSuite('postgres (PGlite)', postgres);
