import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createPipelineService, isPipelineError, type Deal, type Repositories } from '../../src/index.js';
import { timelineOf } from '../../src/testing/contract/storageChecks.js';
import { createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { createPostgresRepositories, migratePostgres } from '../../src/postgres.js';
import { dealerCommands } from '../../examples/dealership.js';
import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL } from './postgresDatabases.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const HOUR = 3_600_000;
const pglite = pgliteDatabase();
const server = SERVER_URL ? serverDatabase(SERVER_URL, 2) : null;

type Store = Repositories & { deals: Required<Pick<Repositories['deals'], 'timelines'>> & Repositories['deals'] };
const STORES: [string, () => Promise<Store>][] = [
  ['sqlite', async () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    return createSqliteRepositories(db);
  }],
  ['pglite', async () => {
    const db = await pglite();
    await migratePostgres(db);
    return createPostgresRepositories(db, { tenantId: freshTenant('timelines') });
  }],
  ...(server ? [['postgres', async () => createPostgresRepositories(await server(), { tenantId: freshTenant('timelines') })] as [string, () => Promise<Store>]] : []),
];

describe('deals.timelines', () => {
  for (const [name, make] of STORES) {
    it(`${name}: the stored deals in id order, page after page, with visits begun before \`before\` and the value changes; an erased deal is left out`, async () => {
      const repos = await make();
      let t = T0;
      const service = createPipelineService({ ...repos, clock: () => (t += HOUR) });
      for (const c of dealerCommands) await service.configure(c, { by: 'admin' });
      for (const id of ['c', 'a', 'e', 'b', 'd']) {
        await service.createDeal({ id, layoutId: 'sales', name: `Deal ${id}`, amount: 1000, currency: 'EUR', closingDate: '2026-04-30' });
        await service.dispatch(id, { type: 'moveToStage', stageId: 'test-drive' });
        await service.dispatch(id, { type: 'updateDeal', patch: { amount: 1500, closingDate: '2026-05-31', ownerId: 'ann' } });
      }
      await service.eraseDeal('b', { by: 'dpo' });
      const stored = (await Promise.all(['a', 'c', 'd', 'e'].map((id) => service.getDeal(id)))) as Deal[];
      const first = await repos.deals.timelines({ limit: 3 });
      expect(first.deals).toEqual(stored.slice(0, 3).map((d) => timelineOf(d)));
      expect(first.next).not.toBeNull();
      expect(first.deals[0]!.changes.map((c) => c.field).sort()).toEqual(['amount', 'closingDate']);
      expect(stored[0]!.changes?.map((c) => c.field)).toContain('ownerId');
      const rest = await repos.deals.timelines({ limit: 3, after: first.next });
      expect(rest).toEqual({ deals: [timelineOf(stored[3]!)], next: null });
      const cut = stored[1]!.history[1]!.enteredAt;
      expect((await repos.deals.timelines({ limit: 10, before: cut })).deals).toEqual(stored.map((d) => timelineOf(d, cut)));
      for (const [q, path] of [[{ limit: 0 }, 'query.limit'], [{ limit: 1.5 }, 'query.limit'], [{ limit: 5, after: '' }, 'query.after'], [{ limit: 5, before: 'soon' }, 'query.before'], [null, 'query']] as const) {
        const e = await repos.deals.timelines(q as never).then(() => null, (x: unknown) => x);
        expect(isPipelineError(e, 'invalid_input') && e.details, `${name}: ${JSON.stringify(q)}`).toMatchObject({ path });
      }
    });
  }
});
