import type * as z from 'zod';
import { DAY_MS } from './common.js';
import type { BusinessDaysOption } from './calendarOption.js';
import { lowerBound, weekday } from './dayCount.js';
import { localWorkingTime } from './localWorkingTime.js';

export { BusinessDaysOption } from './calendarOption.js';

/**
 * A weekday: 0 = Sunday … 6 = Saturday (the keys of {@link BusinessCalendar} `hours`).
 *
 * @example
 * ```ts
 * const saturday: Weekday = 6;
 * ```
 * @category Metrics
 */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/**
 * A business calendar.
 *
 * - `weekendDays`: the days of the week not worked (0 = Sunday … 6 = Saturday). Default Saturday
 *   and Sunday, or none when `hours` is given (then the weekdays without hours are off).
 * - `holidays`: local dates `'YYYY-MM-DD'` not worked.
 * - `timeZone`: an IANA name (`'America/Los_Angeles'`); days and hours are local to it, correct
 *   across daylight-saving changes. Default UTC.
 * - `hours`: working hours per weekday as `['HH:mm', 'HH:mm']` ranges (`'24:00'` ends the day);
 *   ranges end after they start and do not overlap. Without `hours` a working day is worked all day.
 *
 * Without `timeZone` and `hours` the calendar counts whole UTC days. With them, each working day
 * counts one day (86 400 000 ms) spread evenly over its working hours: with Monday to Friday
 * 09:00–17:00, a visit from 13:00 to 17:00 counts half a day (43 200 000 ms), and a stage that rots
 * after 2 days rots after two working days of hours, whatever their length.
 *
 * @example
 * ```ts
 * const calendar: BusinessCalendar = {
 *   timeZone: 'America/Los_Angeles',
 *   hours: { 1: [['09:00', '17:30']], 2: [['09:00', '17:30']], 3: [['09:00', '17:30']], 4: [['09:00', '17:30']], 5: [['09:00', '17:30']], 6: [['10:00', '14:00']] },
 *   holidays: ['2026-12-25'],
 * };
 * dwellStats(deals, { now, businessDays: calendar });
 * ```
 * @category Metrics
 */
export interface BusinessCalendar {
  readonly timeZone?: string;
  readonly weekendDays?: readonly number[];
  readonly holidays?: readonly string[];
  readonly hours?: Partial<Record<Weekday, readonly (readonly [start: string, end: string])[]>>;
}

/** Working milliseconds between two instants; the same function for every interval of one call. */
export type WorkingTime = (start: number, end: number) => number;

/**
 * The function that measures intervals for the option: plain elapsed time without a calendar,
 * else only the parts of the interval on working days (a partial day counts for the part inside),
 * or in working hours of a time zone (see {@link BusinessCalendar}).
 */
export function workingTime(option: z.output<typeof BusinessDaysOption>): WorkingTime {
  if (option === undefined || option === false) return (start, end) => Math.max(0, end - start);
  const cal = option === true ? {} : option;
  if (cal.timeZone !== undefined || cal.hours !== undefined) return localWorkingTime(cal);
  return utcWorkingTime(cal.weekendDays ?? [0, 6], cal.holidays ?? []);
}

/** Whole UTC days: the arithmetic needs no time zone data. */
function utcWorkingTime(weekendDays: readonly number[], holidayDates: readonly string[]): WorkingTime {
  const off = new Array<boolean>(7).fill(false);
  for (const d of weekendDays) off[d] = true;
  const perWeek = off.filter((o) => !o).length;
  const holidays = [...new Set(holidayDates)]
    .map((d) => Date.parse(`${d}T00:00:00Z`) / DAY_MS)
    .filter((day) => !off[weekday(day)])
    .sort((a, b) => a - b);
  const holidaySet = new Set(holidays);
  const working = (day: number): boolean => !off[weekday(day)] && !holidaySet.has(day);
  /** Working days in [a, b). */
  const workingDays = (a: number, b: number): number => {
    if (b <= a) return 0;
    const weeks = Math.floor((b - a) / 7);
    let n = weeks * perWeek;
    for (let d = a + weeks * 7; d < b; d++) if (!off[weekday(d)]) n++;
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
