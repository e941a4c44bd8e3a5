import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyDeal, type Deal, type StageVisit } from '../../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { dealerWorkspace } from '../../examples/dealership.js';

const ws = dealerWorkspace();
const T = Date.parse('2026-02-01T00:00:00Z');

function movedDeal(): Deal {
  let deal = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'x', layoutId: 'sales', name: 'X', amount: 100, currency: 'EUR', closingDate: '2026-09-30' } }, { at: T }).deal;
  for (const [i, stageId] of ['test-drive', 'quote', 'negotiation'].entries()) deal = applyDeal(ws, deal, { type: 'moveToStage', stageId }, { at: T + (i + 1) * 1000 }).deal;
  return deal;
}

function fresh() {
  const db = new Database(':memory:');
  migrateSqlite(db);
  return { db, repos: createSqliteRepositories(db) };
}

const visitRows = (db: Database.Database) => db.prepare("SELECT seq, stage_id, exited_at FROM sp_stage_visits WHERE tenant_id = 'default' AND deal_id = 'x' ORDER BY seq").raw().all();

describe('deals.save (sqlite) stores exactly the given history', () => {
  const rewrites: [string, (h: StageVisit[]) => StageVisit[]][] = [
    ['a visit in the middle rewritten', (h) => h.map((v, i) => (i === 1 ? { ...v, stageId: 'show-models', by: 'fixer' } : v))],
    ['a shorter history', (h) => h.slice(0, 2).map((v, i) => (i === 1 ? { ...v, exitedAt: null } : v))],
    ['a longer history with a closed visit reopened', (h) => [...h.slice(0, -1), { ...h.at(-1)!, exitedAt: T + 9000 }, { ...h.at(-1)!, stageId: 'quote', enteredAt: T + 9000 }]],
    ['an unchanged history', (h) => h],
  ];
  for (const [what, rewrite] of rewrites) {
    for (const source of ['the deal as read', 'a copy of it'] as const) {
      it(`after ${what}, from ${source}`, async () => {
        const { db, repos } = fresh();
        await repos.deals.save([{ deal: movedDeal(), expectedVersion: null }]);
        const read = (await repos.deals.get('x'))!;
        const base = source === 'the deal as read' ? read : structuredClone(read);
        const next: Deal = { ...base, version: base.version + 1, history: rewrite(base.history) };
        await repos.deals.save([{ deal: next, expectedVersion: read.version }]);
        expect(await repos.deals.get('x')).toEqual(next);
        expect(await createSqliteRepositories(db).deals.get('x')).toEqual(next);
        expect(visitRows(db)).toEqual(next.history.map((v, seq) => [seq, v.stageId, v.exitedAt]));
        db.close();
      });
    }
  }

  it('writes only the closed visit and the new one when a deal moves', async () => {
    const { db, repos } = fresh();
    await repos.deals.save([{ deal: movedDeal(), expectedVersion: null }]);
    const read = (await repos.deals.get('x'))!;
    const moved = applyDeal(ws, read, { type: 'moveToStage', stageId: 'quote' }, { at: T + 60_000 }).deal;
    const writes: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      const stmt = prepare(sql);
      const run = stmt.run.bind(stmt);
      stmt.run = ((...params: unknown[]) => (writes.push(sql.trim().split(/\s+/).slice(0, 3).join(' ')), run(...params))) as typeof stmt.run;
      return stmt;
    }) as typeof db.prepare;
    const counting = createSqliteRepositories(db);
    const again = (await counting.deals.get('x'))!;
    await counting.deals.save([{ deal: applyDeal(ws, again, { type: 'moveToStage', stageId: 'quote' }, { at: T + 60_000 }).deal, expectedVersion: again.version }]);
    // The move changes the probability: the change log gains one row.
    expect(writes.sort()).toEqual(['INSERT INTO sp_deal_changes', 'INSERT INTO sp_stage_visits', 'UPDATE sp_deals SET', 'UPDATE sp_stage_visits SET']);
    expect(await counting.deals.get('x')).toEqual(moved);
    db.close();
  });

  it('hands out stage visits frozen, so nobody changes what it knows is stored', async () => {
    const { db, repos } = fresh();
    await repos.deals.save([{ deal: movedDeal(), expectedVersion: null }]);
    const read = (await repos.deals.get('x'))!;
    expect(Object.isFrozen(read.history[0])).toBe(true);
    expect(() => {
      (read.history[0] as { stageId: string }).stageId = 'won';
    }).toThrow(TypeError);
    db.close();
  });
});

describe('sqlite driver failures and hand-edited rows', () => {
  it('turns a write lock held past busy_timeout into conflict, and a closed connection into storage_failed, with the driver error as cause', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'sp-sqlite-busy-'));
    const first = new Database(join(dir, 'busy.db'));
    migrateSqlite(first);
    const second = new Database(join(dir, 'busy.db'), { timeout: 0 });
    const repos = createSqliteRepositories(second);
    first.prepare('BEGIN IMMEDIATE').run();
    const busy = await repos.deals.save([{ deal: movedDeal(), expectedVersion: null }]).then(() => null, (e: unknown) => e);
    expect(busy).toMatchObject({ code: 'conflict', details: { driverCode: 'SQLITE_BUSY' } });
    expect((busy as Error).cause).toMatchObject({ code: 'SQLITE_BUSY' });
    first.prepare('ROLLBACK').run();
    await repos.deals.save([{ deal: movedDeal(), expectedVersion: null }]);
    second.close();
    const closed = await repos.deals.get('x').then(() => null, (e: unknown) => e);
    expect(closed).toMatchObject({ code: 'storage_failed' });
    expect((closed as Error).cause).toBeInstanceOf(Error);
    first.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-validates rows only when asked: validate: true reports a hand-edited deal as storage_failed', async () => {
    const { db, repos } = fresh();
    await repos.deals.save([{ deal: movedDeal(), expectedVersion: null }]);
    db.prepare(`UPDATE sp_deals SET amount = 'lots' WHERE id = 'x'`).run();
    expect((await repos.deals.get('x'))!.amount).toBe('lots');
    const checking = createSqliteRepositories(db, { validate: true });
    await expect(checking.deals.get('x')).rejects.toMatchObject({ code: 'storage_failed', details: { dealId: 'x' } });
    await expect(checking.deals.list({ limit: 10 })).rejects.toMatchObject({ code: 'storage_failed' });
    db.close();
  });

  it('refuses malformed saves with invalid_input naming the field, writing nothing', async () => {
    const { db, repos } = fresh();
    const good = movedDeal();
    for (const [change, path] of [
      [{ deal: { ...good, id: 'a\u0000b' }, expectedVersion: null }, 'changes[0].deal.id'],
      [{ deal: { ...good, amount: '1000' }, expectedVersion: null }, 'changes[0].deal.amount'],
      [{ deal: { ...good, history: [] }, expectedVersion: null }, 'changes[0].deal.history'],
      [{ deal: { ...good, history: [{ ...good.history[0]!, stageId: '\uDC00' }] }, expectedVersion: null }, 'changes[0].deal.history[0].stageId'],
      [{ deal: good, expectedVersion: '1' }, 'changes[0].expectedVersion'],
    ] as const) {
      await expect(repos.deals.save([change as never])).rejects.toMatchObject({ code: 'invalid_input', details: { path } });
    }
    expect(await repos.deals.list({ limit: 10 })).toEqual({ deals: [], next: null });
    db.close();
  });
});

describe('deals read back (sqlite) carry every number bit for bit', () => {
  const awkward = [0.1 + 0.2, 1 / 3, 123456789.12345678, 1e300, 5e-324, 2 ** 53 + 2, 12.5, 0.07, 19.99, -42.01, 1700000000000.25];
  it('returns amounts, probabilities, revenues and instants exactly as saved, through get, getMany and list', async () => {
    const { repos } = fresh();
    const base = movedDeal();
    const deals: Deal[] = awkward.map((n, i) => ({
      ...base,
      id: `n${i}`,
      amount: n,
      history: base.history.map((v, k) => (k === 1 ? { ...v, amount: n, probability: n, expectedRevenue: -n, enteredAt: v.enteredAt + (i % 2 ? 0.5 : 0) } : v)),
    }));
    deals.push({ ...base, id: 'plain' });
    await repos.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
    for (const deal of deals) expect(Object.is((await repos.deals.get(deal.id))!.history[1]!.amount, deal.history[1]!.amount)).toBe(true);
    for (const deal of deals) expect(await repos.deals.get(deal.id)).toEqual(deal);
    expect(await repos.deals.getMany(deals.map((d) => d.id))).toEqual(deals);
    const sorted = [...deals].sort((a, b) => (a.id < b.id ? -1 : 1));
    const whole = ['history', 'changes'] as const;
    expect((await repos.deals.list({ limit: 100, include: whole })).deals).toEqual(sorted);
    expect((await repos.deals.list({ limit: 3, include: whole })).deals).toEqual(sorted.slice(0, 3));
  });
});
