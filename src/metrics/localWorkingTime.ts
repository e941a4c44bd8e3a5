import { DAY_MS } from './common.js';
import type { ParsedCalendar } from './calendarOption.js';
import { lowerBound, weekday } from './dayCount.js';
import { ZoneTimeline } from './zoneTimeline.js';

const MINUTE = 60_000;
// Every instant of a local day lies within this margin of the day's UTC midnight (UTC-12 … UTC+14).
const BEFORE = 15 * 3_600_000;
const AFTER = 13 * 3_600_000;

/** The working instants of one local day, and their total length. */
interface Day {
  readonly spans: readonly number[]; // start, end, start, end … (instants, ascending)
  readonly total: number;
}

/**
 * Business time in a time zone with working hours. Each local working day counts one day
 * (86 400 000 ms), spread evenly over the instants its working hours cover that day: 4 of 8
 * working hours count half a day. So a threshold of N days means N working days whatever the
 * hours, and a 23-hour day at a daylight-saving change counts as much as any other.
 * Days are local dates in the zone (UTC without one); an instant is working when its wall-clock
 * time falls in one of the ranges of its weekday, so an hour skipped by the clocks is not
 * worked and an hour repeated is worked twice.
 */
export function localWorkingTime(cal: ParsedCalendar): (start: number, end: number) => number {
  const zone = new ZoneTimeline(cal.timeZone ?? 'UTC');
  const hours: (readonly (readonly [number, number])[])[] = [];
  const off = new Set(cal.weekendDays ?? (cal.hours ? [] : [0, 6]));
  for (let d = 0; d < 7; d++) {
    const ranges = cal.hours ? (cal.hours[d as 0] ?? []) : [[0, 1440] as const];
    hours.push(off.has(d) ? [] : [...ranges].sort((a, b) => a[0] - b[0]));
  }
  const open = hours.map((r) => r.length > 0);
  const perWeek = open.filter(Boolean).length;
  const holidays = [...new Set(cal.holidays ?? [])]
    .map((s) => Date.parse(`${s}T00:00:00Z`) / DAY_MS)
    .filter((d) => open[weekday(d)])
    .sort((a, b) => a - b);
  const holidaySet = new Set(holidays);
  const days = new Map<number, Day>();

  const wallDay = (t: number): number => Math.floor((t + zone.offsetAt(t)) / DAY_MS);

  const dayOf = (d: number): Day => {
    let day = days.get(d);
    if (day === undefined) {
      day = holidaySet.has(d) ? { spans: [], total: 0 } : spansOf(zone, d, hours[weekday(d)]!);
      days.set(d, day);
    }
    return day;
  };

  /** Business time of day `d` before instant `t`. */
  const accrued = (d: number, t: number): number => {
    const { spans, total } = dayOf(d);
    if (total === 0) return 0;
    let acc = 0;
    for (let i = 0; i < spans.length; i += 2) {
      const a = spans[i]!;
      if (t <= a) break;
      acc += Math.min(t, spans[i + 1]!) - a;
    }
    return acc === total ? DAY_MS : (DAY_MS * acc) / total;
  };

  /** Local days in [a, b) that count: open weekdays, not holidays, with some working instant. */
  const countedDays = (a: number, b: number): number => {
    if (b <= a) return 0;
    const weeks = Math.floor((b - a) / 7);
    let n = weeks * perWeek;
    for (let d = a + weeks * 7; d < b; d++) if (open[weekday(d)]) n++;
    n -= lowerBound(holidays, b) - lowerBound(holidays, a);
    // Working hours that fall wholly inside an hour the clocks skip leave a day with nothing to count.
    for (const c of zone.changesBetween(a * DAY_MS - BEFORE, b * DAY_MS + AFTER)) {
      const d = wallDay(c.at);
      if (d >= a && d < b && open[weekday(d)] && !holidaySet.has(d) && dayOf(d).total === 0) n--;
    }
    return n;
  };

  return (start, end) => {
    if (end <= start) return 0;
    const first = wallDay(start);
    const last = wallDay(end);
    if (first === last) return accrued(first, end) - accrued(first, start);
    const head = (dayOf(first).total > 0 ? DAY_MS : 0) - accrued(first, start);
    return head + countedDays(first + 1, last) * DAY_MS + accrued(last, end);
  };
}

/**
 * The working instants of local day `d`: the window of instants that can fall on it is cut where
 * the offset changes, and in each piece of one offset the wall-clock ranges map back to instants.
 */
function spansOf(zone: ZoneTimeline, d: number, ranges: readonly (readonly [number, number])[]): Day {
  if (ranges.length === 0) return { spans: [], total: 0 };
  const midnight = d * DAY_MS;
  const cuts = [midnight - BEFORE, ...zone.changesBetween(midnight - BEFORE, midnight + DAY_MS + AFTER).map((c) => c.at), midnight + DAY_MS + AFTER];
  const spans: number[] = [];
  let total = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i]!;
    const b = cuts[i + 1]!;
    const offset = zone.offsetAt(a);
    for (const [s, e] of ranges) {
      const from = Math.max(a, midnight + s * MINUTE - offset);
      const to = Math.min(b, midnight + e * MINUTE - offset);
      if (to <= from) continue;
      // Adjacent ranges ('09:00'–'12:00', '12:00'–'17:00') join into one span.
      if (spans.length > 0 && spans[spans.length - 1] === from) spans[spans.length - 1] = to;
      else spans.push(from, to);
      total += to - from;
    }
  }
  return { spans, total };
}
