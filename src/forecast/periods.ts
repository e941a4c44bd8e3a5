import { addMonths, addWeeks, startOfMonth, startOfQuarter, startOfWeek } from 'date-fns';
import { PipelineError } from '../errors.js';
import { ZoneTimeline } from '../metrics/zoneTimeline.js';

/**
 * The length of the periods a forecast is reported in: calendar weeks (from Monday), months or quarters.
 *
 * @example
 * ```ts
 * const period: PeriodUnit = 'quarter';
 * ```
 * @category Forecast
 */
export type PeriodUnit = 'week' | 'month' | 'quarter';

/** A half-open span of time [from, to), epoch ms. */
export interface Period {
  readonly from: number;
  readonly to: number;
}

const MAX_PERIODS = 1_000;
const HOUR = 3_600_000;

/**
 * Calendar periods in a time zone. The calendar arithmetic (start of a week, a month, a quarter;
 * months later) is date-fns' on the local date's year, month and day, which come from and go back
 * to instants through the zone's offsets: the result does not depend on the host's own zone.
 */
export class ZoneCalendar {
  private readonly zone: ZoneTimeline;
  constructor(timeZone: string) {
    this.zone = new ZoneTimeline(timeZone);
  }

  /** The start of the period (weeks start on Monday) that contains `t`. */
  periodStart(t: number, unit: PeriodUnit): number {
    return this.viaDate(t, (d) => (unit === 'week' ? startOfWeek(d, { weekStartsOn: 1 }) : unit === 'month' ? startOfMonth(d) : startOfQuarter(d)));
  }

  /** The start of the day `count` periods after the day of `t`. */
  addPeriods(t: number, unit: PeriodUnit, count: number): number {
    return this.viaDate(t, (d) => (unit === 'week' ? addWeeks(d, count) : addMonths(d, unit === 'month' ? count : 3 * count)));
  }

  /** The first instant of a local date `'YYYY-MM-DD'`. */
  midnight(date: string): number {
    return this.instantOfWall(Date.parse(`${date}T00:00:00Z`));
  }

  private viaDate(t: number, step: (d: Date) => Date): number {
    const wall = new Date(t + this.zone.offsetAt(t));
    const d = step(new Date(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate()));
    return this.instantOfWall(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  }

  /** The first instant whose wall-clock time is `wall` (ms as if UTC), or the end of the gap the clocks skipped it in. */
  private instantOfWall(wall: number): number {
    const changes = this.zone.changesBetween(wall - 15 * HOUR, wall + 15 * HOUR);
    let best = Infinity;
    for (const offset of [this.zone.offsetAt(wall - 15 * HOUR), ...changes.map((c) => c.offset)]) {
      const u = wall - offset;
      if (this.zone.offsetAt(u) === offset) best = Math.min(best, u);
    }
    if (best !== Infinity) return best;
    return changes.find((c) => c.at + c.offset > wall)?.at ?? wall - this.zone.offsetAt(wall);
  }
}

/**
 * The calendar periods that meet [from, to), cut to it: the first may start at `from` and the
 * last end at `to`. Also gives each period's whole calendar span, which closing dates are read against.
 */
export function periodsBetween(from: number, to: number, unit: PeriodUnit, calendar: ZoneCalendar): { cut: Period[]; whole: Period[] } {
  const cut: Period[] = [];
  const whole: Period[] = [];
  for (let start = calendar.periodStart(from, unit); start < to; ) {
    const end = calendar.addPeriods(start, unit, 1);
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
