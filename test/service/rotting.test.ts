import { describe, expect, it } from 'vitest';
import { dwellStats, rotsAt, stalledDeals, type BusinessCalendar } from '../../src/index.js';
import { allDeals, dealerService, HOUR, T0 } from './helpers.js';

const DAY = 24 * HOUR;
const calendar: BusinessCalendar = { timeZone: 'America/Los_Angeles', hours: { 1: [['09:00', '17:00']], 2: [['09:00', '17:00']], 3: [['09:00', '17:00']], 4: [['09:00', '17:00']], 5: [['09:00', '17:00']] } };

async function withDeals(n: number) {
  const s = await dealerService({ chunkSize: 3 });
  for (let i = 0; i < n; i++) {
    await s.service.createDeal({ id: `d${String(i).padStart(2, '0')}`, layoutId: i % 3 === 2 ? 'service' : 'sales', name: `Deal ${i}`, amount: 1000 * i, currency: 'EUR', ownerId: 'ann' }, { by: 'ann' });
  }
  return s;
}

describe('service.rottingBetween', () => {
  it('lists the stored deals whose rotsAt falls in [from, to), soonest first', async () => {
    const { service, repos } = await withDeals(20);
    const ws = await service.getWorkspace();
    const deals = await allDeals(repos);
    for (const businessDays of [undefined, calendar]) {
      const opts = businessDays === undefined ? {} : { businessDays };
      const dues = deals.map((d) => ({ id: d.id, at: rotsAt(ws, d, opts)! })).sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
      const from = dues[4]!.at;
      const to = dues[15]!.at;
      const got = await service.rottingBetween(from, to, opts);
      expect(got.map((g) => g.dealId)).toEqual(dues.filter((d) => d.at >= from && d.at < to).map((d) => d.id));
      expect(got[0]).toMatchObject({ name: expect.any(String), ownerId: 'ann', currency: 'EUR', rotsAt: from });
    }
  });

  it('is empty for an empty window and refuses a window that ends before it starts', async () => {
    const { service } = await withDeals(3);
    expect(await service.rottingBetween(T0, T0)).toEqual([]);
    await expect(service.rottingBetween(T0 + DAY, T0)).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'to' } });
    await expect(service.rottingBetween('yesterday', T0)).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'from' } });
    await expect(service.rottingBetween(T0, T0 + DAY, { businessDays: { hours: { 1: [['17:00', '09:00']] } } })).rejects.toMatchObject({
      code: 'invalid_input',
      details: { path: 'opts.businessDays.hours.1[0][1]' },
    });
  });
});

describe('service.rottingBetween({ from, to, ...opts })', () => {
  it('gives the same deals as the positional form, whatever form the instants take', async () => {
    const { service, repos } = await withDeals(12);
    const ws = await service.getWorkspace();
    const dues = (await allDeals(repos)).map((d) => rotsAt(ws, d, { businessDays: calendar })!).sort((a, b) => a - b);
    const from = dues[2]!;
    const to = dues[9]!;
    const positional = await service.rottingBetween(from, to, { businessDays: calendar });
    expect(positional.length).toBeGreaterThan(0);
    expect(await service.rottingBetween({ from, to, businessDays: calendar })).toEqual(positional);
    expect(await service.rottingBetween({ from: new Date(from), to: new Date(to).toISOString(), businessDays: calendar })).toEqual(positional);
    expect(await service.rottingBetween(new Date(from), new Date(to), { businessDays: calendar })).toEqual(positional);
    expect(await service.rottingBetween({ from, to, since: 'lastUpdate' })).toEqual(await service.rottingBetween(from, to, { since: 'lastUpdate' }));
  });

  it('names the option at fault', async () => {
    const { service } = await withDeals(3);
    await expect(service.rottingBetween({ from: T0 + DAY, to: T0 })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'opts.to' } });
    await expect(service.rottingBetween({ from: 'yesterday', to: T0 })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'opts.from' } });
    await expect(service.rottingBetween({ from: T0 } as never)).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'opts.to' } });
    await expect(service.rottingBetween({ from: T0, to: T0 + DAY, window: 3 } as never)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(service.rottingBetween({ from: T0, to: T0 + DAY, businessDays: { hours: { 1: [['17:00', '09:00']] } } })).rejects.toMatchObject({
      code: 'invalid_input',
      details: { path: 'opts.businessDays.hours.1[0][1]' },
    });
    await expect(service.rottingBetween({ from: T0, to: T0 + DAY } as never, T0 as never)).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'from' } });
  });
});

describe('service.purgeDelivered', () => {
  it('takes { before }, and still the instant on its own, with the same answer', async () => {
    const { service } = await dealerService({ onEvents: () => {} });
    const later = Date.parse('2100-01-01T00:00:00Z');
    await service.createDeal({ id: 'p1', layoutId: 'sales', name: 'Purged' }, { by: 'ann' });
    await service.createDeal({ id: 'p2', layoutId: 'sales', name: 'Purged too' }, { by: 'ann' });
    await service.deliverPending();
    expect(await service.purgeDelivered({ before: 0 })).toBe(0);
    expect(await service.purgeDelivered(new Date(0))).toBe(0);
    expect(await service.purgeDelivered({ before: new Date(later) })).toBeGreaterThan(0);
    await service.createDeal({ id: 'p3', layoutId: 'sales', name: 'Purged last' }, { by: 'ann' });
    await service.deliverPending();
    expect(await service.purgeDelivered(later)).toBe(1);
  });

  it('names the option at fault', async () => {
    const { service } = await dealerService({ onEvents: () => {} });
    await expect(service.purgeDelivered({ before: 'soon' })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'opts.before' } });
    await expect(service.purgeDelivered({} as never)).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'opts.before' } });
    await expect(service.purgeDelivered({ before: 0, after: 1 } as never)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(service.purgeDelivered('soon')).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'before' } });
  });
});

describe('service.board with a business calendar', () => {
  it('counts rotting deals as stalledDeals does with the same calendar', async () => {
    const { service, repos } = await withDeals(12);
    const ws = await service.getWorkspace();
    const deals = (await allDeals(repos)).filter((d) => d.pipelineId === 'new-cars');
    for (const now of [T0 + 9 * DAY, T0 + 10 * DAY + 5 * HOUR, T0 + 11 * DAY]) {
      const board = await service.board('new-cars', { now, businessDays: calendar });
      const rotting = board.columns.reduce((n, c) => n + c.rotting, 0);
      expect(rotting).toBe(stalledDeals(ws, deals, { now, businessDays: calendar }).length);
    }
    const early = await service.board('new-cars', { now: T0 + 8 * DAY, businessDays: calendar });
    const plain = await service.board('new-cars', { now: T0 + 8 * DAY });
    expect(early.columns[0]!.rotting).toBe(0);
    expect(plain.columns[0]!.rotting).toBeGreaterThan(0);
  });
});

describe('service.dwellStats with a calendar in a time zone', () => {
  it('gives the rows dwellStats gives over the stored deals', async () => {
    const { service, repos } = await withDeals(9);
    const now = T0 + 12 * DAY;
    const rows = await service.dwellStats({ now, includeOpen: true, businessDays: calendar });
    expect(rows).toEqual(dwellStats(await allDeals(repos), { now, includeOpen: true, businessDays: calendar }));
    expect(rows[0]!.meanMs).not.toBe(dwellStats(await allDeals(repos), { now, includeOpen: true })[0]!.meanMs);
  });
});
