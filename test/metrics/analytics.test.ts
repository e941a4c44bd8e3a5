import { describe, expect, it } from 'vitest';
import { dealAt, pipelineSnapshot, type Deal } from '../../src/index.js';
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
