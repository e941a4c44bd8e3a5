import { TZDate } from '@date-fns/tz/date';
import { tz } from '@date-fns/tz/tz';
import { addMonths, addWeeks, startOfMonth, startOfQuarter, startOfWeek } from 'date-fns';
import { PipelineError } from '../errors.js';

/**
 * The length of the periods a forecast is reported in: calendar weeks (from Monday), months or quarters.
 *
 * @example
 * ```ts
 * const period: PeriodUnit = 'quarter';
 * ```
 */
export type PeriodUnit = 'week' | 'month' | 'quarter';

/** A half-open span of time [from, to), epoch ms. */
export interface Period {
  readonly from: number;
  readonly to: number;
}

const MAX_PERIODS = 1_000;

/** The start of the period (weeks start on Monday) that contains `t`, in the zone. */
export function periodStart(t: number, unit: PeriodUnit, timeZone: string): number {
  const ctx = { in: tz(timeZone) };
  if (unit === 'week') return +startOfWeek(t, { ...ctx, weekStartsOn: 1 });
  return +(unit === 'month' ? startOfMonth(t, ctx) : startOfQuarter(t, ctx));
}

/** The instant `count` periods after `t` (a period start), in the zone. */
export function addPeriods(t: number, unit: PeriodUnit, count: number, timeZone: string): number {
  const ctx = { in: tz(timeZone) };
  return +(unit === 'week' ? addWeeks(t, count, ctx) : addMonths(t, unit === 'month' ? count : 3 * count, ctx));
}

/**
 * The calendar periods that meet [from, to), cut to it: the first may start at `from` and the
 * last end at `to`. Also gives each period's whole calendar span, which closing dates are read against.
 */
export function periodsBetween(from: number, to: number, unit: PeriodUnit, timeZone: string): { cut: Period[]; whole: Period[] } {
  const cut: Period[] = [];
  const whole: Period[] = [];
  for (let start = periodStart(from, unit, timeZone); start < to; ) {
    const end = addPeriods(start, unit, 1, timeZone);
    if (Math.max(start, from) < Math.min(end, to)) {
      cut.push({ from: Math.max(start, from), to: Math.min(end, to) });
      whole.push({ from: start, to: end });
    }
    if (cut.length > MAX_PERIODS) {
      throw new PipelineError('limit_exceeded', `opts.to: more than ${MAX_PERIODS} periods`, { path: 'opts.to' });
    }
    start = end;
  }
  return { cut, whole };
}

/** The index of the period containing `t`, or -1. */
export function periodIndex(periods: readonly Period[], t: number): number {
  let lo = 0;
  let hi = periods.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = periods[mid]!;
    if (t < p.from) hi = mid - 1;
    else if (t >= p.to) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The instant a local date `'YYYY-MM-DD'` begins in the zone. */
export function midnightIn(date: string, timeZone: string): number {
  return +new TZDate(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), timeZone);
}
