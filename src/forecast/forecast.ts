import * as z from 'zod';
import { guarded } from '../_internal/guard.js';
import { PipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';
import { parseWith } from '../model/parse.js';
import { Instant } from '../model/primitives.js';
import { parseOptions } from '../metrics/common.js';
import { assertTimelines } from '../metrics/dealAt.js';
import { isTimeZone } from '../metrics/zoneTimeline.js';
import { periodsBetween, ZoneCalendar, type PeriodUnit } from './periods.js';
import { PipelineModelSchema, type PipelineModel } from './pipelineModel.js';
import { openAt, positionsOf } from './positions.js';
import { CompiledModel, simulate } from './simulate.js';

/**
 * One row of a {@link forecast}: the won amount expected in a period in one currency, and the
 * 10th, 50th and 90th percentiles of the simulated outcomes.
 *
 * @example
 * ```ts
 * const row: ForecastRow = forecast(model, deals, { from, to, period: 'month' })[0]!;
 * console.log(new Date(row.period.from).toISOString(), row.currency, row.expected, [row.p10, row.p90]);
 * ```
 * @category Forecast
 */
export interface ForecastRow {
  readonly period: { readonly from: number; readonly to: number };
  readonly currency: string;
  readonly expected: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

export const DEFAULT_RUNS = 1_000;

export const SimulationOptions = {
  period: z.enum(['week', 'month', 'quarter']),
  runs: z.number().int().min(1).max(100_000).optional(),
  seed: z.number().int().min(0).max(4_294_967_295).optional(),
  timeZone: z.string().max(100).refine(isTimeZone, { message: 'expected an IANA time zone name' }).optional(),
};
const ForecastOptions = z.strictObject({ from: Instant, to: Instant, ...SimulationOptions });

/**
 * The won amount to expect per period and currency, by simulating the open deals through a
 * {@link PipelineModel} learned from history: each run lets every deal leave its stage after a
 * learned dwell time (given how long it has already sat), move on by the learned odds, and be won,
 * lost or still open when the span ends. `expected` is the mean over the runs, `p10`/`p50`/`p90`
 * the percentiles (nearest rank) of the run totals: a P10–P90 band holds the actual amount in
 * about 8 periods out of 10 when the pipeline behaves as it did.
 *
 * The deals are read as they stood at `from` (with `dealAt`): deals created later or closed by
 * then are left out. Periods are calendar weeks (from Monday), months or quarters in `timeZone`
 * (default UTC), cut to [from, to). Amounts are never converted between currencies; a deal without
 * an amount counts 0. Pure: the same `seed` (default 1) gives the same rows; `runs` defaults to 1000.
 *
 * @param model - from {@link learnPipeline}
 * @param openDeals - the deals to forecast (others are skipped)
 * @param opts - `{ from, to, period, runs?, seed?, timeZone? }`
 * @returns one row per period and currency, by period then currency
 * @example
 * ```ts
 * forecast(model, deals, { from: '2026-07-01T00:00:00Z', to: '2026-10-01T00:00:00Z', period: 'month', seed: 7 });
 * // [{ period: { from: 1782864000000, to: 1785542400000 }, currency: 'EUR', expected: 182000, p10: 95000, p50: 178000, p90: 270000 }, ...]
 * ```
 * @category Forecast
 * @function
 */
export const forecast = /* @__PURE__ */ guarded(function forecast(
  model: PipelineModel,
  openDeals: readonly Deal[],
  opts: { from: Date | number | string; to: Date | number | string; period: PeriodUnit; runs?: number; seed?: number; timeZone?: string },
): ForecastRow[] {
  const m = parseWith(PipelineModelSchema, model, 'model');
  const o = parseOptions(ForecastOptions, opts);
  if (o.to < o.from) throw new PipelineError('invalid_input', 'opts.to: must not be before opts.from', { path: 'opts.to' });
  assertTimelines(openDeals);
  const compiled = new CompiledModel(m);
  const { cut } = periodsBetween(o.from, o.to, o.period, new ZoneCalendar(o.timeZone ?? 'UTC'));
  const { positions, currencies } = positionsOf(compiled, openAt(openDeals, o.from));
  const spreads = simulate(compiled, positions, cut, currencies.length, o.runs ?? DEFAULT_RUNS, o.seed ?? 1);
  return cut.flatMap((period, i) => currencies.map((currency, c) => ({ period, currency, ...spreads[i]![c]! })));
}, ['model', 'openDeals', 'opts']);
