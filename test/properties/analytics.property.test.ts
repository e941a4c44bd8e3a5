import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyDeal,
  dealAt,
  dwellStats,
  dwellStatsOfVisits,
  isPipelineError,
  pipelineSnapshot,
  pipelineWaterfall,
  pipelineCoverage,
  replayDeal,
  salesCycle,
  salesVelocity,
  slippage,
  stageAt,
  stageConversion,
  weightedPipeline,
  type Deal,
  type DealEvent,
} from '../../src/index.js';
import { arbScenario, arbWorkspace, stepCommand, type ScenarioStep } from '../../src/testing.js';

const HOUR = 3_600_000;

const arbStep: fc.Arbitrary<ScenarioStep> = fc.record({
  kind: fc.constantFrom<ScenarioStep['kind']>('moveToStage', 'moveToStage', 'moveToPipeline', 'closeWon', 'closeLost', 'reopen', 'update', 'update'),
  deal: fc.nat(),
  target: fc.nat(),
  days: fc.integer({ min: 0, max: 20 }),
  bypass: fc.boolean(),
  amount: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null }),
  reason: fc.boolean(),
});

/** What dealAt should say about a deal at its latest instant. */
function stateOf(deal: Deal) {
  const last = deal.history[deal.history.length - 1]!;
  return {
    dealId: deal.id,
    pipelineId: deal.pipelineId,
    stageId: deal.stageId,
    outcome: last.outcome,
    forecastCategory: last.forecastCategory,
    amount: deal.amount,
    currency: deal.currency,
    probability: deal.probability,
    closingDate: deal.closingDate,
    ownerId: deal.ownerId,
  };
}

/** A deal driven by random commands (refusals skipped), with every event it produced. */
const arbLife = fc
  .tuple(arbWorkspace({ maxPipelines: 3 }), fc.integer({ min: 0, max: 100_000 }), fc.array(arbStep, { minLength: 1, maxLength: 30 }))
  .map(([ws, amount, steps]) => {
    let at = Date.UTC(2026, 0, 1);
    const create = stepCommand(ws, null, { ...steps[0]!, kind: 'create', amount }, 'd1');
    const created = applyDeal(ws, null, { ...create, bypassRules: true } as typeof create, { at, by: 'rep' });
    let deal = created.deal;
    const events: DealEvent[] = [...created.events];
    for (const step of steps) {
      at += step.days * HOUR;
      try {
        const r = applyDeal(ws, deal, stepCommand(ws, deal, step, ''), { at, by: step.bypass ? 'boss' : 'rep' });
        deal = r.deal;
        events.push(...r.events);
      } catch (e) {
        if (!isPipelineError(e)) throw e;
      }
    }
    return { ws, deal, events };
  });

describe('dealAt', () => {
  it('at now agrees with the deal', () => {
    fc.assert(
      fc.property(arbScenario(), ({ deals, now }) => {
        for (const deal of deals) expect(dealAt(deal, now)).toEqual(stateOf(deal));
      }),
      { numRuns: 150 },
    );
  });

  it('agrees with stageAt on stage and pipeline, at every visit boundary and between', () => {
    fc.assert(
      fc.property(arbScenario(), ({ deals }) => {
        for (const deal of deals) {
          for (const v of deal.history) {
            for (const t of [v.enteredAt - 1, v.enteredAt, v.enteredAt + HOUR]) {
              const s = dealAt(deal, t);
              expect(s === null ? null : { pipelineId: s.pipelineId, stageId: s.stageId }).toEqual(stageAt(deal, t));
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives, at every instant, the deal that replaying the events up to that instant builds', () => {
    fc.assert(
      fc.property(arbLife, ({ deal, events }) => {
        expect(dealAt(deal, events[0]!.at - 1)).toBeNull();
        const instants = [...new Set(events.map((e) => e.at))];
        for (const t of instants) {
          const then = replayDeal(events.filter((e) => e.at <= t));
          expect(dealAt(deal, t)).toEqual(stateOf(then));
          const between = t + HOUR / 2;
          if (!events.some((e) => e.at > t && e.at <= between)) expect(dealAt(deal, between)).toEqual(stateOf(then));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('reads a deal without a change log from its visits, as before the log existed', () => {
    fc.assert(
      fc.property(arbScenario(), ({ deals }) => {
        for (const deal of deals) {
          if (deal.changes?.some((c) => c.field !== 'probability')) continue;
          const { changes: _, ...legacy } = deal;
          for (const v of deal.history) expect(dealAt(legacy as Deal, v.enteredAt)).toEqual(dealAt(deal, v.enteredAt));
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('pipelineSnapshot', () => {
  it('at now equals weightedPipeline', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 12 }), ({ workspace, deals, now }) => {
        const byId = [...deals].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        expect(pipelineSnapshot(workspace, byId, now)).toEqual(weightedPipeline(workspace, deals));
      }),
      { numRuns: 150 },
    );
  });

  it('at any instant equals weightedPipeline over the deals replayed up to that instant', () => {
    fc.assert(
      fc.property(arbLife, ({ ws, deal, events }) => {
        for (const t of new Set(events.map((e) => e.at))) {
          const then = replayDeal(events.filter((e) => e.at <= t));
          expect(pipelineSnapshot(ws, [deal], t)).toEqual(weightedPipeline(ws, [then]));
        }
      }),
      { numRuns: 150 },
    );
  });
});

const DAY = 86_400_000;
const arbWindow = fc.record({
  fromDay: fc.integer({ min: -2, max: 20 }),
  days: fc.integer({ min: 0, max: 30 }),
  closingFrom: fc.option(fc.constantFrom('2026-01-01', '2026-03-31', '2026-06-30'), { nil: undefined }),
  closingTo: fc.option(fc.constantFrom('2026-03-31', '2026-06-30', '2026-12-31'), { nil: undefined }),
  pipeline: fc.option(fc.nat(), { nil: undefined }),
});

/** The waterfall by its definition: dealAt just before `from`, at each instant of change, classified. */
function referenceWaterfall(deals: readonly Deal[], o: { from: number; to: number; pipelineId?: string; closingFrom?: string; closingTo?: string }) {
  const out: Record<string, Record<string, { count: number; amount: number; dealIds: string[] }>> = {};
  const names = ['start', 'created', 'pulledIn', 'increased', 'reopened', 'movedIn', 'decreased', 'pushedOut', 'won', 'lost', 'movedOut', 'end'];
  const put = (s: NonNullable<ReturnType<typeof dealAt>>, bucket: string, amount: number) => {
    const c = (out[s.currency ?? ''] ??= Object.fromEntries(names.map((n) => [n, { count: 0, amount: 0, dealIds: [] as string[] }])));
    const b = c[bucket]!;
    b.amount += amount;
    if (!b.dealIds.includes(s.dealId)) b.dealIds.push(s.dealId), b.count++;
  };
  const bounded = o.closingFrom !== undefined || o.closingTo !== undefined;
  const member = (s: ReturnType<typeof dealAt>) =>
    s !== null && s.outcome === 'open' && (o.pipelineId === undefined || s.pipelineId === o.pipelineId) &&
    (!bounded || (s.closingDate !== null && (o.closingFrom === undefined || s.closingDate >= o.closingFrom) && (o.closingTo === undefined || s.closingDate <= o.closingTo)));
  for (const deal of deals) {
    const instants = [...new Set([...deal.history.map((v) => v.enteredAt), ...(deal.changes ?? []).map((c) => c.at)])].filter((t) => t >= o.from && t < o.to).sort((a, b) => a - b);
    let prev = dealAt(deal, o.from - 1);
    if (member(prev)) put(prev!, 'start', prev!.amount ?? 0);
    for (const t of instants) {
      const next = dealAt(deal, t)!;
      const was = member(prev);
      const is = member(next);
      if (was && is) {
        if (prev!.currency !== next.currency) put(prev!, 'decreased', prev!.amount ?? 0), put(next, 'increased', next.amount ?? 0);
        else if ((next.amount ?? 0) > (prev!.amount ?? 0)) put(next, 'increased', (next.amount ?? 0) - (prev!.amount ?? 0));
        else if ((next.amount ?? 0) < (prev!.amount ?? 0)) put(next, 'decreased', (prev!.amount ?? 0) - (next.amount ?? 0));
      } else if (is) put(next, prev === null ? 'created' : prev.outcome !== 'open' ? 'reopened' : prev.pipelineId !== next.pipelineId ? 'movedIn' : 'pulledIn', next.amount ?? 0);
      else if (was) put(prev!, next.outcome === 'won' ? 'won' : next.outcome === 'lost' ? 'lost' : prev!.pipelineId !== next.pipelineId ? 'movedOut' : 'pushedOut', prev!.amount ?? 0);
      prev = next;
    }
    if (member(prev)) put(prev!, 'end', prev!.amount ?? 0);
  }
  return out;
}

describe('pipelineWaterfall', () => {
  it('always balances: start + inflows − outflows = end, per currency, and start and end are the snapshots', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 10, maxSteps: 40 }), arbWindow, ({ workspace, deals }, w) => {
        const from = Date.UTC(2026, 0, 1) + w.fromDay * DAY;
        const to = from + w.days * DAY;
        const pipelines = workspace.layouts.flatMap((l) => l.pipelines.map((p) => p.id));
        const pipelineId = w.pipeline === undefined || pipelines.length === 0 ? undefined : pipelines[w.pipeline % pipelines.length];
        const opts = { from, to, ...(pipelineId ? { pipelineId } : {}), ...(w.closingFrom ? { closingFrom: w.closingFrom } : {}), ...(w.closingTo ? { closingTo: w.closingTo } : {}) };
        const result = pipelineWaterfall(workspace, deals, opts);
        expect(result).toEqual(referenceWaterfall(deals, opts));
        const legacy = deals.map(({ changes: _, ...d }) => d as Deal);
        expect(pipelineWaterfall(workspace, legacy, opts)).toEqual(referenceWaterfall(legacy, opts));
        for (const c of Object.values(result)) {
          const inflow = c.created.amount + c.pulledIn.amount + c.increased.amount + c.reopened.amount + c.movedIn.amount;
          const outflow = c.decreased.amount + c.pushedOut.amount + c.won.amount + c.lost.amount + c.movedOut.amount;
          expect(c.start.amount + inflow - outflow).toBe(c.end.amount);
          for (const b of Object.values(c)) expect(b.count).toBe(new Set(b.dealIds).size);
        }
        if (w.closingFrom === undefined && w.closingTo === undefined) {
          const totals = (snap: ReturnType<typeof pipelineSnapshot>) => Object.fromEntries(Object.entries(snap).map(([k, v]) => [k, v.total]));
          const ends = (key: 'start' | 'end') => Object.fromEntries(Object.entries(result).filter(([, v]) => v[key].count > 0).map(([k, v]) => [k, v[key].amount]));
          const only = pipelineId ? { pipelineId } : {};
          expect(ends('start')).toEqual(totals(pipelineSnapshot(workspace, deals, from - 1, only)));
          expect(ends('end')).toEqual(totals(pipelineSnapshot(workspace, deals, to - 1, only)));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the analytics refuse junk with PipelineError only', () => {
  it('for every function and argument position', () => {
    const junk = fc.oneof(
      fc.anything(),
      fc.constant({ history: [{ stageId: 's', enteredAt: 0, exitedAt: null, pipelineId: null }], id: 'x', layoutId: 'a', stageId: 's', pipelineId: null, version: 1, createdAt: 0, updatedAt: 0, fields: {}, changes: [null] }),
      fc.constant({ history: [{ stageId: 's', enteredAt: 0, exitedAt: null, pipelineId: null }], id: 'x', layoutId: 'a', stageId: '__proto__', pipelineId: '__proto__', version: 1, createdAt: 0, updatedAt: 0, fields: {}, changes: 'x' }),
    );
    fc.assert(
      fc.property(arbScenario({ maxDeals: 2, maxSteps: 4 }), junk, junk, (s, a, b) => {
        const ws = s.workspace;
        const window = { from: 0, to: 1 };
        const calls: (() => unknown)[] = [
          () => dealAt(a as never, b as never),
          () => dealAt(s.deals[0]!, a as never),
          () => pipelineSnapshot(ws, [a] as never, 0),
          () => pipelineSnapshot(ws, s.deals, a as never, b as never),
          () => pipelineWaterfall(ws, [a] as never, window),
          () => pipelineWaterfall(ws, s.deals, a as never),
          () => slippage([a] as never, window),
          () => slippage(s.deals, a as never),
          () => stageConversion(ws, [a] as never, b as never),
          () => salesVelocity([a] as never, b as never),
          () => pipelineCoverage(ws, [a] as never, { ...window, target: 1 }),
          () => pipelineCoverage(ws, s.deals, a as never),
          () => salesCycle([a] as never, window),
        ];
        for (const call of calls) {
          try {
            call();
          } catch (e) {
            expect(isPipelineError(e), String((e as Error)?.message)).toBe(true);
          }
        }
        expect(({} as Record<string, unknown>).count).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe('dwellStatsOfVisits', () => {
  it('gives exactly the rows dwellStats gives over the deals the visits came from', () => {
    const arbOpts = fc.record({
      includeOpen: fc.boolean(),
      pipeline: fc.option(fc.nat(), { nil: undefined }),
      businessDays: fc.oneof(fc.constant(undefined), fc.boolean(), fc.record({ weekendDays: fc.subarray([0, 1, 2, 3, 4, 5, 6]), holidays: fc.constant(['2026-01-02', '2026-01-06']) })),
    });
    fc.assert(
      fc.property(arbScenario({ maxDeals: 10, maxSteps: 40 }), arbOpts, ({ workspace, deals, now }, o) => {
        const pipelines = workspace.layouts.flatMap((l) => l.pipelines.map((p) => p.id));
        const pipelineId = o.pipeline === undefined || pipelines.length === 0 ? undefined : pipelines[o.pipeline % pipelines.length]!;
        const opts = { now, includeOpen: o.includeOpen, ...(pipelineId ? { pipelineId } : {}), ...(o.businessDays === undefined ? {} : { businessDays: o.businessDays }) };
        const rows = deals.flatMap((d) => d.history.map((v) => ({ dealId: d.id, layoutId: d.layoutId, pipelineId: v.pipelineId, stageId: v.stageId, enteredAt: v.enteredAt, exitedAt: v.exitedAt })));
        const shuffled = [...rows].reverse();
        expect(dwellStatsOfVisits(shuffled, opts)).toEqual(dwellStats(deals, opts));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses what is not an iterable of visit rows', () => {
    for (const junk of [null, 1, {}, [null], [{ stageId: 1 }]]) {
      try {
        dwellStatsOfVisits(junk as never, { now: 0 });
        expect.unreachable();
      } catch (e) {
        expect(isPipelineError(e, 'invalid_input')).toBe(true);
      }
    }
  });
});
