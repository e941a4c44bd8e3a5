import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyDeal,
  conversionFunnel,
  dwellStats,
  movementStats,
  salesCycle,
  stageAt,
  stalledDeals,
  timeInStages,
  weightedPipeline,
  type Deal,
  type DealCommandInput,
} from '../../src/index.js';
import { arbScenario } from '../../src/testing.js';
import { DAY, T0, ws } from '../helpers/dealer.js';
import { expectPipelineError } from '../helpers/expectError.js';

const HOUR = 3_600_000;

/** Builds a deal by commands at given day offsets from T0. */
function story(id: string, input: Record<string, unknown>, steps: [day: number, command: DealCommandInput][], createdDay = 0): Deal {
  let deal = applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId: 'sales', name: id, ...input } as never }, { at: T0 + createdDay * DAY }).deal;
  for (const [day, command] of steps) deal = applyDeal(ws, deal, command, { at: T0 + day * DAY }).deal;
  return deal;
}

const ready = { amount: 10000, currency: 'EUR', closingDate: '2026-06-30' };
// used cars: show-models → test-drive → quote → back to test-drive (revisit) → quote; now day 10
const revisits = story('rev', { ...ready, pipelineId: 'used-cars' }, [
  [1, { type: 'moveToStage', stageId: 'test-drive' }],
  [3, { type: 'moveToStage', stageId: 'negotiation' }],
  [4, { type: 'closeDeal', outcome: 'lost', lostReason: 'Price' }],
  [6, { type: 'reopenDeal', stageId: 'test-drive' }],
]);

describe('timeInStages', () => {
  it('gives latest and cumulative time per stage over revisits, the open visit up to now', () => {
    const rows = timeInStages(revisits, { now: T0 + 10 * DAY });
    expect(rows).toEqual([
      { pipelineId: 'used-cars', stageId: 'show-models', visits: 1, firstEnteredAt: T0, lastEnteredAt: T0, lastExitedAt: T0 + DAY, latestMs: DAY, cumulativeMs: DAY, current: false },
      { pipelineId: 'used-cars', stageId: 'test-drive', visits: 2, firstEnteredAt: T0 + DAY, lastEnteredAt: T0 + 6 * DAY, lastExitedAt: null, latestMs: 4 * DAY, cumulativeMs: 6 * DAY, current: true },
      { pipelineId: 'used-cars', stageId: 'negotiation', visits: 1, firstEnteredAt: T0 + 3 * DAY, lastEnteredAt: T0 + 3 * DAY, lastExitedAt: T0 + 4 * DAY, latestMs: DAY, cumulativeMs: DAY, current: false },
      { pipelineId: 'used-cars', stageId: 'lost', visits: 1, firstEnteredAt: T0 + 4 * DAY, lastEnteredAt: T0 + 4 * DAY, lastExitedAt: T0 + 6 * DAY, latestMs: 2 * DAY, cumulativeMs: 2 * DAY, current: false },
    ]);
  });

  it('keeps the stages of an earlier pipeline apart after a move', () => {
    const moved = story('m', ready, [[2, { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } }]]);
    expect(timeInStages(moved, { now: T0 + 3 * DAY }).map((r) => [r.pipelineId, r.stageId, r.cumulativeMs])).toEqual([
      ['new-cars', 'requirements', 2 * DAY],
      ['used-cars', 'show-models', DAY],
    ]);
  });

  it('refuses a malformed now', () => {
    expectPipelineError(() => timeInStages(revisits, { now: 'yesterday' }), 'invalid_input');
  });
});

describe('stageAt', () => {
  it('answers with the half-open visit that holds the instant', () => {
    expect(stageAt(revisits, T0 - 1)).toBeNull();
    expect(stageAt(revisits, T0)).toEqual({ pipelineId: 'used-cars', stageId: 'show-models' });
    expect(stageAt(revisits, T0 + DAY - 1)).toEqual({ pipelineId: 'used-cars', stageId: 'show-models' });
    expect(stageAt(revisits, T0 + DAY)).toEqual({ pipelineId: 'used-cars', stageId: 'test-drive' });
    expect(stageAt(revisits, new Date(T0 + 5 * DAY))).toEqual({ pipelineId: 'used-cars', stageId: 'lost' });
    expect(stageAt(revisits, T0 + 100 * DAY)).toEqual({ pipelineId: 'used-cars', stageId: 'test-drive' });
  });
});

describe('dwellStats', () => {
  const a = story('a', ready, [[1, { type: 'moveToStage', stageId: 'test-drive' }]]); // requirements 1d
  const b = story('b', ready, [[3, { type: 'moveToStage', stageId: 'test-drive' }]]); // requirements 3d
  const c = story('c', ready, [[2, { type: 'moveToStage', stageId: 'test-drive' }], [4, { type: 'moveToStage', stageId: 'quote' }]]);
  const d = story('d', ready, [[10, { type: 'moveToStage', stageId: 'test-drive' }]]);

  it('computes visits, mean, median (mean of middle two), nearest-rank p90 and max of completed visits', () => {
    const rows = dwellStats([a, b, c, d], { now: T0 + 20 * DAY, pipelineId: 'new-cars' });
    expect(rows.find((r) => r.stageId === 'requirements')).toEqual({
      pipelineId: 'new-cars', stageId: 'requirements', visits: 4, meanMs: 4 * DAY, medianMs: 2.5 * DAY, p90Ms: 10 * DAY, maxMs: 10 * DAY,
    });
    expect(rows.find((r) => r.stageId === 'test-drive')).toEqual({
      pipelineId: 'new-cars', stageId: 'test-drive', visits: 1, meanMs: 2 * DAY, medianMs: 2 * DAY, p90Ms: 2 * DAY, maxMs: 2 * DAY,
    });
  });

  it('counts open visits up to now with includeOpen', () => {
    const rows = dwellStats([a], { now: T0 + 5 * DAY, includeOpen: true });
    expect(rows.map((r) => [r.stageId, r.visits, r.maxMs])).toEqual([['requirements', 1, DAY], ['test-drive', 1, 4 * DAY]]);
  });

  it('leaves weekend time out with businessDays (UTC; partial days count pro rata)', () => {
    // T0 is Monday 2026-03-02 09:00Z; a deal created Friday 18:00 and moved Monday 06:00 spent 12 business hours
    const friday = Date.parse('2026-03-06T18:00:00Z');
    const deal = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'w', layoutId: 'sales', name: 'w' } }, { at: friday }).deal;
    const moved = applyDeal(ws, deal, { type: 'moveToStage', stageId: 'test-drive' }, { at: Date.parse('2026-03-09T06:00:00Z') }).deal;
    expect(dwellStats([moved], { now: moved.updatedAt, businessDays: true })[0]!.meanMs).toBe(12 * HOUR);
    expect(dwellStats([moved], { now: moved.updatedAt })[0]!.meanMs).toBe(60 * HOUR);
  });

  it('agrees with an hour-by-hour count of weekday hours (UTC), in any process time zone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 24 * 60 }), fc.integer({ min: 0, max: 24 * 40 }), (startHour, hours) => {
        const start = T0 + startHour * HOUR;
        const deal = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'p', layoutId: 'sales', name: 'p' } }, { at: start }).deal;
        const moved = applyDeal(ws, deal, { type: 'moveToStage', stageId: 'test-drive' }, { at: start + hours * HOUR }).deal;
        let expected = 0;
        for (let h = 0; h < hours; h++) if (![0, 6].includes(new Date(start + h * HOUR).getUTCDay())) expected += HOUR;
        const rows = dwellStats([moved], { now: moved.updatedAt, businessDays: true });
        expect(rows[0]?.meanMs ?? 0).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('stalledDeals', () => {
  it('flags open deals past the rotting threshold of their stage, the worst first', () => {
    const fresh = story('fresh', ready, [], 0); // requirements rots after 7 days
    const stale = story('stale', ready, [], -5);
    const closed = story('closed', ready, [[1, { type: 'closeDeal', outcome: 'lost', lostReason: 'x' }]], -30);
    const now = T0 + 4 * DAY;
    expect(stalledDeals(ws, [fresh, stale, closed], { now })).toEqual([
      { dealId: 'stale', name: stale.name, ownerId: stale.ownerId, amount: stale.amount, currency: stale.currency, pipelineId: 'new-cars', stageId: 'requirements', dwellMs: 9 * DAY, thresholdMs: 7 * DAY },
    ]);
  });

  it('uses the pipeline override of rotAfterDays, and 0 turns rotting off', async () => {
    const { applyWorkspace } = await import('../../src/index.js');
    const w = applyWorkspace(ws, { type: 'setPipelineStages', pipelineId: 'new-cars', stages: [{ stageId: 'requirements', rotAfterDays: 1 }, 'won', 'lost'] }, { at: T0 }).workspace;
    const deal = story('x', ready, []);
    expect(stalledDeals(w, [deal], { now: T0 + 2 * DAY }).map((s) => s.thresholdMs)).toEqual([DAY]);
    const off = applyWorkspace(ws, { type: 'setPipelineStages', pipelineId: 'new-cars', stages: [{ stageId: 'requirements', rotAfterDays: 0 }, 'won', 'lost'] }, { at: T0 }).workspace;
    expect(stalledDeals(off, [deal], { now: T0 + 200 * DAY })).toEqual([]);
  });
});

describe('conversionFunnel', () => {
  const one = story('1', ready, [[1, { type: 'moveToStage', stageId: 'test-drive' }], [2, { type: 'moveToStage', stageId: 'quote' }], [3, { type: 'moveToStage', stageId: 'negotiation' }], [4, { type: 'closeDeal', outcome: 'won' }]]);
  const two = story('2', ready, [[1, { type: 'closeDeal', outcome: 'lost', lostReason: 'x' }]]);
  const three = story('3', ready, [[1, { type: 'moveToStage', stageId: 'test-drive' }], [2, { type: 'moveToStage', stageId: 'quote' }]]);

  it('counts, per stage in pipeline order, deals that reached it and went on', () => {
    const f = conversionFunnel(ws, [one, two, three], { pipelineId: 'new-cars' });
    expect(f.deals).toBe(3);
    expect(f.stages).toEqual([
      { stageId: 'requirements', stageName: 'Collect requirements', entered: 3, advanced: 2, conversionRate: 2 / 3 },
      { stageId: 'test-drive', stageName: 'Test drive & choose', entered: 2, advanced: 2, conversionRate: 1 },
      { stageId: 'quote', stageName: 'Quote', entered: 2, advanced: 1, conversionRate: 0.5 },
      { stageId: 'negotiation', stageName: 'Negotiation', entered: 1, advanced: 1, conversionRate: 1 },
      { stageId: 'won', stageName: 'Closed won', entered: 1, advanced: 1, conversionRate: 1 },
      { stageId: 'lost', stageName: 'Closed lost', entered: 1, advanced: 0, conversionRate: 0 },
    ]);
    expect(f.wonRate).toBeCloseTo(1 / 3);
    expect(f.lostRate).toBeCloseTo(1 / 3);
  });

  it('takes the cohort that entered the pipeline in the window and ignores visits after it', () => {
    const late = story('late', ready, [[11, { type: 'moveToStage', stageId: 'test-drive' }]], 10);
    const f = conversionFunnel(ws, [one, late], { pipelineId: 'new-cars', from: T0 + 5 * DAY, to: T0 + 11 * DAY });
    expect(f.deals).toBe(1);
    expect(f.stages[0]).toEqual({ stageId: 'requirements', stageName: 'Collect requirements', entered: 1, advanced: 0, conversionRate: 0 });
    expect(conversionFunnel(ws, [], { pipelineId: 'new-cars' }).wonRate).toBeNull();
  });

  it('refuses an unknown pipeline', () => {
    expectPipelineError(() => conversionFunnel(ws, [], { pipelineId: 'nope' }), 'not_found');
  });
});

describe('weightedPipeline', () => {
  it('sums open deals per currency, never converting, with a group for deals without currency', () => {
    const eur = story('e', { amount: 10000, currency: 'EUR' }, [[1, { type: 'moveToStage', stageId: 'test-drive' }]]); // 30 %
    const eur2 = story('e2', { amount: 20000, currency: 'EUR', pipelineId: 'used-cars', stageId: 'quote' }, []); // override 50 %
    const usd = story('u', { amount: 5000, currency: 'USD' }, []); // 10 %
    const none = story('n', {}, []);
    const won = story('w', { ...ready }, [[1, { type: 'closeDeal', outcome: 'won', bypassRules: true }]]);
    const result = weightedPipeline(ws, [eur, eur2, usd, none, won]);
    expect(Object.keys(result).sort()).toEqual(['', 'EUR', 'USD']);
    expect(result.EUR).toEqual({
      count: 2, total: 30000, weighted: 13000,
      byPipeline: { 'new-cars': { count: 1, total: 10000, weighted: 3000 }, 'used-cars': { count: 1, total: 20000, weighted: 10000 } },
      byStage: { 'test-drive': { count: 1, total: 10000, weighted: 3000 }, quote: { count: 1, total: 20000, weighted: 10000 } },
      byForecastCategory: { pipeline: { count: 1, total: 10000, weighted: 3000 }, best_case: { count: 1, total: 20000, weighted: 10000 } },
    });
    expect(result.USD!.weighted).toBe(500);
    expect(result['']!.count).toBe(1);
  });
});

describe('movementStats and salesCycle', () => {
  // March window: days 0..30 from T0
  const wonInside = story('wi', ready, [[1, { type: 'moveToStage', stageId: 'test-drive' }], [2, { type: 'moveToStage', stageId: 'quote' }], [3, { type: 'moveToStage', stageId: 'negotiation' }], [5, { type: 'closeDeal', outcome: 'won' }]]);
  const wonLater = story('wl', ready, [[40, { type: 'closeDeal', outcome: 'won', bypassRules: true }]]);
  const lostInside = story('li', ready, [[9, { type: 'closeDeal', outcome: 'lost', lostReason: 'x' }]]);
  const old = story('old', ready, [[1, { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'show-models' }]], -20);
  const window = { from: T0, to: T0 + 30 * DAY };

  it('counts new, won, lost and open deals and moves in the window', () => {
    const m = movementStats(ws, [wonInside, wonLater, lostInside, old], window);
    expect(m).toMatchObject({ newDeals: 3, won: 1, lost: 1, leftOpen: 2 });
    expect(m.averageAgeMs).toBe(((30 * DAY) + (50 * DAY)) / 2);
    expect(m.betweenStages).toEqual([
      { from: 'negotiation', to: 'won', count: 1 },
      { from: 'quote', to: 'negotiation', count: 1 },
      { from: 'requirements', to: 'lost', count: 1 },
      { from: 'requirements', to: 'test-drive', count: 1 },
      { from: 'test-drive', to: 'quote', count: 1 },
    ]);
    expect(m.betweenPipelines).toEqual([{ from: 'new-cars', to: 'used-cars', count: 1 }]);
  });

  it('restricts to one pipeline', () => {
    const m = movementStats(ws, [wonInside, old], { ...window, pipelineId: 'used-cars' });
    expect(m).toMatchObject({ newDeals: 0, won: 0, leftOpen: 1, betweenPipelines: [{ from: 'new-cars', to: 'used-cars', count: 1 }], betweenStages: [] });
  });

  it('measures win rate and cycle over deals closed in the window', () => {
    const wonTwo = story('w2', ready, [[1, { type: 'closeDeal', outcome: 'won', bypassRules: true }]], -10);
    expect(salesCycle([wonInside, wonLater, lostInside, wonTwo], window)).toEqual({
      won: 2, lost: 1, winRate: 2 / 3, meanCycleMs: 8 * DAY, medianCycleMs: 8 * DAY, winRateByValue: 2 / 3,
      byCurrency: { EUR: { won: 2, lost: 1, wonAmount: 20000, lostAmount: 10000, winRate: 2 / 3, winRateByValue: 2 / 3 } },
    });
    expect(salesCycle([], window)).toEqual({ won: 0, lost: 0, winRate: null, meanCycleMs: null, medianCycleMs: null, winRateByValue: null, byCurrency: {} });
    expectPipelineError(() => salesCycle([], { from: T0, to: T0 - 1 }), 'invalid_input');
  });
});

describe('metric properties', () => {
  it('cumulative time over all stages equals now − createdAt', () => {
    fc.assert(
      fc.property(arbScenario(), ({ deals, now }) => {
        for (const deal of deals) {
          const total = timeInStages(deal, { now }).reduce((sum, r) => sum + r.cumulativeMs, 0);
          expect(total).toBe(now - deal.createdAt);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('stageAt agrees with the history at every visit boundary', () => {
    fc.assert(
      fc.property(arbScenario(), ({ deals }) => {
        for (const deal of deals) {
          deal.history.forEach((v, i) => {
            const later = deal.history.slice(i + 1).find((w) => w.enteredAt > v.enteredAt);
            const owner = [...deal.history].reverse().find((w) => w.enteredAt === v.enteredAt)!;
            expect(stageAt(deal, v.enteredAt)).toEqual({ pipelineId: owner.pipelineId, stageId: owner.stageId });
            if (later && later.enteredAt - 1 >= v.enteredAt && v.exitedAt !== null && v.exitedAt > v.enteredAt) {
              expect(stageAt(deal, v.exitedAt - 1)).toEqual({ pipelineId: v.pipelineId, stageId: v.stageId });
            }
          });
          expect(stageAt(deal, deal.createdAt - 1)).toBeNull();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('statistics do not depend on the order of the input deals', () => {
    fc.assert(
      fc.property(arbScenario().chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray(s.deals, { minLength: s.deals.length }))), ([s, shuffled]) => {
        const window = { from: s.now - 30 * DAY, to: s.now + 1 };
        expect(dwellStats(shuffled, { now: s.now, includeOpen: true })).toEqual(dwellStats(s.deals, { now: s.now, includeOpen: true }));
        expect(weightedPipeline(s.workspace, shuffled)).toEqual(weightedPipeline(s.workspace, s.deals));
        expect(movementStats(s.workspace, shuffled, window)).toEqual(movementStats(s.workspace, s.deals, window));
        expect(salesCycle(shuffled, window)).toEqual(salesCycle(s.deals, window));
        expect(stalledDeals(s.workspace, shuffled, { now: s.now })).toEqual(stalledDeals(s.workspace, s.deals, { now: s.now }));
        for (const p of s.workspace.layouts.flatMap((l) => l.pipelines)) {
          expect(conversionFunnel(s.workspace, shuffled, { pipelineId: p.id })).toEqual(conversionFunnel(s.workspace, s.deals, { pipelineId: p.id }));
        }
      }),
      { numRuns: 100 },
    );
  });
});
