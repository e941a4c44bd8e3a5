import { bench, describe } from 'vitest';
import { emptyWorkspace, planConfiguration, slippage, type Deal, type DesiredConfiguration, type FieldChange } from 'sales-pipelines';
import { makeDeals, T0 } from './data.js';

const DAY = 86_400_000;
const dateOf = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * 100 deals whose closing date slipped by a day 2,000 times each, an hour apart: a change log long
 * enough that reading it once per instant (quadratic) and once per deal (linear) differ 1,000-fold.
 */
const slippers: Deal[] = makeDeals(100, 1).map((deal) => {
  const changes: FieldChange[] = [];
  for (let k = 1; k <= 2_000; k++) {
    changes.push({ at: deal.createdAt + k * 3_600_000, by: 'rep', field: 'closingDate', from: dateOf(T0 + (k + 29) * DAY), to: dateOf(T0 + (k + 30) * DAY) });
  }
  return { ...deal, closingDate: changes.at(-1)!.to as string, history: deal.history.map((v) => ({ ...v, closingDate: dateOf(T0 + 30 * DAY) })), changes };
});
const period = { from: T0, to: T0 + 400 * DAY };

/** The same figures by hand: one pass over each log, counting later dates. */
function handSlippage(deals: readonly Deal[], from: number, to: number): { pushes: number; days: number } {
  let pushes = 0;
  let days = 0;
  for (const deal of deals) {
    let current: string | null = deal.history[0]!.closingDate;
    for (const c of deal.changes!) {
      if (c.field !== 'closingDate' || c.at < from || c.at >= to) continue;
      const next = c.to as string | null;
      if (current !== null && next !== null && next > current) {
        pushes++;
        days += (Date.parse(next) - Date.parse(current)) / DAY;
      }
      current = next;
    }
  }
  return { pushes, days };
}

const hand = handSlippage(slippers, period.from, period.to);
const library = slippage(slippers, period).totals;
if (hand.pushes !== library.pushes || hand.days !== library.daysPushed) throw new Error('hardening bench: slippage and the hand-written pass disagree');

describe('slippage: 100 deals x 2,000 closing-date pushes', () => {
  bench('library: slippage', () => {
    slippage(slippers, period);
  });

  bench('baseline: hand-written pass over each change log', () => {
    handSlippage(slippers, period.from, period.to);
  });
});

const stage = (id: string, outcome: 'open' | 'won' = 'open') => ({ id, name: id, probability: 10, outcome, forecastCategory: 'pipeline' as const });
const layouts = (n: number): DesiredConfiguration => ({
  layouts: Array.from({ length: n }, (_, i) => ({ id: `l${i}`, name: `L${i}`, stages: [stage('a'), stage('b'), stage('w', 'won')], pipelines: [{ id: `p${i}`, name: 'P', stages: ['a', 'b', 'w'] }] })),
});
const thousand = layouts(1000);
const quarter = layouts(250);

// Linear planning costs the same per layout at any size: the ratio stays near 1 (it was about 4,
// and 5.9 s for the thousand layouts, when every step indexed the whole workspace).
describe('planConfiguration scaling: 1,000 layouts against 4 x 250 layouts', () => {
  bench('library: planConfiguration of 1,000 layouts', () => {
    planConfiguration(emptyWorkspace(), thousand);
  });

  bench('baseline: planConfiguration of 250 layouts, 4 times', () => {
    for (let k = 0; k < 4; k++) planConfiguration(emptyWorkspace(), quarter);
  });
});
