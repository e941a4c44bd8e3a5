import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyDeal, type Deal } from '../../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { dealerWorkspace } from '../../examples/dealership.js';

const ws = dealerWorkspace();
const T = Date.parse('2026-02-01T00:00:00Z');

function created(id = 'x'): Deal {
  return applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId: 'sales', name: 'X', amount: 100, currency: 'EUR', closingDate: '2026-09-30' } }, { at: T }).deal;
}

function twoConnections() {
  const db = new Database(':memory:');
  migrateSqlite(db);
  return { db, a: createSqliteRepositories(db), b: createSqliteRepositories(db) };
}

describe('sqlite repositories that remember what they read and saved', () => {
  it('read a deal saved through other repositories as stored, not as they last saw it', async () => {
    const { a, b } = twoConnections();
    await a.deals.save([{ deal: created(), expectedVersion: null }]);
    const seen = (await a.deals.get('x'))!;
    const moved = applyDeal(ws, (await b.deals.get('x'))!, { type: 'moveToStage', stageId: 'test-drive' }, { at: T + 1000 }).deal;
    await b.deals.save([{ deal: moved, expectedVersion: seen.version }]);
    expect(await a.deals.get('x')).toEqual(moved);
  });

  it('refuse a save over a version they read once another writer moved the deal on, naming it and writing nothing', async () => {
    const { db, a, b } = twoConnections();
    await a.deals.save([{ deal: created(), expectedVersion: null }]);
    const stale = (await a.deals.get('x'))!;
    const first = applyDeal(ws, (await b.deals.get('x'))!, { type: 'moveToStage', stageId: 'test-drive' }, { at: T + 1000 }).deal;
    await b.deals.save([{ deal: first, expectedVersion: stale.version }]);
    const late = applyDeal(ws, stale, { type: 'moveToStage', stageId: 'test-drive' }, { at: T + 2000 }).deal;
    await expect(a.deals.save([{ deal: late, expectedVersion: stale.version }])).rejects.toMatchObject({ code: 'conflict', details: { ids: ['x'] } });
    expect(await createSqliteRepositories(db).deals.get('x')).toEqual(first);
    expect(await a.deals.get('x')).toEqual(first);
  });

  it('name every deal of a save that another writer moved on, and write none of them', async () => {
    const { db, a, b } = twoConnections();
    await a.deals.save(['p', 'q', 'r', 's'].map((id) => ({ deal: created(id), expectedVersion: null })));
    const read = (await a.deals.list({ limit: 10 })).deals;
    for (const id of ['q', 's']) {
      const theirs = (await b.deals.get(id))!;
      await b.deals.save([{ deal: applyDeal(ws, theirs, { type: 'moveToStage', stageId: 'test-drive' }, { at: T + 1000 }).deal, expectedVersion: theirs.version }]);
    }
    const before = (await createSqliteRepositories(db).deals.list({ limit: 10 })).deals;
    const moved = read.map((d) => ({ deal: applyDeal(ws, d, { type: 'moveToStage', stageId: 'test-drive' }, { at: T + 2000 }).deal, expectedVersion: d.version }));
    await expect(a.deals.save(moved)).rejects.toMatchObject({ code: 'conflict', details: { ids: ['q', 's'] } });
    expect((await createSqliteRepositories(db).deals.list({ limit: 10 })).deals).toEqual(before);
    expect(db.prepare("SELECT count(*) FROM sp_stage_visits WHERE tenant_id = 'default'").pluck().get()).toBe(6);
  });

  it('hand back after a save exactly what a fresh read gives, signless zeros included', async () => {
    const { db, a } = twoConnections();
    await a.deals.save([{ deal: created(), expectedVersion: null }]);
    const read = (await a.deals.get('x'))!;
    const moved = applyDeal(ws, read, { type: 'moveToStage', stageId: 'test-drive' }, { at: T + 1000 }).deal;
    const last = moved.history.length - 1;
    const odd: Deal = { ...moved, history: moved.history.map((v, i) => (i === last ? { ...v, amount: -0, expectedRevenue: -0 } : v)) };
    await a.deals.save([{ deal: odd, expectedVersion: read.version }]);
    const again = (await a.deals.get('x'))!;
    const fresh = (await createSqliteRepositories(db).deals.get('x'))!;
    expect(again).toEqual(fresh);
    expect(Object.is(again.history[last]!.amount, fresh.history[last]!.amount)).toBe(true);
    expect(Object.isFrozen(again.history[last])).toBe(true);
    // What the caller saved stays its own: nothing of it was frozen.
    expect(Object.isFrozen(odd.history[last])).toBe(false);
  });

  it('keep a save that failed out of what they remember', async () => {
    const { a } = twoConnections();
    await a.deals.save([{ deal: created(), expectedVersion: null }]);
    const read = (await a.deals.get('x'))!;
    const moved = applyDeal(ws, read, { type: 'moveToStage', stageId: 'test-drive' }, { at: T + 1000 }).deal;
    await expect(a.deals.save([{ deal: moved, expectedVersion: read.version }], { workspaceVersion: 99 })).rejects.toMatchObject({ code: 'conflict' });
    expect(await a.deals.get('x')).toEqual(read);
  });

  it('load a workspace saved through other repositories', async () => {
    const { a, b } = twoConnections();
    await a.workspace.save(ws, 0);
    expect((await a.workspace.load()).version).toBe(ws.version);
    const renamed = { ...ws, version: ws.version + 1, layouts: ws.layouts.map((l) => ({ ...l, name: 'Renamed' })) };
    await b.workspace.save(renamed, ws.version);
    expect(await a.workspace.load()).toEqual(renamed);
  });
});
