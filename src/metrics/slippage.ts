import * as z from 'zod';
import type { Deal } from '../model/deal.js';
import { assertDeals, checkWindow, DAY_MS, parseOptions, WindowShape } from './common.js';
import { assertChangeLog, changeInstants, stateAt } from './dealAt.js';

/**
 * How one deal's closing date slipped during a period.
 *
 * @example
 * ```ts
 * slippage(deals, { from, to }).deals.filter((d: SlippingDeal) => d.pushes > 1); // serial slippers
 * ```
 */
export interface SlippingDeal {
  readonly dealId: string;
  /** How many times the closing date moved later in the period. */
  readonly pushes: number;
  /** Days it moved later, summed over the pushes. */
  readonly daysPushed: number;
  /** The closing date just before the period (null when none, or the deal did not exist yet). */
  readonly closingDateBefore: string | null;
  /** The closing date at the end of the period. */
  readonly closingDateAfter: string | null;
  /** Whether a push moved the closing date from inside the period to after it. */
  readonly pushedOut: boolean;
}

/**
 * Slippage over a period: the deals that slipped, and totals.
 *
 * @example
 * ```ts
 * const { totals }: Slippage = slippage(deals, { from: '2026-03-01', to: '2026-04-01' });
 * ```
 */
export interface Slippage {
  /** Deals pushed at least once, the most days pushed first. */
  readonly deals: SlippingDeal[];
  readonly totals: { readonly deals: number; readonly pushes: number; readonly daysPushed: number; readonly pushedOut: number; readonly pushedOutIds: string[] };
}

const SlippageOptions = z.strictObject(WindowShape);

const dayOf = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const dateOf = (t: number): string => new Date(t).toISOString().slice(0, 10);

/**
 * Closing-date slippage in the period `[from, to)` (Salesforce's `PrevCloseDate`, Pipedrive's
 * `expected_close_date` changes). A *push* is a change of a deal's closing date, made in the
 * period, to a later date; the days pushed are the calendar days between the two dates. A deal is
 * *pushed out* when a push moves its closing date from inside the period (the calendar dates, UTC,
 * from `from` to the day before `to`) to after it. Changes are read from the change log; a deal
 * stored before the log existed shows the changes its stage visits recorded (see {@link dealAt}).
 * Setting or clearing a closing date is no push; moving it earlier is a pull-in, not counted.
 *
 * Worked example, period March: deal A's closing date went 15 March → 31 March on 10 March, then
 * 31 March → 30 April on 25 March: 2 pushes, 46 days, pushed out. Deal B went 30 June → 31 May:
 * no push. Totals: 1 deal, 2 pushes, 46 days, 1 pushed out (A).
 *
 * @param deals - the deals
 * @param opts - `{ from, to }`
 * @returns the slipping deals and totals
 * @example
 * ```ts
 * slippage(deals, { from: '2026-03-01', to: '2026-04-01' });
 * // { deals: [{ dealId: 'a', pushes: 2, daysPushed: 46, closingDateBefore: '2026-03-15', closingDateAfter: '2026-04-30', pushedOut: true }],
 * //   totals: { deals: 1, pushes: 2, daysPushed: 46, pushedOut: 1, pushedOutIds: ['a'] } }
 * ```
 */
export function slippage(deals: readonly Deal[], opts: { from: Date | number | string; to: Date | number | string }): Slippage {
  const { from, to } = parseOptions(SlippageOptions, opts);
  checkWindow(from, to);
  assertDeals(deals);
  const first = dateOf(from);
  const last = to > from ? dateOf(to - 1) : '';
  const rows: SlippingDeal[] = [];
  for (let i = 0; i < deals.length; i++) {
    const deal = deals[i]!;
    assertChangeLog(deal, `deals[${i}]`);
    const before = stateAt(deal, from - 1)?.closingDate ?? null;
    let current = before;
    let pushes = 0;
    let daysPushed = 0;
    let pushedOut = false;
    for (const t of changeInstants(deal, from, to)) {
      const next = stateAt(deal, t)!.closingDate;
      if (current !== null && next !== null && next > current) {
        pushes++;
        daysPushed += dayOf(next) - dayOf(current);
        if (current >= first && current <= last && next > last) pushedOut = true;
      }
      current = next;
    }
    if (pushes > 0) rows.push({ dealId: deal.id, pushes, daysPushed, closingDateBefore: before, closingDateAfter: current, pushedOut });
  }
  rows.sort((a, b) => b.daysPushed - a.daysPushed || (a.dealId < b.dealId ? -1 : a.dealId > b.dealId ? 1 : 0));
  const out = rows.filter((r) => r.pushedOut).map((r) => r.dealId);
  return {
    deals: rows,
    totals: {
      deals: rows.length,
      pushes: rows.reduce((n, r) => n + r.pushes, 0),
      daysPushed: rows.reduce((n, r) => n + r.daysPushed, 0),
      pushedOut: out.length,
      pushedOutIds: out,
    },
  };
}
