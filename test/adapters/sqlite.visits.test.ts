import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createPipelineService, dwellStats, isPipelineError, type Deal, type VisitQuery, type VisitRow } from '../../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { dealerCommands } from '../../examples/dealership.js';
import { steppingClock } from '../service/helpers.js';
import { everyPage, wholeDeals as allDeals } from '../helpers/paging.js';

async function dealerDatabase() {
  const db = new Database(':memory:');
  migrateSqlite(db);
  const repos = createSqliteRepositories(db, { tenantId: 'dealer' });
  const service = createPipelineService({ ...repos, clock: steppingClock() });
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
  const salesPath = ['test-drive', 'quote', 'negotiation'];
  for (let i = 0; i < 40; i++) {
    const id = `deal-${String(i).padStart(2, '0')}`;
    const service_ = i % 4 === 0;
    await service.createDeal({ id, layoutId: service_ ? 'service' : 'sales', name: `Deal ${i}`, amount: 500 * i, currency: 'EUR', closingDate: '2026-10-31' });
    const path = service_ ? ['repair', 'quality-check'] : salesPath;
    for (const stageId of path.slice(0, i % (path.length + 1))) await service.dispatch(id, { type: 'moveToStage', stageId });
    if (!service_ && i % 3 === 0) await service.dispatch(id, { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } });
  }
  return { db, repos, deals: await allDeals(repos) };
}

function rowsOf(deals: readonly Deal[]): VisitRow[] {
  return deals.flatMap((d) => d.history.map((v) => ({ dealId: d.id, layoutId: d.layoutId, pipelineId: v.pipelineId, stageId: v.stageId, enteredAt: v.enteredAt, exitedAt: v.exitedAt })));
}

async function allVisits(repos: ReturnType<typeof createSqliteRepositories>, q: Omit<VisitQuery, 'limit' | 'after'>, limit: number): Promise<VisitRow[]> {
  const pages = await everyPage((after) => repos.visits.list({ ...q, after, limit }));
  for (const page of pages) expect(page.visits.length).toBeLessThanOrEqual(limit);
  return pages.flatMap((page) => page.visits);
}

/** Deals rebuilt from visit rows alone: what dwellStats needs of a deal. */
function dealsFromVisits(rows: readonly VisitRow[]): Deal[] {
  const byDeal = new Map<string, VisitRow[]>();
  for (const r of rows) byDeal.set(r.dealId, [...(byDeal.get(r.dealId) ?? []), r]);
  return [...byDeal].map(([id, visits]) => {
    const last = visits[visits.length - 1]!;
    return {
      id, layoutId: last.layoutId, pipelineId: last.pipelineId, stageId: last.stageId, name: id, amount: null, currency: null, probability: 0,
      closingDate: null, ownerId: null, lostReason: null, fields: {}, createdAt: visits[0]!.enteredAt, updatedAt: last.enteredAt, version: 1,
      history: visits.map((v) => ({
        pipelineId: v.pipelineId, stageId: v.stageId, enteredAt: v.enteredAt, exitedAt: v.exitedAt, amount: null, probability: 0,
        expectedRevenue: null, closingDate: null, forecastCategory: 'pipeline' as const, outcome: 'open' as const, by: null, bypassedRules: false,
      })),
    };
  });
}

describe('visits.list (sqlite)', () => {
  it('gives the same rows as the deals\' histories, by deal and seq, on every page size', async () => {
    const { db, repos, deals } = await dealerDatabase();
    expect(deals.some((d) => d.history.length >= 4)).toBe(true);
    for (const limit of [1, 7, 1000]) expect(await allVisits(repos, {}, limit)).toEqual(rowsOf(deals));
    db.close();
  });

  it('filters by the visit\'s own pipeline (null for none) and by layout', async () => {
    const { db, repos, deals } = await dealerDatabase();
    const all = rowsOf(deals);
    expect(new Set(all.map((r) => r.pipelineId))).toEqual(new Set(['new-cars', 'used-cars', 'repair']));
    expect(await allVisits(repos, { pipelineId: 'new-cars' }, 5)).toEqual(all.filter((r) => r.pipelineId === 'new-cars'));
    expect(await allVisits(repos, { pipelineId: 'used-cars' }, 5)).toEqual(all.filter((r) => r.pipelineId === 'used-cars'));
    expect(await allVisits(repos, { layoutId: 'service' }, 5)).toEqual(all.filter((r) => r.layoutId === 'service'));
    expect(await allVisits(repos, { pipelineId: null }, 5)).toEqual([]);
    db.close();
  });

  it('gives dwellStats over the visits equal to dwellStats over the deals', async () => {
    const { db, repos, deals } = await dealerDatabase();
    const fromVisits = dealsFromVisits(await allVisits(repos, {}, 13));
    const now = Date.parse('2026-12-01T00:00:00Z');
    for (const opts of [{ now }, { now, includeOpen: true }, { now, pipelineId: 'new-cars' }, { now, businessDays: true }]) {
      const expected = dwellStats(deals, opts);
      expect(expected.length).toBeGreaterThan(0);
      expect(dwellStats(fromVisits, opts)).toEqual(expected);
    }
    db.close();
  });

  it('refuses a cursor it did not make and a limit below 1 with invalid_input', async () => {
    const { db, repos } = await dealerDatabase();
    for (const q of [{ after: 'not a cursor', limit: 5 }, { after: '[1, 2]', limit: 5 }, { limit: 0 }, { pipelineId: 3 as never, limit: 5 }]) {
      const error = await repos.visits.list(q).then(() => null, (e: unknown) => e);
      expect(isPipelineError(error, 'invalid_input'), JSON.stringify(q)).toBe(true);
    }
    db.close();
  });
});
