import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { fromPgPool, migratePostgres, type PostgresClient } from '../../src/postgres.js';

/** The PostgreSQL server the suites also run on, when configured (see the README). */
export const SERVER_URL = process.env.SALES_PIPELINES_PG_URL;

/** A migrated PGlite database, shared by the tests of one file (closed after them). */
export function pgliteDatabase(): () => Promise<PGlite> {
  let db: Promise<PGlite> | undefined;
  const get = () => (db ??= (async () => {
    const fresh = new PGlite();
    await migratePostgres(fresh);
    return fresh;
  })());
  // PGlite takes a few seconds to start: not inside the first test's time budget.
  beforeAll(async () => void (await get()), 60_000);
  afterAll(async () => (await db)?.close());
  return get;
}

/** A migrated database on the configured server through a `pg` pool (ended after the file's tests). */
export function serverDatabase(url: string, max = 10): () => Promise<PostgresClient & { pool: pg.Pool }> {
  let db: Promise<PostgresClient & { pool: pg.Pool }> | undefined;
  const get = () => (db ??= (async () => {
    const pool = new pg.Pool({ connectionString: url, max });
    const client = Object.assign(fromPgPool(pool), { pool });
    await migratePostgres(client);
    return client;
  })());
  beforeAll(async () => void (await get()), 60_000);
  afterAll(async () => (await db)?.pool.end());
  return get;
}

/** A tenant id no earlier run used: each check gets empty repositories on a shared database. */
export function freshTenant(label = 't'): string {
  return `${label}-${randomUUID()}`;
}

/** Every deal, whole: listings that ask for the history and the change log (lean deals otherwise). */
export { wholeDeals } from '../helpers/paging.js';
