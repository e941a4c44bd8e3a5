import { describe, expect, it } from 'vitest';
import { createMemoryRepositories, createPipelineService, isPipelineError, type Repositories } from '../../src/index.js';
import { dealerService, T0 } from './helpers.js';

const DAY = 86_400_000;

describe('service.listDeals', () => {
  it('judges rotting at query.now by each pipeline stage\'s rotAfterDays (the pipeline\'s override first), open stages only', async () => {
    const { service } = await dealerService();
    await service.configure({ type: 'setPipelineStages', pipelineId: 'used-cars', stages: ['show-models', { stageId: 'test-drive', rotAfterDays: 2 }, { stageId: 'quote', probability: 50 }, 'negotiation', 'won', 'lost'] }, { by: 'admin' });
    await service.createDeal({ id: 'n1', layoutId: 'sales', name: 'New, requirements (7 days)' });
    await service.createDeal({ id: 'u1', layoutId: 'sales', pipelineId: 'used-cars', stageId: 'test-drive', name: 'Used, test drive (2 days here, 10 by default)' });
    await service.createDeal({ id: 'w1', layoutId: 'sales', name: 'Closed' });
    await service.dispatch('w1', { type: 'closeDeal', outcome: 'lost', lostReason: 'Price' });
    const entered = (await service.getDeal('u1'))!.history.at(-1)!.enteredAt;
    const ids = async (now: number, rotting: boolean) => (await service.listDeals({ rotting, now, limit: 100 })).deals.map((d) => d.id);
    expect(await ids(entered + 3 * DAY, true)).toEqual(['u1']);
    expect(await ids(entered + 1 * DAY, true)).toEqual([]);
    expect(await ids(entered + 30 * DAY, true)).toEqual(['n1', 'u1']); // a closed deal never rots
    expect(await ids(entered + 30 * DAY, false)).toEqual(['w1']);
    expect(await ids(entered + 3 * DAY, false)).toEqual(['n1', 'w1']);
  });

  it('filters, sorts and pages with the store, lean unless include asks', async () => {
    const { service } = await dealerService();
    for (const [id, amount, ownerId] of [['a', 500, 'ann'], ['b', 900, 'bob'], ['c', null, 'ann'], ['d', 900, 'ann']] as const) {
      await service.createDeal({ id, layoutId: 'sales', name: `Deal ${id.toUpperCase()}`, amount, currency: 'EUR', ownerId });
    }
    await service.dispatch('a', { type: 'moveToStage', stageId: 'test-drive' });
    const first = await service.listDeals({ ownerId: 'ann', sort: 'amount', order: 'desc', limit: 2 });
    expect(first.deals.map((d) => d.id)).toEqual(['d', 'a']);
    const second = await service.listDeals({ ownerId: 'ann', sort: 'amount', order: 'desc', after: first.next, limit: 2 });
    expect([second.deals.map((d) => d.id), second.next]).toEqual([['c'], null]);
    const a = first.deals[1]!;
    expect([a.history.length, 'changes' in a]).toEqual([1, false]);
    const whole = (await service.listDeals({ search: 'deal a', include: ['history', 'changes'], limit: 1 })).deals[0]!;
    expect(whole).toEqual(await service.getDeal('a'));
  });

  it('trims deals a host store hands out whole', async () => {
    const inner = createMemoryRepositories();
    const generous: Repositories = { ...inner, deals: { ...inner.deals, list: (q) => inner.deals.list({ ...q, include: ['history', 'changes'] }) } };
    const { service } = await dealerService({}, generous);
    await service.createDeal({ id: 'a', layoutId: 'sales', name: 'A' });
    await service.dispatch('a', { type: 'moveToStage', stageId: 'test-drive' });
    const [deal] = (await service.listDeals({ limit: 1 })).deals;
    expect([deal!.history.length, 'changes' in deal!]).toEqual([1, false]);
  });

  it('refuses unknown keys, a store-side rottingBefore, a malformed now and bad filters by path', async () => {
    const service = createPipelineService({ ...createMemoryRepositories(), clock: () => T0 });
    for (const [query, path] of [
      [{ limit: 10, colour: 'red' }, 'query.colour'],
      [{ limit: 10, rottingBefore: {} }, 'query.rottingBefore'],
      [{ limit: 10, rotting: true, now: 'soon' }, 'query.now'],
      [{ limit: 10, sort: 'size' }, 'query.sort'],
      [{ limit: 10, after: 'd1', sort: 'amount' }, 'query.after'],
    ] as const) {
      const error = await service.listDeals(query as never).catch((e: unknown) => e);
      expect(isPipelineError(error, 'invalid_input')).toBe(true);
      expect((error as { details: { path: string } }).details.path).toBe(path);
    }
  });
});
