import { describe, expect, it } from 'vitest';
import { applyDeal, type Deal } from '../../src/index.js';
import { checkInvariants } from '../../src/testing.js';
import { DAY, newDeal, step, T0, ws } from '../helpers/dealer.js';
import { expectPipelineError } from '../helpers/expectError.js';

const ready = { amount: 10000, currency: 'EUR', closingDate: '2026-06-30' };

describe('the change log', () => {
  it('starts empty on a new deal', () => {
    expect(newDeal(ready).changes).toEqual([]);
  });

  it('records every tracked field an update changes, with its instant and actor', () => {
    const deal = step(newDeal(ready), { type: 'updateDeal', patch: { amount: 12000, closingDate: '2026-07-31', ownerId: 'bob', name: 'Renamed' } });
    expect(deal.changes).toEqual([
      { at: T0 + DAY, by: 'ann', field: 'amount', from: 10000, to: 12000 },
      { at: T0 + DAY, by: 'ann', field: 'closingDate', from: '2026-06-30', to: '2026-07-31' },
      { at: T0 + DAY, by: 'ann', field: 'ownerId', from: null, to: 'bob' },
    ]);
  });

  it('records the probability a stage change sets', () => {
    const deal = step(newDeal(ready), { type: 'moveToStage', stageId: 'test-drive' });
    expect(deal.changes).toEqual([{ at: T0 + DAY, by: 'ann', field: 'probability', from: 10, to: 30 }]);
  });

  it('records nothing when a stage change keeps the probability', () => {
    const overridden = step(newDeal(ready), { type: 'updateDeal', patch: { probability: 30 } });
    const moved = step(overridden, { type: 'moveToStage', stageId: 'test-drive' });
    expect(moved.changes).toHaveLength(1);
  });

  it('appends in order and shares nothing with the deal before', () => {
    const before = step(newDeal(ready), { type: 'updateDeal', patch: { amount: 11000 } });
    const after = step(before, { type: 'updateDeal', patch: { currency: 'USD' } });
    expect(before.changes).toHaveLength(1);
    expect(after.changes?.map((c) => c.field)).toEqual(['amount', 'currency']);
  });

  it('starts a log on a deal stored before the log existed', () => {
    const { changes: _, ...legacy } = newDeal(ready);
    const updated = step(legacy as Deal, { type: 'updateDeal', patch: { amount: 9000 } });
    expect(updated.changes).toEqual([{ at: T0 + DAY, by: 'ann', field: 'amount', from: 10000, to: 9000 }]);
    const untouched = step(legacy as Deal, { type: 'updateDeal', patch: { fields: { color: 'red' } } });
    expect(untouched.changes).toBeUndefined();
  });

  it('refuses a deal whose change log is not an array', () => {
    const bad = { ...newDeal(ready), changes: 'junk' } as unknown as Deal;
    expectPipelineError(() => applyDeal(ws, bad, { type: 'updateDeal', patch: { amount: 1 } }, { at: T0 + DAY }), 'invalid_input');
  });
});

describe('checkInvariants on the change log', () => {
  const deal = step(newDeal(ready), { type: 'updateDeal', patch: { amount: 12000 } });

  it('accepts a log the reducers wrote', () => {
    expect(checkInvariants(ws, [deal], { now: T0 + 2 * DAY })).toEqual([]);
  });

  it('names a log whose last entry disagrees with the deal', () => {
    const drifted = { ...deal, amount: 13000 };
    expect(checkInvariants(ws, [drifted], { now: T0 + 2 * DAY }).map((v) => v.invariant)).toContain('changes');
  });

  it('names entries out of order or outside the deal\'s life', () => {
    const early = { ...deal, changes: [{ at: T0 - DAY, by: null, field: 'amount' as const, from: 10000, to: 12000 }] };
    const late = { ...deal, changes: [{ at: T0 + 9 * DAY, by: null, field: 'amount' as const, from: 10000, to: 12000 }] };
    expect(checkInvariants(ws, [early], { now: T0 + 2 * DAY }).map((v) => v.invariant)).toContain('changes');
    expect(checkInvariants(ws, [late], { now: T0 + 2 * DAY }).map((v) => v.invariant)).toContain('changes');
  });
});
