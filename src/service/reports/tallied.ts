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

type At = Date | number | string;

/**
 * Options of `service.conversionFunnel`: those of `conversionFunnel`. The period selects the
 * cohort: deals whose first entry into the pipeline lies in `[from, to)`.
 *
 * @example
 * ```ts
 * const o: StoredFunnelOptions = { pipelineId: 'new-cars', from: '2026-01-01', to: '2026-04-01' };
 * ```
 * @category Service
 */
export interface StoredFunnelOptions {
  readonly pipelineId: string;
  readonly from?: At;
  readonly to?: At;
}

/**
 * Options of the period reports over the store (`slippage`, `salesVelocity`, `salesCycle`): those
 * of the array functions, a half-open period `[from, to)`.
 *
 * @example
 * ```ts
 * const o: StoredPeriodOptions = { from: '2026-01-01', to: '2026-04-01' };
 * ```
 * @category Service
 */
export interface StoredPeriodOptions {
  readonly from: At;
  readonly to: At;
}

/**
 * Options of `service.pipelineWaterfall`: those of `pipelineWaterfall`.
 *
 * @example
 * ```ts
 * const o: StoredWaterfallOptions = { from: '2026-01-01', to: '2026-04-01', closingTo: '2026-06-30' };
 * ```
 * @category Service
 */
export interface StoredWaterfallOptions extends StoredPeriodOptions {
  readonly pipelineId?: string;
  readonly closingFrom?: string;
  readonly closingTo?: string;
}

/**
 * Options of `service.stageConversion`: those of `stageConversion`.
 *
 * @example
 * ```ts
 * const o: StoredConversionOptions = { pipelineId: 'new-cars', from: '2026-01-01', to: '2026-04-01' };
 * ```
 * @category Service
 */
export interface StoredConversionOptions extends StoredPeriodOptions {
  readonly pipelineId: string;
}

/**
 * Options of `service.movementStats`: those of `movementStats`.
 *
 * @example
 * ```ts
 * const o: StoredMovementOptions = { from: '2026-03-01', to: '2026-04-01', pipelineId: 'new-cars' };
 * ```
 * @category Service
 */
export interface StoredMovementOptions extends StoredPeriodOptions {
  readonly pipelineId?: string;
}

/**
 * Options of `service.pipelineCoverage`: those of `pipelineCoverage`.
 *
 * @example
 * ```ts
 * const o: StoredCoverageOptions = { from: '2026-04-01', to: '2026-07-01', target: { EUR: 100_000 } };
 * ```
 * @category Service
 */
export interface StoredCoverageOptions extends StoredPeriodOptions {
  readonly target: number | Record<string, number>;
  readonly pipelineId?: string;
  readonly asOf?: At;
}

/**
 * Runs a tally over the stored deals, page by page (`chunkSize` deals, in id order, with the parts
 * of a deal `include` names): memory holds one page and the tally, never the whole table. The
 * tally is made (and the options checked) before any page is read.
 */
async function overStore<R>(rt: Runtime, opts: unknown, include: readonly DealInclude[], make: (ws: Workspace, opts: unknown) => Tally<R>): Promise<R> {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new PipelineError('invalid_input', 'opts: expected an object', { path: 'opts' });
  }
  const tally = make(await rt.workspaces.load(), opts);
  let after: string | null = null;
  do {
    const page = await rt.deals.list({ after, limit: rt.chunkSize, include });
    for (const deal of page.deals) tally.add(deal);
    after = page.next;
  } while (after !== null);
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
