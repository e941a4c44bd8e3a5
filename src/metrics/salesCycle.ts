import { guarded } from '../_internal/guard.js';
import { z } from 'zod';
import type { Deal } from '../model/deal.js';
import { Instant } from '../model/primitives.js';
import { assertDeals, checkWindow, median, parseOptions } from './common.js';

/**
 * Win rate and sales cycle length over a window.
 *
 * @example
 * ```ts
 * const { winRate, medianCycleMs }: SalesCycle = salesCycle(deals, { from: '2026-01-01', to: '2026-04-01' });
 * ```
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
}

const CycleOptions = z.strictObject({ from: Instant, to: Instant });

/**
 * Win rate and sales cycle. A deal counts when it closes inside `[from, to)`: its last
 * transition into a closed stage (from an open stage, or at creation) in the window decides
 * whether it counts as won or lost. The cycle of a won deal is that close time − `createdAt`.
 * Reads only the deals' history (each visit records its stage outcome).
 *
 * @param deals - the deals
 * @param opts - `{ from, to }`
 * @returns `{ won, lost, winRate, meanCycleMs, medianCycleMs }`
 * @example
 * ```ts
 * salesCycle(deals, { from: '2026-01-01', to: '2026-04-01' });
 * // { won: 12, lost: 8, winRate: 0.6, meanCycleMs: 2.1e9, medianCycleMs: 1.8e9 }
 * ```
 */
export const salesCycle = /* @__PURE__ */ guarded(function salesCycle(deals: readonly Deal[], opts: { from: Date | number | string; to: Date | number | string }): SalesCycle {
  const { from, to } = parseOptions(CycleOptions, opts);
  checkWindow(from, to);
  assertDeals(deals);
  let lost = 0;
  const cycles: number[] = [];
  for (const deal of deals) {
    let closing: Deal['history'][number] | null = null;
    deal.history.forEach((v, i) => {
      const prev = i > 0 ? deal.history[i - 1]! : null;
      const closes = v.outcome !== 'open' && (prev === null || prev.outcome === 'open');
      if (closes && v.enteredAt >= from && v.enteredAt < to) closing = v;
    });
    const close = closing as Deal['history'][number] | null;
    if (close === null) continue;
    if (close.outcome === 'won') cycles.push(close.enteredAt - deal.createdAt);
    else lost++;
  }
  const won = cycles.length;
  cycles.sort((a, b) => a - b);
  return {
    won,
    lost,
    winRate: won + lost === 0 ? null : won / (won + lost),
    meanCycleMs: won === 0 ? null : cycles.reduce((a, b) => a + b, 0) / won,
    medianCycleMs: won === 0 ? null : median(cycles),
  };
}, ['deals', 'opts']);
