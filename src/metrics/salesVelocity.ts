import { guarded } from '../_internal/guard.js';
import * as z from 'zod';
import type { Deal } from '../model/deal.js';
import { checkWindow, DAY_MS, parseOptions, tallied, WindowShape, type Tally } from './common.js';
import { assertTimelines, stateAt } from './dealAt.js';
import { closingIn } from './salesCycle.js';

/**
 * Sales velocity of one currency and its factors.
 *
 * @example
 * ```ts
 * const eur: SalesVelocity | undefined = salesVelocity(deals, { from, to }).EUR;
 * ```
 * @category Metrics
 */
export interface SalesVelocity {
  /** Deals open at the end of the period. */
  readonly openDeals: number;
  readonly won: number;
  readonly lost: number;
  /** won / (won + lost); null when none closed. */
  readonly winRate: number | null;
  /** Mean amount of the deals won in the period; null when none. */
  readonly averageWonAmount: number | null;
  /** Mean days from creation to winning over the deals won in the period; null when none. */
  readonly averageCycleDays: number | null;
  /** openDeals × averageWonAmount × winRate ÷ averageCycleDays; null when a factor is missing or the cycle is 0. */
  readonly velocityPerDay: number | null;
}

const VelocityOptions = z.strictObject(WindowShape);

/**
 * Sales velocity per currency over the period `[from, to)`: how much money the pipeline turns into
 * won business per day, `open deals × average won amount × win rate ÷ average sales cycle (days)`.
 * Open deals are those open at the end of the period (just before `to`, read with {@link dealAt});
 * win rate, average won amount (as the closing visit recorded it) and cycle come from the deals that
 * closed in the period, as in {@link salesCycle}. A deal belongs to the currency it had at that
 * instant; amounts are never converted.
 *
 * Worked example: at the end of March 20 EUR deals are open; in March 4 were won (amounts 10,000,
 * 20,000, 30,000, 40,000; cycles 20, 30, 40, 30 days) and 4 lost. Velocity = 20 × 25,000 × 0.5 ÷ 30
 * ≈ 8,333 EUR per day.
 *
 * @param deals - the deals
 * @param opts - `{ from, to }`
 * @returns `Record<currency, SalesVelocity>` (deals without a currency under `''`)
 * @example
 * ```ts
 * salesVelocity(deals, { from: '2026-03-01', to: '2026-04-01' }).EUR;
 * // { openDeals: 20, won: 4, lost: 4, winRate: 0.5, averageWonAmount: 25000, averageCycleDays: 30, velocityPerDay: 8333.33 }
 * ```
 * @category Metrics
 * @function
 */
export const salesVelocity = /* @__PURE__ */ guarded(function salesVelocity(deals: readonly Deal[], opts: { from: Date | number | string; to: Date | number | string }): Record<string, SalesVelocity> {
  const tally = velocityTally(opts);
  assertTimelines(deals);
  return tallied(tally, deals);
}, ['deals', 'opts']);

/** Sales velocity as a {@link Tally}: running counts and sums per currency. */
export function velocityTally(opts: unknown): Tally<Record<string, SalesVelocity>> {
  const { from, to } = parseOptions(VelocityOptions, opts);
  checkWindow(from, to);
  type Acc = { open: number; won: number; lost: number; wonAmount: number; cycleMs: number };
  const acc: Record<string, Acc> = Object.create(null);
  const of = (currency: string | null): Acc => (acc[currency ?? ''] ??= { open: 0, won: 0, lost: 0, wonAmount: 0, cycleMs: 0 });
  return {
    add(deal) {
      const atEnd = stateAt(deal, to - 1);
      if (atEnd !== null && atEnd.outcome === 'open') of(atEnd.currency).open++;
      const close = closingIn(deal, from, to);
      if (close === null) return;
      const a = of(stateAt(deal, close.enteredAt)?.currency ?? null);
      if (close.outcome === 'lost') {
        a.lost++;
        return;
      }
      a.won++;
      a.wonAmount += close.amount ?? 0;
      a.cycleMs += close.enteredAt - deal.createdAt;
    },
    result() {
      const out: Record<string, SalesVelocity> = Object.create(null);
      for (const [currency, a] of Object.entries(acc)) out[currency] = velocityOf(a);
      return out;
    },
  };
}

function velocityOf(a: { open: number; won: number; lost: number; wonAmount: number; cycleMs: number }): SalesVelocity {
  const winRate = a.won + a.lost === 0 ? null : a.won / (a.won + a.lost);
  const averageWonAmount = a.won === 0 ? null : a.wonAmount / a.won;
  const averageCycleDays = a.won === 0 ? null : a.cycleMs / a.won / DAY_MS;
  const velocityPerDay =
    winRate === null || averageWonAmount === null || averageCycleDays === null || averageCycleDays === 0 ? null : (a.open * averageWonAmount * winRate) / averageCycleDays;
  return { openDeals: a.open, won: a.won, lost: a.lost, winRate, averageWonAmount, averageCycleDays, velocityPerDay };
}
