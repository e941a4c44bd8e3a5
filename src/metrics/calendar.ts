import * as z from 'zod';
import { CalendarDate } from '../model/primitives.js';
import { DAY_MS } from './common.js';

/**
 * A business calendar: the days of the week that are not worked (0 = Sunday … 6 = Saturday,
 * default Saturday and Sunday) and holidays (`'YYYY-MM-DD'`). Days are UTC days.
 *
 * @example
 * ```ts
 * const calendar: BusinessCalendar = { weekendDays: [5, 6], holidays: ['2026-12-25', '2026-12-26'] };
 * dwellStats(deals, { now, businessDays: calendar });
 * ```
 */
export interface BusinessCalendar {
  readonly weekendDays?: readonly number[];
  readonly holidays?: readonly string[];
}

/** The `businessDays` option of the dwell and rotting metrics: `true` (Saturday and Sunday off) or a calendar. */
export const BusinessDaysOption = z
  .union([
    z.boolean(),
    z.strictObject({
      weekendDays: z.array(z.number().int().min(0).max(6)).max(7).optional(),
      holidays: z.array(CalendarDate).max(100_000).optional(),
    }),
  ])
  .optional();

/** Working milliseconds between two instants; the same function for every interval of one call. */
export type WorkingTime = (start: number, end: number) => number;

const dayOfWeek = (day: number): number => (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday

/**
 * The function that measures intervals for the option: plain elapsed time without a calendar,
 * else only the parts of the interval on working days (a partial day counts for the part inside).
 */
export function workingTime(option: z.output<typeof BusinessDaysOption>): WorkingTime {
  if (option === undefined || option === false) return (start, end) => Math.max(0, end - start);
  const cal = option === true ? {} : option;
  const off = new Array<boolean>(7).fill(false);
  for (const d of cal.weekendDays ?? [0, 6]) off[d] = true;
  const perWeek = off.filter((o) => !o).length;
  const holidays = [...new Set(cal.holidays ?? [])]
    .map((d) => Date.parse(`${d}T00:00:00Z`) / DAY_MS)
    .filter((day) => !off[dayOfWeek(day)])
    .sort((a, b) => a - b);
  const holidaySet = new Set(holidays);
  const working = (day: number): boolean => !off[dayOfWeek(day)] && !holidaySet.has(day);
  /** Working days in [a, b). */
  const workingDays = (a: number, b: number): number => {
    if (b <= a) return 0;
    const weeks = Math.floor((b - a) / 7);
    let n = weeks * perWeek;
    for (let d = a + weeks * 7; d < b; d++) if (!off[dayOfWeek(d)]) n++;
    return n - (lowerBound(holidays, b) - lowerBound(holidays, a));
  };
  return (start, end) => {
    if (end <= start) return 0;
    const first = Math.floor(start / DAY_MS);
    const last = Math.floor(end / DAY_MS);
    if (first === last) return working(first) ? end - start : 0;
    const head = working(first) ? (first + 1) * DAY_MS - start : 0;
    const tail = working(last) ? end - last * DAY_MS : 0;
    return head + tail + workingDays(first + 1, last) * DAY_MS;
  };
}

function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
