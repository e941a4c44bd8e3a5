import { PipelineError } from '../../errors.js';
import type { Tally } from '../../metrics/common.js';
import { funnelPlan, funnelTally, type Funnel } from '../../metrics/conversionFunnel.js';
import { FunnelGroups } from '../../metrics/funnelGroups.js';
import type { Deal, VisitRow } from '../../model/deal.js';
import { movementTally, type MovementStats } from '../../metrics/movementStats.js';
import { coverageTally, type Coverage } from '../../metrics/pipelineCoverage.js';
import { waterfallTally, type WaterfallCurrency } from '../../metrics/pipelineWaterfall.js';
import { cycleTally, type SalesCycle } from '../../metrics/salesCycle.js';
import { velocityTally, type SalesVelocity } from '../../metrics/salesVelocity.js';
import { slippageTally, type Slippage } from '../../metrics/slippage.js';
import { conversionTally, type StageConversionStats } from '../../metrics/stageConversion.js';
import type { Workspace } from '../../model/layout.js';
import type { DealInclude } from '../../ports/dealQuery.js';
import type { Runtime } from '../runtime.js';
import { storedPages, storedTimelines, storedVisitPages } from '../pages.js';
import type { StoredFunnelOptions, StoredPeriodOptions, StoredWaterfallOptions, StoredConversionOptions, StoredMovementOptions, StoredCoverageOptions } from '../types.js';

/** The tally `make` gives for the stored workspace, once `opts` is known to be an object (the tally checks the rest). */
async function tallyFor<T>(rt: Runtime, opts: unknown, make: (ws: Workspace, opts: unknown) => T): Promise<T> {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new PipelineError('invalid_input', 'opts: expected an object', { path: 'opts' });
  }
  return make(await rt.workspaces.load(), opts);
}

/**
 * Runs a tally over the stored deals, page by page (`chunkSize` deals, at most 1,000, in id
 * order, with the parts of a deal `include` names): memory holds one page and the tally, never
 * the whole table. The tally is made (and the options checked) before any page is read.
 */
async function overStore<R>(rt: Runtime, opts: unknown, include: readonly DealInclude[], make: (ws: Workspace, opts: unknown) => Tally<R>): Promise<R> {
  const tally = await tallyFor(rt, opts, make);
  for await (const deals of storedPages(rt, { include })) for (const deal of deals) tally.add(deal);
  return tally.result();
}

const HISTORY: readonly DealInclude[] = ['history'];
// Reports that read a deal as it stood at an instant (`dealAt`) need the change log too.
const WHOLE: readonly DealInclude[] = ['history', 'changes'];

/**
 * A tally that reads of a deal only what a `DealTimeline` holds (the waterfall), over the
 * store's timelines when it offers them (visits begun before the period's end, the changes of
 * value and closing date; no whole deal built), else over its deals.
 */
async function overTimelines<R>(rt: Runtime, opts: unknown, make: (ws: Workspace, opts: unknown, timelines?: boolean) => Tally<R> & { readonly before?: number }): Promise<R> {
  if (!rt.deals.timelines) return overStore(rt, opts, WHOLE, make);
  const tally = await tallyFor(rt, opts, (ws, o) => make(ws, o, true));
  const before = Number.isSafeInteger(tally.before) ? tally.before : undefined;
  // A timeline has every part of a deal the tally reads.
  for await (const timelines of storedTimelines(rt, before)) for (const t of timelines) tally.add(t as unknown as Deal);
  return tally.result();
}

/**
 * The funnel over the store: counted by the store when it offers `visits.funnel`, else from its
 * visit rows deal by deal (both count erased deals' visits, as dwell does), else from the deals
 * page by page.
 */
async function storedFunnel(rt: Runtime, opts: StoredFunnelOptions): Promise<Funnel> {
  const visits = rt.visits;
  if (!visits || typeof opts !== 'object' || opts === null || Array.isArray(opts)) return overStore(rt, opts, HISTORY, funnelTally);
  const plan = funnelPlan(await rt.workspaces.load(), opts);
  if (plan === null) return overStore(rt, opts, HISTORY, funnelTally);
  if (visits.funnel) return plan.result(await visits.funnel(plan.query));
  const groups = new FunnelGroups(plan.query);
  let deal: VisitRow[] = [];
  for await (const rows of storedVisitPages(rt, { pipelineId: plan.query.pipelineId })) {
    for (const v of rows) {
      if (deal.length > 0 && deal[0]!.dealId !== v.dealId) {
        groups.add(deal);
        deal = [];
      }
      deal.push(v);
    }
  }
  if (deal.length > 0) groups.add(deal);
  return plan.result(groups.rows());
}

/** The reports over the store that are tallies of the array functions, by name. */
export function talliedReports(rt: Runtime) {
  return {
    conversionFunnel: (o: StoredFunnelOptions): Promise<Funnel> => storedFunnel(rt, o),
    stageConversion: (o: StoredConversionOptions): Promise<StageConversionStats> => overStore(rt, o, HISTORY, conversionTally),
    movementStats: (o: StoredMovementOptions): Promise<MovementStats> => overStore(rt, o, HISTORY, movementTally),
    salesCycle: (o: StoredPeriodOptions): Promise<SalesCycle> => overStore(rt, o, WHOLE, (_, opts) => cycleTally(opts)),
    salesVelocity: (o: StoredPeriodOptions): Promise<Record<string, SalesVelocity>> => overStore(rt, o, WHOLE, (_, opts) => velocityTally(opts)),
    slippage: (o: StoredPeriodOptions): Promise<Slippage> => overStore(rt, o, WHOLE, (_, opts) => slippageTally(opts)),
    pipelineWaterfall: (o: StoredWaterfallOptions): Promise<Record<string, WaterfallCurrency>> => overTimelines(rt, o, waterfallTally),
    pipelineCoverage: (o: StoredCoverageOptions): Promise<Record<string, Coverage>> => overStore(rt, o, WHOLE, coverageTally),
  };
}
