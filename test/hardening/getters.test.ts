import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { applyDeal, checkTransition, createMemoryRepositories, type Repositories } from '../../src/index.js';
import { configureSqlite, createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { createPostgresRepositories } from '../../src/postgres.js';
import { freshTenant, pgliteDatabase } from '../adapters/postgresDatabases.js';
import { newDeal, T0, ws } from '../helpers/dealer.js';

/** An object whose every key answers its first value on the first read and its second on every later one. */
function flipping(values: Record<string, [first: unknown, then: unknown]>): object {
  const out = {};
  for (const [key, [first, then]] of Object.entries(values)) {
    let reads = 0;
    Object.defineProperty(out, key, { enumerable: true, get: () => (reads++ === 0 ? first : then) });
  }
  return out;
}

describe('inputs are read once: a getter cannot slip a value past the checks', () => {
  it('applyDeal reads the context once: the instant and the actor it checked are the ones it uses', () => {
    const ctx = flipping({ at: [T0 + 1, Number.NaN], by: ['ann', ''] });
    const { deal } = applyDeal(ws, newDeal(), { type: 'moveToStage', stageId: 'test-drive' }, ctx as never);
    expect(deal.updatedAt).toBe(T0 + 1);
    expect(deal.history.at(-1)!.by).toBe('ann');
  });

  it('applyDeal reads a moveToStage command once: the lost reason it checked is the one it stores', () => {
    const command = flipping({ type: ['moveToStage', 'moveToStage'], stageId: ['lost', 'lost'], lostReason: ['Budget', 'x'.repeat(5000)] });
    const { deal } = applyDeal(ws, newDeal(), command as never, { at: T0 + 1 });
    expect(deal.stageId).toBe('lost');
    expect(deal.lostReason).toBe('Budget');
  });

  it('checkTransition reads its target once: the lost reason it checked is the one it judges', () => {
    const target = flipping({ stageId: ['lost', 'lost'], lostReason: ['Budget', undefined] });
    expect(checkTransition(ws, newDeal(), target as never)).toMatchObject({ allowed: true });
  });


  it('applyDeal keeps its own actor when a getter on the context runs another applyDeal', () => {
    const inner = () => applyDeal(ws, newDeal(), { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + 2, by: 'bob' });
    const ctx = {
      get at() {
        inner();
        return T0 + 1;
      },
      get by() {
        inner();
        return 'ann';
      },
    };
    const { deal, events } = applyDeal(ws, newDeal(), { type: 'moveToStage', stageId: 'test-drive' }, ctx);
    expect(deal.history.at(-1)!.by).toBe('ann');
    expect(events[0]!.by).toBe('ann');
    expect(deal.updatedAt).toBe(T0 + 1);
  });

  const pglite = pgliteDatabase();
  const stores: [string, () => Repositories | Promise<Repositories>][] = [
    ['memory', () => createMemoryRepositories()],
    ['postgres (PGlite)', async () => createPostgresRepositories(await pglite(), { tenantId: freshTenant() })],
    ['sqlite', () => {
      const db = new Database(':memory:');
      configureSqlite(db);
      migrateSqlite(db);
      return createSqliteRepositories(db);
    }],
  ];
  it.each(stores)('%s: a deal save reads historyStart once: the position it checked is the one it writes from', async (_name, make) => {
    const repos = await make();
    const created = newDeal();
    const change = flipping({ deal: [created, created], expectedVersion: [null, null], historyStart: [0, 2] });
    await repos.deals.save([change as never]);
    expect(await repos.deals.get(created.id)).toEqual(created);
  });
});
