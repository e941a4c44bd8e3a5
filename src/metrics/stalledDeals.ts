import { guarded } from '../_internal/guard.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { checkedWorkspace } from '../workspace/validate.js';
import * as z from 'zod';
import { Instant } from '../model/primitives.js';
import { assertDeals, parseOptions } from './common.js';
import { rotClock } from './dueInstant.js';
import { BusinessDaysOption, workingTime } from './calendar.js';
import type { RottingOptions } from './rotsAt.js';

/**
 * What a list a person reads shows of a deal: its id, name, owner, amount, currency and place.
 * {@link StalledDeal} (a deal rotting now) and `RottingDeal` (a deal and the instant it starts
 * rotting) carry it.
 *
 * @example
 * ```ts
 * const line = (d: DealSummary) => `${d.name} (${d.ownerId ?? 'unassigned'}): ${d.amount ?? '-'} ${d.currency ?? ''}`;
 * ```
 * @category Metrics
 */
export interface DealSummary {
  readonly dealId: string;
  /** The deal's name, owner, amount and currency, for a list a person reads. */
  readonly name: string;
  readonly ownerId: string | null;
  readonly amount: number | null;
  readonly currency: string | null;
  readonly pipelineId: string | null;
  readonly stageId: string;
}

/**
 * A rotting deal, as {@link stalledDeals} lists it: an open deal that has sat in its stage longer
 * than the stage's `rotAfterDays`, with how long (`dwellMs`) against the threshold.
 *
 * @example
 * ```ts
 * stalledDeals(ws, deals, { now }).forEach((s: StalledDeal) => remind(s.dealId));
 * ```
 * @category Metrics
 */
export interface StalledDeal extends DealSummary {
  /** Time since the clock started (stage entry or last update), up to `now`; working time with a calendar. */
  readonly dwellMs: number;
  /** The rotting threshold: `rotAfterDays` of the pipeline stage, else of the stage, in ms. */
  readonly thresholdMs: number;
}

/** The order of rotting deals: furthest past the threshold first, then by id. */
export function byHowLongRotting(a: StalledDeal, b: StalledDeal): number {
  return b.dwellMs - b.thresholdMs - (a.dwellMs - a.thresholdMs) || (a.dealId < b.dealId ? -1 : a.dealId > b.dealId ? 1 : 0);
}

const StalledOptions = z.strictObject({
  now: Instant,
  since: z.enum(['stageEntry', 'lastUpdate']).optional(),
  businessDays: BusinessDaysOption,
});

/**
 * The deals rotting at `now` (Pipedrive, Odoo): open deals whose current visit has lasted longer
 * than the rotting threshold of their stage (the pipeline's `rotAfterDays` override, else the
 * stage's). A "stalled deal" is a rotting deal: the name is the contract's, the concept is rotting.
 * A stage without a threshold, or with 0, never rots. Sorted by how far past the threshold
 * each deal is, the worst first.
 *
 * The clock starts at stage entry (`since: 'stageEntry'`, the default, as Odoo) or at the deal's
 * last update (`since: 'lastUpdate'`, Pipedrive's "deals not updated in this stage": any accepted
 * command restarts it). With `businessDays` (`true`, or a {@link BusinessCalendar} as in
 * {@link dwellStats}: weekend days, holidays, and optionally a time zone and working hours) only
 * working time counts and the threshold is in working days. {@link rotsAt} gives the first instant
 * a deal is listed. Worked example:
 * a stage rots after 3 days; a deal entered it on Friday 09:00 and was updated on Monday 09:00. On
 * Wednesday 12:00 it has rotted counted from stage entry (5 days 3 hours), not counted from the last
 * update (2 days 3 hours); counted from stage entry in business days it has 3 days 3 hours (Friday
 * 15 h + Monday + Tuesday + Wednesday 12 h), so it has rotted too.
 *
 * @param ws - the workspace (thresholds)
 * @param deals - the deals to look at
 * @param opts - `{ now }` and the {@link RottingOptions} (`since?`, `businessDays?`)
 * @returns the rotting deals
 * @example
 * ```ts
 * stalledDeals(ws, deals, { now: '2026-03-20T00:00:00Z' });
 * // [{ dealId: 'd7', name: 'Fleet', ownerId: 'ann', amount: 90000, currency: 'EUR', pipelineId: 'new-cars', stageId: 'quote', dwellMs: 1_209_600_000, thresholdMs: 864_000_000 }]
 * ```
 * @category Metrics
 * @function
 */
export const stalledDeals = /* @__PURE__ */ guarded(function stalledDeals(
  ws: Workspace,
  deals: readonly Deal[],
  opts: RottingOptions & { readonly now: Date | number | string },
): StalledDeal[] {
  ws = checkedWorkspace(ws);
  const o = parseOptions(StalledOptions, opts);
  const now = o.now;
  const measure = workingTime(o.businessDays);
  const byUpdate = o.since === 'lastUpdate';
  assertDeals(deals);
  const out: StalledDeal[] = [];
  for (const deal of deals) {
    const clock = rotClock(ws, deal, byUpdate);
    if (!clock) continue;
    const dwellMs = measure(clock.start, now);
    const thresholdMs = clock.thresholdMs;
    if (dwellMs > thresholdMs) {
      out.push({ dealId: deal.id, name: deal.name, ownerId: deal.ownerId, amount: deal.amount, currency: deal.currency, pipelineId: deal.pipelineId, stageId: deal.stageId, dwellMs, thresholdMs });
    }
  }
  return out.sort(byHowLongRotting);
}, ['workspace', 'deals', 'opts']);
