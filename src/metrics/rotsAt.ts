import * as z from 'zod';
import { guarded } from '../_internal/guard.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { assertDeal, assertHistory } from '../deals/shape.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { parseOptions } from './common.js';
import { BusinessDaysOption, workingTime, type BusinessCalendar } from './calendar.js';
import { firstPast, rotClock } from './dueInstant.js';

export const RotsAtOptions = z.strictObject({
  since: z.enum(['stageEntry', 'lastUpdate']).optional(),
  businessDays: BusinessDaysOption,
});

/**
 * How a deal's rotting clock runs: from stage entry (`since: 'stageEntry'`, the default) or from
 * the deal's last update (`'lastUpdate'`, as Pipedrive), in calendar time or, with
 * `businessDays`, in working time (`true` for Saturday and Sunday off, or a
 * {@link BusinessCalendar}). The options of {@link rotsAt} and `service.rottingBetween`; with
 * `now`, those of {@link stalledDeals}.
 *
 * @example
 * ```ts
 * const o: RottingOptions = { since: 'lastUpdate', businessDays: { timeZone: 'Europe/Berlin' } };
 * rotsAt(ws, deal, o);
 * ```
 * @category Metrics
 */
export interface RottingOptions {
  readonly since?: 'stageEntry' | 'lastUpdate';
  readonly businessDays?: boolean | BusinessCalendar;
}

/**
 * The instant a deal will count as rotting: the first millisecond at which {@link stalledDeals}
 * lists it (with the same `since` and `businessDays`), so a host can schedule a reminder instead
 * of polling. `stalledDeals(ws, [deal], { now: t })` lists the deal exactly when `t >= rotsAt(...)`.
 * The instant may be in the past (the deal already rots). Null when the deal is won or lost, its
 * stage has no rotting threshold, or the calendar has no working time.
 *
 * Worked example: a stage rots after 2 days; with working hours Monday to Friday 09:00–17:00 in
 * New York, a deal that entered it on Thursday 13:00 has sat two working days at Monday 13:00, and
 * rots one millisecond later.
 *
 * @param ws - the workspace (thresholds)
 * @param deal - the deal
 * @param opts - `{ since?, businessDays? }` as for `stalledDeals`
 * @returns epoch ms, or null
 * @example
 * ```ts
 * // entered 'requirements' (rots after 7 days) on 2 March 2026 09:00 UTC
 * rotsAt(ws, deal); // 1773046800001 (9 March 09:00:00.001 UTC)
 * const hours = [['09:00', '17:00']] as const;
 * rotsAt(ws, deal, { businessDays: { timeZone: 'America/New_York', hours: { 1: hours, 2: hours, 3: hours, 4: hours, 5: hours } } });
 * ```
 * @category Metrics
 * @function
 */
export const rotsAt = /* @__PURE__ */ guarded(function rotsAt(
  ws: Workspace,
  deal: Deal,
  opts: RottingOptions = {},
): number | null {
  ws = checkedWorkspace(ws);
  const o = parseOptions(RotsAtOptions, opts);
  assertDeal(deal);
  assertHistory(deal);
  const clock = rotClock(ws, deal, o.since === 'lastUpdate');
  if (!clock) return null;
  return firstPast(workingTime(o.businessDays), clock.start, clock.thresholdMs, o.businessDays === undefined || o.businessDays === false);
}, ['workspace', 'deal', 'opts']);
