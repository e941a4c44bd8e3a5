import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDealQuery, pageOfDeals, type Deal, type DealQuery } from '../../src/index.js';
import { createSqliteRepositories, migrateSqlite, type SqliteRepositories } from '../../src/sqlite.js';
import { arbDeals, arbQuery } from './sqliteDeals.js';
import { everyPage } from '../helpers/paging.js';

async function stored(deals: readonly Deal[]): Promise<{ db: Database.Database; repos: SqliteRepositories; whole: Deal[] }> {
  const db = new Database(':memory:');
  migrateSqlite(db);
  const repos = createSqliteRepositories(db);
  if (deals.length > 0) await repos.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
  // The reference works on the deals as stored (a read gives them back whole).
  return { db, repos, whole: await repos.deals.getMany(deals.map((d) => d.id)) };
}

async function everyItem(list: (q: DealQuery) => Promise<{ next: string | null; items: unknown[] }>, q: DealQuery): Promise<unknown[]> {
  return (await everyPage((after) => list({ ...q, after }), 100)).flatMap((page) => page.items);
}

describe('deals.list (sqlite) in SQL', () => {
  it('gives every page pageOfDeals gives over the same deals, for any filters, sort, order, include and cursor', async () => {
    await fc.assert(
      fc.asyncProperty(arbDeals, fc.array(arbQuery, { minLength: 1, maxLength: 6 }), async (deals, queries) => {
        const { db, repos, whole } = await stored(deals);
        try {
          for (const q of queries) {
            const expected = pageOfDeals(whole, checkDealQuery(q));
            expect(await repos.deals.list(q)).toEqual(expected);
            // The next page from the cursor, too.
            if (expected.next !== null) expect(await repos.deals.list({ ...q, after: expected.next })).toEqual(pageOfDeals(whole, checkDealQuery({ ...q, after: expected.next })));
            // Paging through every page gives every match once, in order.
            const all = pageOfDeals(whole, checkDealQuery({ ...q, limit: 1000 })).deals;
            expect(await everyItem(async (p) => { const r = await repos.deals.list(p); return { next: r.next, items: r.deals }; }, q)).toEqual(all);
            // listTails: the same deals in the same order, each with its last visit and position.
            const tails = await everyItem(async (p) => { const r = await repos.deals.listTails(p); return { next: r.next, items: r.tails }; }, q);
            expect(tails.map((t) => (t as { deal: Deal }).deal.id)).toEqual(all.map((d) => d.id));
            for (const t of tails as { deal: Deal; historyStart: number }[]) {
              const d = whole.find((w) => w.id === t.deal.id)!;
              expect(t).toEqual({ deal: { ...d, history: d.history.slice(-1) }, historyStart: d.history.length - 1 });
            }
          }
        } finally {
          db.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('hands out lean deals unless asked: the current visit only and no change log', async () => {
    const { db, repos, whole } = await stored(fc.sample(arbDeals.filter((d) => d.some((x) => x.history.length > 1 && x.changes !== undefined)), 1)[0]!);
    const lean = (await repos.deals.list({ limit: 100 })).deals;
    expect(lean.every((d) => d.history.length === 1 && !('changes' in d))).toBe(true);
    const full = (await repos.deals.list({ limit: 100, include: ['history', 'changes'] })).deals;
    expect(full).toEqual(whole.sort((a, b) => (a.id < b.id ? -1 : 1)));
    db.close();
  });

  it('refuses a malformed query with invalid_input naming the field, as checkDealQuery does', async () => {
    const { db, repos } = await stored([]);
    for (const [q, path] of [
      [{ limit: 0 }, 'query.limit'],
      [{ limit: 10, sort: 'owner' }, 'query.sort'],
      [{ limit: 10, closingFrom: '2026-02-30' }, 'query.closingFrom'],
      [{ limit: 10, sort: 'amount', after: 'd1' }, 'query.after'],
      [{ limit: 10, after: '~amount.asc.bad' }, 'query.after'],
      [{ limit: 10, rottingBefore: { p1: { new: 'soon' } } }, 'query.rottingBefore.p1.new'],
    ] as const) {
      await expect(repos.deals.list(q as unknown as DealQuery)).rejects.toMatchObject({ code: 'invalid_input', details: { path } });
      await expect(repos.deals.listTails(q as unknown as DealQuery)).rejects.toMatchObject({ code: 'invalid_input', details: { path } });
    }
    db.close();
  });

  it('sorts a page once: an owner\'s deals in a period by amount are sorted from sp_deals_by_owner alone, then only the page is joined', async () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    const listings: string[] = [];
    // The statements the repositories prepare, as they prepare them.
    const spy = new Proxy(db, {
      get: (target, key) => (key === 'prepare' ? (sql: string) => (/LIMIT/.test(sql) && listings.push(sql), target.prepare(sql)) : Reflect.get(target, key, target)),
    });
    const repos = createSqliteRepositories(spy);
    const page = await repos.deals.list({ ownerId: 'ann', closingFrom: '2026-03-01', closingTo: '2026-03-31', sort: 'amount', order: 'desc', limit: 100 });
    expect(page.deals).toEqual([]);
    expect(listings).toHaveLength(1);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${listings[0]!}`).all(...Array<null>(listings[0]!.split('?').length - 1).fill(null)) as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan).toMatch(/COVERING INDEX sp_deals_by_owner/);
    expect(plan.match(/TEMP B-TREE/g)).toHaveLength(1);
    expect(plan).toMatch(/SEARCH d USING PRIMARY KEY/);
    db.close();
  });

  it('serves the listings from indexes: each filter and each sort by a column a move leaves alone reads an index of sp_deals', () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    const plan = (where: string, order: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN SELECT d.id FROM sp_deals d WHERE d.tenant_id = 'a' ${where} ORDER BY ${order} LIMIT 100`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan("AND d.owner_id = 'ann' AND d.closing_date >= '2026-03-01' AND d.closing_date <= '2026-03-31'", 'd.amount DESC NULLS LAST, d.id ASC')).toMatch(/USING COVERING INDEX sp_deals_by_owner/);
    expect(plan("AND d.pipeline_id = 'p1' AND d.stage_id = 'new'", 'd.id ASC')).toMatch(/USING (COVERING )?INDEX sp_deals_by_pipeline/);
    // A pipeline page after page in id order (a bulk update by pipeline): no sort per page.
    expect(plan("AND d.pipeline_id = 'p1' AND d.id > 'd-5'", 'd.id ASC')).toMatch(/INDEX sp_deals_by_pipeline_id/);
    expect(plan("AND d.pipeline_id = 'p1' AND d.id > 'd-5'", 'd.id ASC')).not.toMatch(/TEMP B-TREE/);
    expect(plan("AND d.layout_id = 'sales'", 'd.id ASC')).toMatch(/USING (COVERING )?INDEX sp_deals_by_layout/);
    for (const [column, index] of [['amount', 'by_amount'], ['closing_date', 'by_closing_date'], ['name_key', 'by_name_key']]) {
      expect(plan(`AND d.${column} > 0`, `d.${column} ASC, d.id ASC`)).toMatch(new RegExp(`INDEX sp_deals_${index}`));
    }
    // Columns every move changes have no index (each would be rewritten by every move): their
    // sorts are a top-N sort of the rows the filters select.
    for (const column of ['updated_at', 'stage_entered_at']) {
      expect(plan("AND d.owner_id = 'ann'", `d.${column} DESC, d.id ASC`)).toMatch(/TEMP B-TREE FOR ORDER BY/);
      expect(plan("AND d.owner_id = 'ann'", `d.${column} DESC, d.id ASC`)).not.toMatch(new RegExp(`sp_deals_by_${column}`));
    }
    db.close();
  });
});
