import { PipelineError } from '../../errors.js';
import type { Tally } from '../../metrics/common.js';
import { funnelTally, type Funnel } from '../../metrics/conversionFunnel.js';
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
import { storedPages } from '../pages.js';
import type { StoredFunnelOptions, StoredPeriodOptions, StoredWaterfallOptions, StoredConversionOptions, StoredMovementOptions, StoredCoverageOptions } from '../types.js';

/**
 * Runs a tally over the stored deals, page by page (`chunkSize` deals, at most 1,000, in id
 * order, with the parts of a deal `include` names): memory holds one page and the tally, never
 * the whole table. The tally is made (and the options checked) before any page is read.
 */
async function overStore<R>(rt: Runtime, opts: unknown, include: readonly DealInclude[], make: (ws: Workspace, opts: unknown) => Tally<R>): Promise<R> {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new PipelineError('invalid_input', 'opts: expected an object', { path: 'opts' });
  }
  const tally = make(await rt.workspaces.load(), opts);
  for await (const deals of storedPages(rt, { include })) for (const deal of deals) tally.add(deal);
  return tally.result();
}

const HISTORY: readonly DealInclude[] = ['history'];
// Reports that read a deal as it stood at an instant (`dealAt`) need the change log too.
const WHOLE: readonly DealInclude[] = ['history', 'changes'];

/** The reports over the store that are tallies of the array functions, by name. */
export function talliedReports(rt: Runtime) {
  return {
    conversionFunnel: (o: StoredFunnelOptions): Promise<Funnel> => overStore(rt, o, HISTORY, funnelTally),
    stageConversion: (o: StoredConversionOptions): Promise<StageConversionStats> => overStore(rt, o, HISTORY, conversionTally),
    movementStats: (o: StoredMovementOptions): Promise<MovementStats> => overStore(rt, o, HISTORY, movementTally),
    salesCycle: (o: StoredPeriodOptions): Promise<SalesCycle> => overStore(rt, o, WHOLE, (_, opts) => cycleTally(opts)),
    salesVelocity: (o: StoredPeriodOptions): Promise<Record<string, SalesVelocity>> => overStore(rt, o, WHOLE, (_, opts) => velocityTally(opts)),
    slippage: (o: StoredPeriodOptions): Promise<Slippage> => overStore(rt, o, WHOLE, (_, opts) => slippageTally(opts)),
    pipelineWaterfall: (o: StoredWaterfallOptions): Promise<Record<string, WaterfallCurrency>> => overStore(rt, o, WHOLE, waterfallTally),
    pipelineCoverage: (o: StoredCoverageOptions): Promise<Record<string, Coverage>> => overStore(rt, o, WHOLE, coverageTally),
  };
}
