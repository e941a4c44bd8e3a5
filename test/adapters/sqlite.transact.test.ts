import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyDeal, createPipelineService, type Deal } from '../../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { dealerWorkspace } from '../../examples/dealership.js';

const ws = dealerWorkspace();
const T = Date.parse('2026-02-01T00:00:00Z');

async function stored() {
  const db = new Database(':memory:');
  migrateSqlite(db);
  const repos = createSqliteRepositories(db);
  await repos.workspace.save(ws, 0);
  const deal = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'x', layoutId: 'sales', name: 'X', amount: 100, currency: 'EUR' } }, { at: T }).deal;
  await repos.deals.save([{ deal, expectedVersion: null }]);
  return { db, repos, deal };
}

describe('deals.transact (sqlite) reads, decides and saves in one transaction', () => {
  it('hands decide the stored deal and workspace and saves what it returns, events in the outbox when asked', async () => {
    const { repos, deal } = await stored();
    let moved: Deal | null = null;
    await repos.deals.transact('x', (current, workspace) => {
      expect(current).toEqual(deal);
      expect(workspace.version).toBe(ws.version);
      const decision = applyDeal(workspace, current!, { type: 'moveToStage', stageId: 'test-drive' }, { at: T + 1000 });
      moved = decision.deal;
      return decision;
    }, { events: true });
    expect(await repos.deals.get('x')).toEqual(moved);
    expect((await repos.outbox.pending(10)).map((p) => p.event.type)).toEqual(['dealStageChanged']);
  });

  it('hands decide null for a deal that does not exist, and saves nothing when decide returns null', async () => {
    const { repos, deal } = await stored();
    const seen: (Deal | null)[] = [];
    await repos.deals.transact('nope', (current) => (seen.push(current), null));
    await repos.deals.transact('x', () => null);
    expect(seen).toEqual([null]);
    expect(await repos.deals.get('x')).toEqual(deal);
    expect(await repos.outbox.pending(10)).toEqual([]);
  });

  it('rejects with what decide threw, writing nothing', async () => {
    const { repos, deal } = await stored();
    const boom = new Error('decided against it');
    await expect(repos.deals.transact('x', () => {
      throw boom;
    })).rejects.toBe(boom);
    expect(await repos.deals.get('x')).toEqual(deal);
  });

  it('refuses malformed calls and decisions with invalid_input naming the field, writing nothing', async () => {
    const { repos, deal } = await stored();
    const other = { ...deal, id: 'y', version: 2 };
    await expect(repos.deals.transact(7 as never, () => null)).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'id' } });
    await expect(repos.deals.transact('x', 'nope' as never)).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'decide' } });
    await expect(repos.deals.transact('x', () => ({ deal: other, events: [] }))).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'decision.deal.id' } });
    await expect(repos.deals.transact('x', () => ({ deal: { ...deal, version: 2, amount: 'lots' } as never, events: [] }))).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'changes[0].deal.amount' } });
    expect(await repos.deals.list({ limit: 10, include: ['history', 'changes'] })).toEqual({ deals: [deal], next: null });
  });

  it('gives service.dispatch the same result as a store without it', async () => {
    const a = await stored();
    const b = await stored();
    const { transact: _none, ...plainDeals } = b.repos.deals;
    const clock = () => T + 5000;
    const one = createPipelineService({ ...a.repos, clock });
    const two = createPipelineService({ ...b.repos, deals: plainDeals, clock });
    for (const stageId of ['test-drive', 'quote', 'quote']) {
      expect(await one.dispatch('x', { type: 'moveToStage', stageId }, { by: 'rep' })).toEqual(await two.dispatch('x', { type: 'moveToStage', stageId }, { by: 'rep' }));
    }
    await expect(one.dispatch('x', { type: 'moveToStage', stageId: 'won' }, { expectedVersion: 1 })).rejects.toMatchObject({ code: 'conflict' });
    await expect(one.dispatch('nope', { type: 'moveToStage', stageId: 'won' })).rejects.toMatchObject({ code: 'not_found' });
    expect(await a.repos.deals.get('x')).toEqual(await b.repos.deals.get('x'));
  });
});
