import * as z from 'zod';
import { guarded } from '../_internal/guard.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { Instant } from '../model/primitives.js';
import { DAY_MS, parseOptions } from '../metrics/common.js';
import { assertTimelines, stateAt } from '../metrics/dealAt.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { DEFAULT_RUNS, SimulationOptions, type ForecastRow } from './forecast.js';
import { DEFAULT_WINDOW_DAYS } from './learnPipeline.js';
import { ModelBuilder } from './modelBuilder.js';
import { periodIndex, periodsBetween, ZoneCalendar, type Period, type PeriodUnit } from './periods.js';
import { openAt, positionsOf, type OpenDeal } from './positions.js';
import { deriveSeed } from './random.js';
import { CompiledModel, simulate } from './simulate.js';

/**
 * One row of a {@link backtest}: for a past instant, a period after it and a currency, what the
 * deals open then actually won in the period, what the learned forecast said, and what the
 * weighted pipeline said.
 *
 * @example
 * ```ts
 * const row: BacktestRow = backtest(ws, deals, { at: [at], horizon: 3, period: 'month' })[0]!;
 * const missed = Math.abs(row.forecast.expected - row.actual) - Math.abs(row.weighted - row.actual);
 * ```
 * @category Forecast
 */
export interface BacktestRow {
  readonly at: number;
  readonly period: { readonly from: number; readonly to: number };
  readonly currency: string;
  /** The amount won inside the period by the deals that were open at `at`. */
  readonly actual: number;
  readonly forecast: Omit<ForecastRow, 'period' | 'currency'>;
  /** The weighted pipeline (amount × probability / 100) at `at` of those deals whose closing date then fell in the period. */
  readonly weighted: number;
}

const BacktestOptions = z.strictObject({
  at: z.array(Instant).min(1).max(1_000),
  horizon: z.number().int().min(1).max(120),
  window: z.number().finite().positive().max(36_500).optional(),
  ...SimulationOptions,
});

/**
 * Options of {@link backtest}: the past instants, how many periods after each, their length, and
 * the `window` (days), `runs`, `seed` and `timeZone` of the learning and the simulation.
 *
 * @example
 * ```ts
 * const opts: BacktestOptions = { at: ['2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z'], horizon: 3, period: 'month', seed: 1 };
 * ```
 * @category Forecast
 */
export interface BacktestOptions {
  readonly at: readonly (Date | number | string)[];
  readonly horizon: number;
  readonly period: PeriodUnit;
  readonly window?: number;
  readonly runs?: number;
  readonly seed?: number;
  readonly timeZone?: string;
}

/**
 * Replays the history as of each past instant in `at` and scores the forecast against what
 * happened: learns a model from what was known then ({@link learnPipeline} with `until: at`),
 * forecasts the deals open then ({@link forecast} from `at` over `horizon` periods, the first cut
 * to start at `at`), and sets beside it the amount those deals actually won in each period and
 * the weighted pipeline (amount × probability at `at`) of those whose closing date at `at` fell in
 * the period (a `'YYYY-MM-DD'` read as midnight in `timeZone`, in the period's whole calendar span).
 *
 * @param ws - the workspace
 * @param deals - deals with their full history (the later history is the answer key)
 * @param opts - `{ at, horizon, period, window?, runs?, seed?, timeZone? }`
 * @returns one row per instant, period and currency, in that order
 * @example
 * ```ts
 * backtest(ws, deals, { at: ['2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z'], horizon: 3, period: 'month', seed: 1 });
 * // [{ at: 1767225600000, period: { from: 1767225600000, to: 1769904000000 }, currency: 'EUR', actual: 120000,
 * //    forecast: { expected: 131000, p10: 80000, p50: 128000, p90: 185000 }, weighted: 240000 }, ...]
 * ```
 * @category Forecast
 * @function
 */
export const backtest = /* @__PURE__ */ guarded(function backtest(ws: Workspace, deals: readonly Deal[], opts: BacktestOptions): BacktestRow[] {
  ws = checkedWorkspace(ws);
  const o = parseOptions(BacktestOptions, opts);
  assertTimelines(deals);
  const calendar = new ZoneCalendar(o.timeZone ?? 'UTC');
  const rows: BacktestRow[] = [];
  o.at.forEach((at, k) => {
    const builder = new ModelBuilder(at, (o.window ?? DEFAULT_WINDOW_DAYS) * DAY_MS);
    for (const deal of deals) builder.add(deal);
    const model = new CompiledModel(builder.build(ws));
    const end = calendar.addPeriods(calendar.periodStart(at, o.period), o.period, o.horizon);
    const { cut, whole } = periodsBetween(at, end, o.period, calendar);
    const open = openAt(deals, at);
    const { positions, currencies } = positionsOf(model, open);
    const spreads = simulate(model, positions, cut, currencies.length, o.runs ?? DEFAULT_RUNS, deriveSeed(o.seed ?? 1, k));
    const actual = wonAfter(open, at, cut, currencies);
    const weighted = weightedByClosingDate(open, whole, currencies, calendar);
    cut.forEach((period, i) =>
      currencies.forEach((currency, c) => rows.push({ at, period, currency, actual: actual[i]![c]!, forecast: spreads[i]![c]!, weighted: weighted[i]![c]! })),
    );
  });
  return rows;
}, ['workspace', 'deals', 'opts']);

/** Per period and currency (the currency at `at`), the amount won by the open deals at their first win after `at`. */
function wonAfter(open: readonly OpenDeal[], at: number, periods: readonly Period[], currencies: readonly string[]): number[][] {
  const out = periods.map(() => currencies.map(() => 0));
  for (const o of open) {
    const won = o.deal.history.find((v) => v.enteredAt > at && v.outcome === 'won');
    const i = won ? periodIndex(periods, won.enteredAt) : -1;
    if (i < 0) continue;
    const c = currencies.indexOf(o.state.currency ?? '');
    out[i]![c] = out[i]![c]! + (stateAt(o.deal, won!.enteredAt)?.amount ?? 0);
  }
  return out;
}

function weightedByClosingDate(open: readonly OpenDeal[], periods: readonly Period[], currencies: readonly string[], calendar: ZoneCalendar): number[][] {
  const out = periods.map(() => currencies.map(() => 0));
  for (const o of open) {
    if (o.state.closingDate === null) continue;
    const i = periodIndex(periods, calendar.midnight(o.state.closingDate));
    if (i < 0) continue;
    const c = currencies.indexOf(o.state.currency ?? '');
    out[i]![c] = out[i]![c]! + ((o.state.amount ?? 0) * o.state.probability) / 100;
  }
  return out;
}
