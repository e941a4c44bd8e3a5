import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, decideDeal, evolveDeal, replayDeal, type Deal, type DealEvent } from '../../src/index.js';
import { checkInvariants } from '../../src/testing.js';
import { DAY, T0, newDeal, step, ws } from '../helpers/dealer.js';
import { deepFreeze, expectPipelineError } from '../helpers/expectError.js';

/** A deal in test-drive without an amount: quote requires one. */
const inTestDrive = (): Deal => step(newDeal(), { type: 'moveToStage', stageId: 'test-drive' });
const at = (deal: Deal) => ({ at: deal.updatedAt + DAY, by: 'bob' });

describe('moveToStage with a patch', () => {
  it('moves when the patch supplies the fields the target stage requires, in one version', () => {
    const deal = deepFreeze(inTestDrive());
    const { deal: moved, events } = applyDeal(ws, deal, { type: 'moveToStage', stageId: 'quote', patch: { amount: 21_000, currency: 'EUR' } }, at(deal));
    expect(moved).toMatchObject({ stageId: 'quote', amount: 21_000, currency: 'EUR', version: deal.version + 1, probability: 60 });
    expect(events.map((e) => [e.type, e.version, e.id])).toEqual([
      ['dealUpdated', 3, 'deal/3/0/d1'],
      ['dealStageChanged', 3, 'deal/3/1/d1'],
    ]);
    // The new visit records the amount the patch set.
    expect(moved.history.at(-1)).toMatchObject({ stageId: 'quote', amount: 21_000, expectedRevenue: 12_600, by: 'bob' });
    expect(checkInvariants(ws, [moved], { now: moved.updatedAt })).toEqual([]);
  });

  it('refuses the move, and so the patch, when the patch does not satisfy the target stage', () => {
    const deal = deepFreeze(inTestDrive());
    const e = expectPipelineError(() => applyDeal(ws, deal, { type: 'moveToStage', stageId: 'quote', patch: { name: 'Renamed' } }, at(deal)), 'required_fields_missing');
    expect(e.details.violations).toEqual([expect.objectContaining({ code: 'required_fields_missing', fields: ['amount'] })]);
  });

  it('refuses an invalid patch alone with invalid_input naming the field', () => {
    const deal = inTestDrive();
    const e = expectPipelineError(() => applyDeal(ws, deal, { type: 'moveToStage', stageId: 'quote', patch: { amount: 21_000, currency: 'euro' } }, at(deal)), 'invalid_input');
    expect(e.details.path).toBe('command.patch.currency');
    const unknown = expectPipelineError(() => applyDeal(ws, deal, { type: 'moveToStage', stageId: 'quote', patch: { colour: 'red' } as never }, at(deal)), 'invalid_input');
    expect(unknown.message).toContain('command.patch');
  });

  it('takes the lost reason on the command, not in the patch', () => {
    const deal = inTestDrive();
    const e = expectPipelineError(() => applyDeal(ws, deal, { type: 'moveToStage', stageId: 'lost', patch: { lostReason: 'Price' } }, at(deal)), 'invalid_input');
    expect(e.details.path).toBe('command.patch.lostReason');
    const lost = applyDeal(ws, deal, { type: 'moveToStage', stageId: 'lost', lostReason: 'Price', patch: { amount: 1 } }, at(deal)).deal;
    expect(lost).toMatchObject({ stageId: 'lost', lostReason: 'Price', amount: 1 });
  });

  it('still applies the rules of the move itself (no skipping stages)', () => {
    const deal = inTestDrive();
    const e = expectPipelineError(() => applyDeal(ws, deal, { type: 'moveToStage', stageId: 'negotiation', patch: { amount: 1, closingDate: '2026-05-01' } }, at(deal)), 'transition_not_allowed');
    expect((e.details.violations as { code: string }[]).map((v) => v.code)).toEqual(['skip_not_allowed']);
  });

  it('with the current stage only updates the fields; with a patch that changes nothing only moves', () => {
    const deal = newDeal({ amount: 5 });
    const same = applyDeal(ws, deal, { type: 'moveToStage', stageId: 'requirements', patch: { amount: 6 } }, at(deal));
    expect(same.events.map((e) => e.type)).toEqual(['dealUpdated']);
    expect(same.deal).toMatchObject({ stageId: 'requirements', amount: 6, version: 2 });
    const moveOnly = applyDeal(ws, deal, { type: 'moveToStage', stageId: 'test-drive', patch: { amount: 5 } }, at(deal));
    expect(moveOnly.events.map((e) => [e.type, e.id])).toEqual([['dealStageChanged', 'deal/2/0/d1']]);
    expect(applyDeal(ws, deal, { type: 'moveToStage', stageId: 'requirements', patch: {} }, at(deal)).events).toEqual([]);
  });

  it('decides the same events as applyDeal, and replaying them gives the same deal as evolving them', () => {
    const amounts = fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null });
    const patches = fc.record({ amount: amounts, closingDate: fc.constantFrom(null, '2026-04-30'), ownerId: fc.constantFrom(null, 'ann', 'bob') }, { requiredKeys: [] });
    const targets = fc.constantFrom('requirements', 'test-drive', 'quote', 'negotiation', 'won', 'lost');
    fc.assert(
      fc.property(fc.array(fc.tuple(targets, patches), { minLength: 1, maxLength: 6 }), (steps) => {
        const created = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', name: 'SUV' } }, { at: T0 });
        const events: DealEvent[] = [...created.events];
        let deal = created.deal;
        for (const [stageId, patch] of steps) {
          const command = { type: 'moveToStage' as const, stageId, patch, ...(stageId === 'lost' ? { lostReason: 'Price' } : {}) };
          const ctx = { at: deal.updatedAt + DAY };
          let decided: DealEvent[];
          try {
            decided = decideDeal(ws, deal, command, ctx);
          } catch {
            continue; // refused: nothing to compare
          }
          const applied = applyDeal(ws, deal, command, ctx);
          expect(applied.events).toEqual(decided);
          expect(decided.every((e) => e.version === deal.version + 1)).toBe(true);
          expect(decided.reduce<Deal>((d, e) => evolveDeal(d, e), deal)).toEqual(applied.deal);
          events.push(...decided);
          deal = applied.deal;
        }
        expect(replayDeal(events)).toEqual(deal);
        expect(checkInvariants(ws, [deal], { now: deal.updatedAt })).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
