import { describe, expect, it } from 'vitest';
import { applyDeal, dealAt, pipelineSnapshot, pipelineWaterfall, type Deal, type DealCommandInput } from '../../src/index.js';
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
