import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyDeal, isPipelineError } from '../../src/index.js';
import { configureSqlite, createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { createPostgresRepositories } from '../../src/postgres.js';
import { freshTenant, pgliteDatabase } from './postgresDatabases.js';
import { newDeal, ws } from '../helpers/dealer.js';

// A deal row whose last visit row was deleted by hand: a tail read refuses it rather than
// skipping the deal (a bulk update would report it not_found) or handing it out without a visit.
const deal = applyDeal(ws, newDeal({ id: 'x' }), { type: 'moveToStage', stageId: 'test-drive' }, { at: Date.parse('2026-03-03T09:00:00Z') }).deal;

describe('a tail read of a deal whose last visit row is missing is storage_failed', () => {
  it.each([false, true])('sqlite (validate: %s)', async (validate) => {
    const db = new Database(':memory:');
    configureSqlite(db);
    migrateSqlite(db);
    const repos = createSqliteRepositories(db, { validate });
    await repos.deals.save([{ deal, expectedVersion: null }]);
    db.prepare("DELETE FROM sp_stage_visits WHERE deal_id = 'x' AND seq = 1").run();
    for (const read of [() => repos.deals.getTails(['x']), () => repos.deals.listTails({ limit: 10 })]) {
      const error = await read().then(() => null, (e: unknown) => e);
      expect(isPipelineError(error, 'storage_failed')).toBe(true);
      expect((error as Error).message).toContain('deal x');
    }
  });

  const pglite = pgliteDatabase();
  it('postgres (PGlite)', async () => {
    const db = await pglite();
    const tenantId = freshTenant();
    const repos = createPostgresRepositories(db, { tenantId });
    await repos.deals.save([{ deal, expectedVersion: null }]);
    await db.query("DELETE FROM sp_stage_visits WHERE tenant_id = $1 AND deal_id = 'x' AND seq = 1", [tenantId]);
    for (const read of [() => repos.deals.getTails(['x']), () => repos.deals.listTails({ limit: 10 })]) {
      const error = await read().then(() => null, (e: unknown) => e);
      expect(isPipelineError(error, 'storage_failed')).toBe(true);
      expect((error as Error).message).toContain('deal x');
    }
  });
});
