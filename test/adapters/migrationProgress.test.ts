import { PGlite } from '@electric-sql/pglite';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createPipelineService, isPipelineError, type Deal } from '../../src/index.js';
import { createPostgresRepositories, migratePostgres, type MigrationProgress } from '../../src/postgres.js';
import { migrateSqlite } from '../../src/sqlite.js';
import { dealerCommands } from '../../examples/dealership.js';
import { createPostgresRepositories as createV1Repositories, migratePostgres as migrateV1 } from './fixtures/postgresV1.js';
import { steppingClock } from '../service/helpers.js';
import { wholeDeals } from './postgresDatabases.js';
import { expectPipelineError } from '../helpers/expectError.js';

/** A PGlite database written by 0.1's adapter, with a few deals. */
async function versionOnePostgres(): Promise<{ db: PGlite; deals: Deal[] }> {
  const db = new PGlite();
  await migrateV1(db);
  const service = createPipelineService({ ...createV1Repositories(db), clock: steppingClock() });
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
  for (let i = 0; i < 5; i++) {
    await service.createDeal({ id: `d${i}`, layoutId: 'sales', name: `Deal ${i}` });
    if (i % 2) await service.dispatch(`d${i}`, { type: 'moveToStage', stageId: 'test-drive' });
  }
  return { db, deals: await wholeDeals(createV1Repositories(db)) };
}

const schemaVersion = async (db: PGlite) => (await db.query<{ version: number }>('SELECT version FROM sp_schema')).rows;

describe('migratePostgres progress and cancellation', () => {
  it('tells onProgress after each committed step, and nothing when there is nothing to do', async () => {
    const { db, deals } = await versionOnePostgres();
    const seen: MigrationProgress[] = [];
    expect(await migratePostgres(db, { onProgress: (p) => seen.push(p) })).toBe(3);
    expect(seen).toEqual([{ done: 1, total: 2, version: 2 }, { done: 2, total: 2, version: 3 }]);
    expect(await wholeDeals(createPostgresRepositories(db))).toEqual(deals);
    seen.length = 0;
    expect(await migratePostgres(db, { onProgress: (p) => seen.push(p) })).toBe(3);
    expect(seen).toEqual([]);
    await db.close();
  }, 60_000);

  it('stops between steps when aborted, keeping the committed step; running it again goes on from there', async () => {
    const { db, deals } = await versionOnePostgres();
    const controller = new AbortController();
    expect(await migratePostgres(db, { signal: controller.signal, onProgress: () => controller.abort() })).toBe(2);
    expect(await schemaVersion(db)).toEqual([{ version: 2 }]);
    const seen: MigrationProgress[] = [];
    expect(await migratePostgres(db, { onProgress: (p) => seen.push(p) })).toBe(3);
    expect(seen).toEqual([{ done: 1, total: 1, version: 3 }]);
    expect(await wholeDeals(createPostgresRepositories(db))).toEqual(deals);
    await db.close();
  }, 60_000);

  it('does nothing with a signal aborted before it starts, and refuses malformed options naming them', async () => {
    const db = new PGlite();
    expect(await migratePostgres(db, { signal: AbortSignal.abort() })).toBe(0);
    expect((await db.query(`SELECT to_regclass('sp_schema') AS t`)).rows).toEqual([{ t: null }]);
    for (const [options, path] of [[5, 'options'], [{ onProgress: 1 }, 'options.onProgress'], [{ signal: 'stop' }, 'options.signal']] as const) {
      const e = await migratePostgres(db, options as never).catch((x: unknown) => x);
      expect(isPipelineError(e, 'invalid_input') && e.details).toMatchObject({ path });
    }
    const seen: MigrationProgress[] = [];
    expect(await migratePostgres(db, { onProgress: (p) => seen.push(p) })).toBe(3);
    expect(seen).toEqual([{ done: 1, total: 1, version: 3 }]);
    await db.close();
  }, 60_000);
});

describe('migrateSqlite progress and cancellation', () => {
  it('tells onProgress once its one step commits, and nothing when there is nothing to do', () => {
    const db = new Database(':memory:');
    const seen: MigrationProgress[] = [];
    expect(migrateSqlite(db, { onProgress: (p) => seen.push(p) })).toBe(6);
    expect(seen).toEqual([{ done: 1, total: 1, version: 6 }]);
    expect(migrateSqlite(db, { onProgress: (p) => seen.push(p) })).toBe(6);
    expect(seen).toHaveLength(1);
  });

  it('leaves the database as it is with a signal aborted before it starts, and refuses malformed options naming them', () => {
    const db = new Database(':memory:');
    expect(migrateSqlite(db, { signal: AbortSignal.abort() })).toBe(0);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get()).toBe(0);
    for (const [options, path] of [[5, 'options'], [{ onProgress: 1 }, 'options.onProgress'], [{ signal: 'stop' }, 'options.signal']] as const) {
      expect(expectPipelineError(() => migrateSqlite(db, options as never), 'invalid_input').details).toMatchObject({ path });
    }
    expect(migrateSqlite(db)).toBe(6);
  });
});
