import { describe, expect, it } from 'vitest';
import { applyDeal, dealAt, pipelineCoverage, pipelineSnapshot, pipelineWaterfall, salesCycle, salesVelocity, slippage, stageConversion, type Deal, type DealCommandInput } from '../../src/index.js';
import { DAY, newDeal, step, T0, ws } from '../helpers/dealer.js';
import { expectPipelineError } from '../helpers/expectError.js';

const ready = { amount: 10000, currency: 'EUR', closingDate: '2026-06-30', ownerId: 'ann' };

// Created on day 0 in requirements; amount raised on day 2; moved to quote on day 4.
const raised = step(newDeal(ready), { type: 'updateDeal', patch: { amount: 12000 } }, 2);
const quoted = step(raised, { type: 'moveToStage', stageId: 'quote', bypassRules: true }, 2);

describe('dealAt', () => {
  it('rebuilds the deal at an instant: stage from the visits, values from the change log', () => {
    expect(dealAt(quoted, T0 + 3 * DAY)).toEqual({
      dealId: 'd1', pipelineId: 'new-cars', stageId: 'requirements', outcome: 'open', forecastCategory: 'pipeline',
      amount: 12000, currency: 'EUR', probability: 10, closingDate: '2026-06-30', ownerId: 'ann',
    });
    expect(dealAt(quoted, T0 + DAY)?.amount).toBe(10000);
    expect(dealAt(quoted, T0 + 4 * DAY)).toMatchObject({ stageId: 'quote', probability: 60, amount: 12000 });
  });

  it('is null before the deal was created', () => {
    expect(dealAt(quoted, T0 - 1)).toBeNull();
  });

  it('reads currency and owner before their first change from that change', () => {
    const moved = step(step(newDeal(ready), { type: 'updateDeal', patch: { currency: 'USD' } }, 2), { type: 'updateDeal', patch: { ownerId: 'bob' } });
    expect(dealAt(moved, T0 + DAY)).toMatchObject({ currency: 'EUR', ownerId: 'ann' });
    expect(dealAt(moved, T0 + 3 * DAY)).toMatchObject({ currency: 'USD', ownerId: 'bob' });
  });

  it('reads a deal stored before the change log from the snapshot of the visit in force', () => {
    const { changes: _, ...legacy } = quoted;
    expect(dealAt(legacy as Deal, T0 + 3 * DAY)?.amount).toBe(10000);
    expect(dealAt(legacy as Deal, T0 + 4 * DAY)?.amount).toBe(12000);
  });

  it('refuses a malformed instant or change log', () => {
    expectPipelineError(() => dealAt(quoted, 'soon'), 'invalid_input');
    expectPipelineError(() => dealAt({ ...quoted, changes: [{ at: 'x' }] } as unknown as Deal, T0), 'invalid_input');
  });
});

describe('pipelineSnapshot', () => {
  const a = step(newDeal({ ...ready, id: 'a', amount: 20000 }), { type: 'moveToStage', stageId: 'quote', bypassRules: true }, 1);
  const b = step(newDeal({ ...ready, id: 'b' }), { type: 'closeDeal', outcome: 'won', bypassRules: true }, 3);

  it('sums the open deals of that instant per currency, stage and forecast category', () => {
    const before = pipelineSnapshot(ws, [a, b], T0 + 2 * DAY).EUR!;
    expect({ count: before.count, total: before.total, weighted: before.weighted }).toEqual({ count: 2, total: 30000, weighted: 13000 });
    expect(before.byStage.quote).toEqual({ count: 1, total: 20000, weighted: 12000 });
    const after = pipelineSnapshot(ws, [a, b], T0 + 3 * DAY).EUR!;
    expect({ count: after.count, total: after.total, weighted: after.weighted }).toEqual({ count: 1, total: 20000, weighted: 12000 });
  });

  it('keeps to one pipeline when asked', () => {
    expect(pipelineSnapshot(ws, [a, b], T0 + 2 * DAY, { pipelineId: 'used-cars' })).toEqual({});
  });

  it('is empty before any deal existed', () => {
    expect(pipelineSnapshot(ws, [a, b], T0 - 1)).toEqual({});
  });
});

/** A deal created on `day` and changed by commands on later days (rules bypassed). */
function life(id: string, input: Record<string, unknown>, day: number, steps: [number, DealCommandInput][] = []): Deal {
  let deal = applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId: 'sales', name: id, currency: 'EUR', ...input } as never }, { at: T0 + day * DAY }).deal;
  for (const [d, command] of steps) deal = applyDeal(ws, deal, { ...command, bypassRules: true } as DealCommandInput, { at: T0 + d * DAY, by: 'ann' }).deal;
  return deal;
}

describe('pipelineWaterfall', () => {
  const a = life('a', { amount: 10000, closingDate: '2026-06-30' }, -5, [[9, { type: 'updateDeal', patch: { amount: 12000 } }]]);
  const b = life('b', { amount: 5000, closingDate: '2026-06-30' }, -5, [[19, { type: 'closeDeal', outcome: 'won' }]]);
  const c = life('c', { amount: 8000, closingDate: '2026-05-31' }, 2);
  const d = life('d', { amount: 3000, closingDate: '2026-06-15' }, -5, [[4, { type: 'updateDeal', patch: { closingDate: '2026-08-31' } }]]);
  const e = life('e', { amount: 4000, closingDate: '2026-09-30' }, -5, [[5, { type: 'updateDeal', patch: { closingDate: '2026-06-01' } }]]);
  const f = life('f', { amount: 6000, closingDate: '2026-06-30' }, -5, [[6, { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'show-models' }]]);
  const window = { from: T0, to: T0 + 30 * DAY };

  it('explains the change of the pipeline bucket by bucket (the worked example)', () => {
    const eur = pipelineWaterfall(ws, [a, b, c], window).EUR!;
    expect(eur.start).toEqual({ count: 2, amount: 15000, dealIds: ['a', 'b'] });
    expect(eur.created).toEqual({ count: 1, amount: 8000, dealIds: ['c'] });
    expect(eur.increased).toEqual({ count: 1, amount: 2000, dealIds: ['a'] });
    expect(eur.won).toEqual({ count: 1, amount: 5000, dealIds: ['b'] });
    expect(eur.end).toEqual({ count: 2, amount: 20000, dealIds: ['a', 'c'] });
  });

  it('counts closing dates moved out of and into the closing window', () => {
    const eur = pipelineWaterfall(ws, [d, e], { ...window, closingFrom: '2026-04-01', closingTo: '2026-06-30' }).EUR!;
    expect(eur.pushedOut).toEqual({ count: 1, amount: 3000, dealIds: ['d'] });
    expect(eur.pulledIn).toEqual({ count: 1, amount: 4000, dealIds: ['e'] });
  });

  it('counts moves between pipelines when it looks at one', () => {
    expect(pipelineWaterfall(ws, [f], { ...window, pipelineId: 'new-cars' }).EUR?.movedOut.dealIds).toEqual(['f']);
    expect(pipelineWaterfall(ws, [f], { ...window, pipelineId: 'used-cars' }).EUR?.movedIn.dealIds).toEqual(['f']);
    expect(pipelineWaterfall(ws, [f], window).EUR?.movedOut.count).toBe(0);
  });

  it('refuses a window that ends before it starts and a malformed closing bound', () => {
    expectPipelineError(() => pipelineWaterfall(ws, [a], { from: T0, to: T0 - 1 }), 'invalid_input');
    expectPipelineError(() => pipelineWaterfall(ws, [a], { ...window, closingTo: '2026-02-30' }), 'invalid_input');
  });
});

describe('slippage', () => {
  // Period March (T0 is 2 March 2026): a pushed twice, out of March; b pulled in; c pushed before the period.
  const from = Date.UTC(2026, 2, 1);
  const to = Date.UTC(2026, 3, 1);
  const a = life('a', { amount: 1000, closingDate: '2026-03-15' }, 0, [[8, { type: 'updateDeal', patch: { closingDate: '2026-03-31' } }], [23, { type: 'updateDeal', patch: { closingDate: '2026-04-30' } }]]);
  const b = life('b', { amount: 1000, closingDate: '2026-06-30' }, 0, [[3, { type: 'updateDeal', patch: { closingDate: '2026-05-31' } }]]);
  const c = life('c', { amount: 1000, closingDate: '2026-03-10' }, -30, [[-10, { type: 'updateDeal', patch: { closingDate: '2026-05-10' } }]]);

  it('counts pushes, days pushed and deals pushed out of the period (the worked example)', () => {
    expect(slippage([a, b, c], { from, to })).toEqual({
      deals: [{ dealId: 'a', pushes: 2, daysPushed: 46, closingDateBefore: null, closingDateAfter: '2026-04-30', pushedOut: true }],
      totals: { deals: 1, pushes: 2, daysPushed: 46, pushedOut: 1, pushedOutIds: ['a'] },
    });
  });

  it('sees pushes of a deal stored before the change log through its stage visits', () => {
    const moved = life('m', { amount: 1000, closingDate: '2026-03-15' }, 0, [[4, { type: 'updateDeal', patch: { closingDate: '2026-03-20' } }], [6, { type: 'moveToStage', stageId: 'quote' }]]);
    const { changes: _, ...legacy } = moved;
    expect(slippage([legacy as Deal], { from, to }).deals[0]).toMatchObject({ dealId: 'm', pushes: 1, daysPushed: 5 });
  });
});

describe('stageConversion', () => {
  // a = requirements, b = test-drive, c = quote (New cars); period: March.
  const from = Date.UTC(2026, 2, 1);
  const to = Date.UTC(2026, 3, 1);
  const one = life('1', {}, 0, [[3, { type: 'moveToStage', stageId: 'test-drive' }], [18, { type: 'closeDeal', outcome: 'won' }]]);
  const two = life('2', {}, 1, [[2, { type: 'closeDeal', outcome: 'lost', lostReason: 'Price' }]]);
  const three = life('3', {}, -20, [[4, { type: 'moveToStage', stageId: 'test-drive' }]]);

  it('takes the deals that entered a stage in the period and counts those that got further (the worked example)', () => {
    const stats = stageConversion(ws, [one, two, three], { pipelineId: 'new-cars', from, to });
    const rate = (f: string, t: string) => stats.stageConversions.find((c) => c.fromStageId === f && c.toStageId === t);
    expect(rate('requirements', 'test-drive')).toEqual({ fromStageId: 'requirements', toStageId: 'test-drive', fromStageName: 'Collect requirements', toStageName: 'Test drive & choose', entered: 2, converted: 1, conversionRate: 0.5 });
    expect(rate('test-drive', 'quote')).toMatchObject({ entered: 2, converted: 1 });
    expect(rate('requirements', 'won')).toMatchObject({ entered: 2, converted: 1 });
    expect(rate('requirements', 'lost')).toMatchObject({ entered: 2, converted: 1 });
    expect(stats).toMatchObject({ pipelineId: 'new-cars', deals: 2, wonConversion: 0.5, lostConversion: 0.5 });
  });

  it('lists no pair backwards and refuses an unknown pipeline', () => {
    const stats = stageConversion(ws, [], { pipelineId: 'new-cars', from, to });
    expect(stats.stageConversions.some((c) => c.fromStageId === 'quote' && c.toStageId === 'requirements')).toBe(false);
    expect(stats.wonConversion).toBeNull();
    expectPipelineError(() => stageConversion(ws, [], { pipelineId: 'nope', from, to }), 'not_found');
  });
});

describe('salesVelocity and pipelineCoverage', () => {
  const window = { from: T0, to: T0 + 30 * DAY };
  const open = Array.from({ length: 4 }, (_, i) => life(`o${i}`, { amount: 5000, closingDate: '2026-03-20' }, 1));
  const won = [life('w1', { amount: 10000 }, -10, [[10, { type: 'closeDeal', outcome: 'won' }]]), life('w2', { amount: 30000 }, 0, [[30 - 1, { type: 'closeDeal', outcome: 'won' }]])];
  const lost = [life('l1', { amount: 20000 }, 0, [[5, { type: 'closeDeal', outcome: 'lost', lostReason: 'Price' }]])];

  it('multiplies open deals, average won amount and win rate, per day of cycle', () => {
    const eur = salesVelocity([...open, ...won, ...lost], window).EUR!;
    expect(eur).toMatchObject({ openDeals: 4, won: 2, lost: 1, winRate: 2 / 3, averageWonAmount: 20000, averageCycleDays: 24.5 });
    expect(eur.velocityPerDay).toBeCloseTo((4 * 20000 * (2 / 3)) / 24.5, 9);
  });

  it('gives null velocity when nothing was won', () => {
    expect(salesVelocity(open, window).EUR).toMatchObject({ openDeals: 4, winRate: null, velocityPerDay: null });
  });

  it('divides the open pipeline closing in the period by the target, weighted and not', () => {
    const eur = pipelineCoverage(ws, [...open, ...won], { ...window, target: 10000 }).EUR!;
    expect(eur).toEqual({ count: 4, total: 20000, weighted: 2000, target: 10000, coverage: 2, weightedCoverage: 0.2 });
    expect(pipelineCoverage(ws, open, { ...window, target: { USD: 1000 } })).toEqual({
      USD: { count: 0, total: 0, weighted: 0, target: 1000, coverage: 0, weightedCoverage: 0 },
      EUR: { count: 4, total: 20000, weighted: 2000, target: null, coverage: null, weightedCoverage: null },
    });
    expect(pipelineCoverage(ws, open, { ...window, target: 1, asOf: T0 })).toEqual({});
  });
});

describe('salesCycle win rate by value', () => {
  it('divides the amount won by the amount closed (the worked example)', () => {
    const window = { from: T0, to: T0 + 30 * DAY };
    const a = life('a', { amount: 30000 }, 0, [[2, { type: 'closeDeal', outcome: 'won' }]]);
    const b = life('b', { amount: 10000 }, 0, [[2, { type: 'closeDeal', outcome: 'lost', lostReason: 'x' }]]);
    const c = life('c', { amount: 20000 }, 0, [[2, { type: 'closeDeal', outcome: 'lost', lostReason: 'x' }]]);
    expect(salesCycle([a, b, c], window)).toMatchObject({ winRate: 1 / 3, winRateByValue: 0.5 });
    const usd = life('u', { amount: 1, currency: 'USD' }, 0, [[2, { type: 'closeDeal', outcome: 'won' }]]);
    expect(salesCycle([a, usd], window)).toMatchObject({ winRateByValue: null, byCurrency: { USD: { winRateByValue: 1 }, EUR: { winRateByValue: 1 } } });
  });
});
