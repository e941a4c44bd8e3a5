import { guarded } from '../_internal/guard.js';
import * as z from 'zod';
import type { Deal, StageVisit } from '../model/deal.js';
import { Instant } from '../model/primitives.js';
import { checkWindow, median, parseOptions, tallied, type Tally } from './common.js';
import { assertTimelines, stateAt } from './dealAt.js';

/**
 * Win rate and sales cycle length over a window.
 *
 * @example
 * ```ts
 * const { winRate, medianCycleMs }: SalesCycle = salesCycle(deals, { from: '2026-01-01', to: '2026-04-01' });
 * ```
 * @category Metrics
 */
export interface SalesCycle {
  readonly won: number;
  readonly lost: number;
  /** won / (won + lost); null when no deal closed. */
  readonly winRate: number | null;
  /** Mean of close time − createdAt over won deals; null when none was won. */
  readonly meanCycleMs: number | null;
  /** Median of the same (mean of the two middle values for an even count); null when none. */
  readonly medianCycleMs: number | null;
  /**
   * Won amount / (won + lost amount), when every deal closed in one currency (amounts are never
   * converted); null otherwise, or when the amounts sum to 0. See `byCurrency`.
   */
  readonly winRateByValue: number | null;
  /** Win rate by count and by value per currency (the deal's currency when it closed; `''` for none). */
  readonly byCurrency: Record<string, CurrencyWinRate>;
}

/**
 * Win rates of the deals of one currency that closed in the window.
 *
 * @example
 * ```ts
 * const eur: CurrencyWinRate | undefined = salesCycle(deals, { from, to }).byCurrency.EUR;
 * ```
 * @category Metrics
 */
export interface CurrencyWinRate {
  won: number;
  lost: number;
  /** Sum of the amounts the won deals had when they closed. */
  wonAmount: number;
  lostAmount: number;
  /** won / (won + lost). */
  winRate: number | null;
  /** wonAmount / (wonAmount + lostAmount); null when both are 0. */
  winRateByValue: number | null;
}

const CycleOptions = z.strictObject({ from: Instant, to: Instant });

/**
 * Win rate and sales cycle. A deal counts when it closes inside `[from, to)`: its last
 * transition into a closed stage (from an open stage, or at creation) in the window decides
 * whether it counts as won or lost. The cycle of a won deal is that close time − `createdAt`.
 * Reads only the deals' history (each visit records its stage outcome).
 *
 * Win rate by count is won / (won + lost); by value, the amount won / the amount closed, with each
 * deal's amount as its closing visit recorded it, per currency in `byCurrency`. Worked example:
 * A won with 30,000 EUR, B lost with 10,000 EUR, C lost with 20,000 EUR: winRate 1/3,
 * winRateByValue 0.5.
 *
 * @param deals - the deals
 * @param opts - `{ from, to }`
 * @returns `{ won, lost, winRate, meanCycleMs, medianCycleMs, winRateByValue, byCurrency }`
 * @example
 * ```ts
 * salesCycle(deals, { from: '2026-01-01', to: '2026-04-01' });
 * // { won: 12, lost: 8, winRate: 0.6, meanCycleMs: 2.1e9, medianCycleMs: 1.8e9, winRateByValue: 0.71, byCurrency: { EUR: { ... } } }
 * ```
 * @category Metrics
 * @function
 */
export const salesCycle = /* @__PURE__ */ guarded(function salesCycle(deals: readonly Deal[], opts: { from: Date | number | string; to: Date | number | string }): SalesCycle {
  const tally = cycleTally(opts);
  assertTimelines(deals);
  return tallied(tally, deals);
}, ['deals', 'opts']);

/**
 * The sales cycle as a {@link Tally}. Counts and amounts accumulate; the cycle of each deal won in
 * the window is kept (the median needs them all, and the mean is summed over them in ascending
 * order), so it holds one number per won deal, not the deals.
 */
export function cycleTally(opts: unknown): Tally<SalesCycle> {
  const { from, to } = parseOptions(CycleOptions, opts);
  checkWindow(from, to);
  let lost = 0;
  const cycles: number[] = [];
  const byCurrency: Record<string, CurrencyWinRate> = Object.create(null);
  return {
    add(deal) {
      const close = closingIn(deal, from, to);
      if (close === null) return;
      if (close.outcome === 'won') cycles.push(close.enteredAt - deal.createdAt);
      else lost++;
      const currency = stateAt(deal, close.enteredAt)?.currency ?? '';
      const c = (byCurrency[currency] ??= { won: 0, lost: 0, wonAmount: 0, lostAmount: 0, winRate: null, winRateByValue: null });
      if (close.outcome === 'won') {
        c.won++;
        c.wonAmount += close.amount ?? 0;
      } else {
        c.lost++;
        c.lostAmount += close.amount ?? 0;
      }
    },
    result() {
      const rates: Record<string, CurrencyWinRate> = Object.create(null);
      for (const [currency, c] of Object.entries(byCurrency)) {
        rates[currency] = { ...c, winRate: c.won / (c.won + c.lost), winRateByValue: c.wonAmount + c.lostAmount === 0 ? null : c.wonAmount / (c.wonAmount + c.lostAmount) };
      }
      const currencies = Object.values(rates);
      const won = cycles.length;
      const sorted = [...cycles].sort((a, b) => a - b);
      return {
        won,
        lost,
        winRate: won + lost === 0 ? null : won / (won + lost),
        meanCycleMs: won === 0 ? null : sorted.reduce((a, b) => a + b, 0) / won,
        medianCycleMs: won === 0 ? null : median(sorted),
        winRateByValue: currencies.length === 1 ? currencies[0]!.winRateByValue : null,
        byCurrency: rates,
      };
    },
  };
}

/**
 * The visit that closed a deal in `[from, to)`: its last transition into a closed stage (from an
 * open stage, or at creation) in the window; null when it did not close then.
 */
export function closingIn(deal: Deal, from: number, to: number): StageVisit | null {
  const h = deal.history;
  for (let i = h.length - 1; i >= 0; i--) {
    const v = h[i]!;
    if (v.enteredAt < from) return null;
    const closes = v.outcome !== 'open' && (i === 0 || h[i - 1]!.outcome === 'open');
    if (closes && v.enteredAt < to) return v;
  }
  return null;
}
