import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, dealAt, isPipelineError, slippage, type Deal, type DealCommandInput } from '../../src/index.js';
import { dealerWorkspace } from '../../examples/dealership.js';

const ws = dealerWorkspace();
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const dateOf = (t: number) => new Date(t).toISOString().slice(0, 10);

type Op = { kind: 'close' | 'clear' | 'move' | 'amount'; days: number; offset: number; stage: number };
const arbOp: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Op['kind']>('close', 'close', 'close', 'clear', 'move', 'amount'),
  days: fc.integer({ min: 0, max: 5 }),
  offset: fc.integer({ min: -60, max: 120 }),
  stage: fc.nat({ max: 5 }),
});
const STAGES = ['show-models', 'test-drive', 'quote', 'negotiation', 'won', 'lost'];

/** A deal of Used cars driven by closing-date changes, moves and amount changes (refusals skipped). */
function life(id: string, ops: readonly Op[]): Deal {
  let at = T0;
  let deal = applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId: 'sales', pipelineId: 'used-cars', name: id, closingDate: dateOf(T0 + 30 * DAY) } }, { at }).deal;
  for (const op of ops) {
    at += op.days * DAY;
    const command: DealCommandInput =
      op.kind === 'move' ? { type: 'moveToStage', stageId: STAGES[op.stage]!, ...(STAGES[op.stage] === 'lost' ? { lostReason: 'Price' } : {}) }
      : op.kind === 'clear' ? { type: 'updateDeal', patch: { closingDate: null } }
      : op.kind === 'amount' ? { type: 'updateDeal', patch: { amount: 1000 + op.offset } }
      : { type: 'updateDeal', patch: { closingDate: dateOf(at + op.offset * DAY) } };
    try {
      deal = applyDeal(ws, deal, command, { at }).deal;
    } catch (e) {
      if (!isPipelineError(e)) throw e;
    }
  }
  return deal;
}

/** The definition: the closing date read with dealAt before the period and at every instant in it when the deal changed. */
function reference(deals: readonly Deal[], from: number, to: number) {
  const first = dateOf(from);
  const last = to > from ? dateOf(to - 1) : '';
  const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / DAY;
  const rows = [];
  for (const deal of deals) {
    const instants = [...new Set([...deal.history.map((v) => v.enteredAt), ...(deal.changes ?? []).map((c) => c.at)])].filter((t) => t >= from && t < to).sort((a, b) => a - b);
    const before = dealAt(deal, from - 1)?.closingDate ?? null;
    let current = before;
    let pushes = 0;
    let daysPushed = 0;
    let pushedOut = false;
    for (const t of instants) {
      const next = dealAt(deal, t)!.closingDate;
      if (current !== null && next !== null && next > current) {
        pushes++;
        daysPushed += day(next) - day(current);
        if (current >= first && current <= last && next > last) pushedOut = true;
      }
      current = next;
    }
    if (pushes > 0) rows.push({ dealId: deal.id, pushes, daysPushed, closingDateBefore: before, closingDateAfter: current, pushedOut });
  }
  return rows.sort((a, b) => b.daysPushed - a.daysPushed || (a.dealId < b.dealId ? -1 : 1));
}

describe('slippage', () => {
  it('reads every deal as dealAt does at each instant of the period, in one pass over its log', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(arbOp, { maxLength: 40 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: -10, max: 150 }),
        fc.integer({ min: 0, max: 150 }),
        (lives, start, length) => {
          const deals = lives.map((ops, i) => life(`d${i}`, ops));
          const from = T0 + start * DAY;
          const to = from + length * DAY;
          expect(slippage(deals, { from, to }).deals).toEqual(reference(deals, from, to));
        },
      ),
      { numRuns: 150 },
    );
  });
});
