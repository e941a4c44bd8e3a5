import { tz } from '@date-fns/tz';
import { addMonths, addWeeks, startOfMonth, startOfQuarter, startOfWeek } from 'date-fns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZoneCalendar, type PeriodUnit } from '../../src/forecast/periods.js';

const zones = ['UTC', 'America/Los_Angeles', 'America/Santiago', 'Australia/Adelaide', 'Asia/Kolkata', 'Europe/Berlin'];

/** The same arithmetic on TZDate, the zone-aware Date of @date-fns/tz. */
function oracle(t: number, unit: PeriodUnit, count: number, zone: string): [number, number] {
  const ctx = { in: tz(zone) };
  const start = unit === 'week' ? startOfWeek(t, { ...ctx, weekStartsOn: 1 }) : unit === 'month' ? startOfMonth(t, ctx) : startOfQuarter(t, ctx);
  const later = unit === 'week' ? addWeeks(start, count, ctx) : addMonths(start, unit === 'month' ? count : 3 * count, ctx);
  return [+start, +later];
}

describe('forecast periods in a time zone', () => {
  it('start and step as date-fns with TZDate does, across daylight-saving changes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.constantFrom<PeriodUnit>('week', 'month', 'quarter'),
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 0, 1) }),
        fc.integer({ min: 1, max: 14 }),
        (zone, unit, t, count) => {
          const cal = new ZoneCalendar(zone);
          const start = cal.periodStart(t, unit);
          expect([start, cal.addPeriods(start, unit, count)]).toEqual(oracle(t, unit, count, zone));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('starts a day the clocks skip midnight of at the first instant after the gap', () => {
    // Santiago moved its clocks from 00:00 to 01:00 on 6 September 2026.
    expect(new ZoneCalendar('America/Santiago').midnight('2026-09-06')).toBe(Date.parse('2026-09-06T04:00:00Z'));
    expect(new ZoneCalendar('America/Los_Angeles').midnight('2026-03-08')).toBe(Date.parse('2026-03-08T08:00:00Z'));
  });
});
