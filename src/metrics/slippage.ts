import { guarded } from '../_internal/guard.js';
import * as z from 'zod';
import type { Deal } from '../model/deal.js';
import { assertDeals, checkWindow, DAY_MS, parseOptions, tallied, WindowShape, type Tally } from './common.js';
import { assertChangeLog, changeInstants } from './dealAt.js';

/**
 * How one deal's closing date slipped during a period.
 *
 * @example
 * ```ts
 * slippage(deals, { from, to }).deals.filter((d: SlippingDeal) => d.pushes > 1); // serial slippers
 * ```
 * @category Metrics
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
 * @category Metrics
 */
export interface Slippage {
  /** Deals pushed at least once, the most days pushed first. */
  readonly deals: SlippingDeal[];
  readonly totals: { readonly deals: number; readonly pushes: number; readonly daysPushed: number; readonly pushedOut: number; readonly pushedOutIds: string[] };
}

const SlippageOptions = z.strictObject(WindowShape);

/**
 * The closing date of a deal at rising instants, read as {@link dealAt} reads it (the latest
 * logged change at or before the instant, else the snapshot of the visit in force) by two
 * cursors that only move forward over the visits and the change log, both in time order: one
 * pass over a deal's log for all the instants of a period, where a {@link dealAt} per instant
 * would read the whole log each time.
 */
function closingDateReader(deal: Deal): (t: number) => string | null {
  const h = deal.history;
  const log = deal.changes ?? [];
  let visit = -1;
  let next = 0;
  let logged = false;
  let value: string | null = null;
  return (t) => {
    while (visit + 1 < h.length && h[visit + 1]!.enteredAt <= t) visit++;
    for (; next < log.length && log[next]!.at <= t; next++) {
      const c = log[next]!;
      if (c.field === 'closingDate') {
        logged = true;
        value = c.to as string | null;
      }
    }
    const v = h[visit];
    // Before the deal existed, or after a last visit that was closed: no state, no closing date.
    if (v === undefined || (v.exitedAt !== null && t >= v.exitedAt)) return null;
    return logged ? value : v.closingDate;
  };
}

/** One deal's slippage in `[from, to)`, or null when it was not pushed. */
function slipped(deal: Deal, from: number, to: number, first: string, last: string): SlippingDeal | null {
  const closingAt = closingDateReader(deal);
  const before = closingAt(from - 1);
  let current = before;
  let pushes = 0;
  let daysPushed = 0;
  let pushedOut = false;
  for (const t of changeInstants(deal, from, to)) {
    const next = closingAt(t);
    if (current !== null && next !== null && next > current) {
      pushes++;
      daysPushed += dayOf(next) - dayOf(current);
      if (current >= first && current <= last && next > last) pushedOut = true;
    }
    current = next;
  }
  return pushes > 0 ? { dealId: deal.id, pushes, daysPushed, closingDateBefore: before, closingDateAfter: current, pushedOut } : null;
}

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
 * @category Metrics
 * @function
 */
export const slippage = /* @__PURE__ */ guarded(function slippage(deals: readonly Deal[], opts: { from: Date | number | string; to: Date | number | string }): Slippage {
  const tally = slippageTally(opts);
  assertDeals(deals);
  for (let i = 0; i < deals.length; i++) assertChangeLog(deals[i]!, `deals[${i}]`);
  return tallied(tally, deals);
}, ['deals', 'opts']);

/** Slippage as a {@link Tally}: the row of each deal that slipped is kept (the rows are the answer). */
export function slippageTally(opts: unknown): Tally<Slippage> {
  const { from, to } = parseOptions(SlippageOptions, opts);
  checkWindow(from, to);
  const first = dateOf(from);
  const last = to > from ? dateOf(to - 1) : '';
  const rows: SlippingDeal[] = [];
  return {
    add(deal) {
      const row = slipped(deal, from, to, first, last);
      if (row) rows.push(row);
    },
    result() {
      const sorted = [...rows].sort((a, b) => b.daysPushed - a.daysPushed || (a.dealId < b.dealId ? -1 : a.dealId > b.dealId ? 1 : 0));
      const out = sorted.filter((r) => r.pushedOut).map((r) => r.dealId);
      return {
        deals: sorted,
        totals: {
          deals: sorted.length,
          pushes: sorted.reduce((n, r) => n + r.pushes, 0),
          daysPushed: sorted.reduce((n, r) => n + r.daysPushed, 0),
          pushedOut: out.length,
          pushedOutIds: out,
        },
      };
    },
  };
}
