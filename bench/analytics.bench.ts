import { isDeepStrictEqual } from 'node:util';
import { bench, describe } from 'vitest';
import { pipelineSnapshot, pipelineWaterfall, type Deal, type FieldChange } from 'sales-pipelines';
import { singlePassSnapshot, singlePassWaterfall } from './baselines.js';
import { makeDeals, T0, ws } from './data.js';

const DAY = 86_400_000;

/**
 * 100k deals of 8 visits, each with 4 logged changes inside its life: the amount rises, the closing
 * date slips, the amount falls back, the closing date slips again. Visit snapshots agree with the log.
 */
function withChanges(deals: Deal[]): Deal[] {
  return deals.map((deal) => {
    const span = deal.updatedAt - deal.createdAt;
    const at = [1, 2, 3, 4].map((k) => deal.createdAt + Math.floor((span * k) / 5));
    const changes: FieldChange[] = [
      { at: at[0]!, by: 'rep', field: 'amount', from: 20000, to: 22000 },
      { at: at[1]!, by: 'rep', field: 'closingDate', from: '2026-06-30', to: '2026-07-31' },
      { at: at[2]!, by: 'rep', field: 'amount', from: 22000, to: 21000 },
      { at: at[3]!, by: 'rep', field: 'closingDate', from: '2026-07-31', to: '2026-09-30' },
    ];
    const valueAt = (t: number, field: 'amount' | 'closingDate', initial: number | string) =>
      changes.filter((c) => c.field === field && c.at <= t).reduce<number | string | null>((_, c) => c.to, initial);
    const history = deal.history.map((v) => {
      const amount = valueAt(v.enteredAt, 'amount', 20000) as number;
      return { ...v, amount, expectedRevenue: (amount * v.probability) / 100, closingDate: valueAt(v.enteredAt, 'closingDate', '2026-06-30') as string };
    });
    return { ...deal, amount: 21000, closingDate: '2026-09-30', history, changes };
  });
}

const deals = withChanges(makeDeals(100_000, 8));
const window = { from: T0 + 20 * DAY, to: T0 + 50 * DAY, pipelineId: 'new-cars', closingFrom: '2026-04-01', closingTo: '2026-08-31' };
const instant = T0 + 35 * DAY;

// The library and the baselines must agree on the data before their speeds are compared.
const strip = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
if (!isDeepStrictEqual(strip(pipelineWaterfall(ws, deals, window)), strip(singlePassWaterfall(deals, window.from, window.to, window.pipelineId, window.closingFrom, window.closingTo)))) {
  throw new Error('analytics bench: pipelineWaterfall and the single-pass baseline disagree');
}
if (!isDeepStrictEqual(strip(pipelineSnapshot(ws, deals, instant)), strip(singlePassSnapshot(deals, instant)))) {
  throw new Error('analytics bench: pipelineSnapshot and the single-pass baseline disagree');
}

/** The two reports on `data`, library against the single-pass baseline; `label` ends the measure's name. */
function reportBenches(data: readonly Deal[], label: string): void {
  describe(`analytics: pipelineWaterfall over 100k deals x 8 visits x 4 changes${label}`, () => {
    bench('library: pipelineWaterfall', () => {
      pipelineWaterfall(ws, data, window);
    }, { time: 3000, warmupIterations: 2 });

    bench('baseline: hand-written single pass', () => {
      singlePassWaterfall(data, window.from, window.to, window.pipelineId, window.closingFrom, window.closingTo);
    }, { time: 3000, warmupIterations: 2 });
  });

  describe(`analytics: pipelineSnapshot over 100k deals x 8 visits x 4 changes${label}`, () => {
    bench('library: pipelineSnapshot', () => {
      pipelineSnapshot(ws, data, instant);
    }, { time: 3000, warmupIterations: 2 });

    bench('baseline: hand-written single pass', () => {
      singlePassSnapshot(data, instant);
    }, { time: 3000, warmupIterations: 2 });
  });
}

reportBenches(deals, '');

// The same deals as a store or `JSON.parse` hands them over: one hidden class for all of them.
// The deals above are built with object spread plus a property (`{ ...deal, changes }`), which in
// V8 gives every deal a hidden class of its own, so that every property read misses the inline
// caches, the library's per-deal check (the same fields every function checks) as well as the
// baselines' reads. A host whose code builds deals that way pays that on both sides.
reportBenches(JSON.parse(JSON.stringify(deals)) as Deal[], ', as JSON.parse returns them');
