import * as z from 'zod';
import { CalendarDate } from '../model/primitives.js';
import { isTimeZone } from './zoneTimeline.js';

const CLOCK = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

/** A wall-clock time `'HH:mm'` (`'24:00'` ends a day) as minutes since midnight. */
const Clock = z
  .string()
  .regex(CLOCK, { message: "expected a time 'HH:mm' between '00:00' and '24:00'" })
  .transform((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5)));

/** The working ranges of one weekday: each ends after it starts, none overlaps the next. */
const DayHours = z
  .array(z.tuple([Clock, Clock]))
  .max(48)
  .superRefine((ranges, ctx) => {
    const order = ranges.map((r, i) => ({ r, i })).sort((a, b) => a.r[0] - b.r[0]);
    order.forEach(({ r, i }, k) => {
      if (r[1] <= r[0]) ctx.addIssue({ code: 'custom', path: [i, 1], message: 'a working range must end after it starts' });
      const prev = order[k - 1];
      if (prev && prev.r[1] > r[0]) ctx.addIssue({ code: 'custom', path: [i], message: `overlaps the range at index ${prev.i}` });
    });
  });

/** The `businessDays` calendar object, as validated. */
export const CalendarObject = z.strictObject({
  timeZone: z
    .string()
    .max(100)
    .refine(isTimeZone, { message: 'expected an IANA time zone name such as "Europe/Berlin"' })
    .optional(),
  weekendDays: z.array(z.number().int().min(0).max(6)).max(7).optional(),
  holidays: z.array(CalendarDate).max(100_000).optional(),
  hours: z
    .strictObject({
      0: DayHours.optional(),
      1: DayHours.optional(),
      2: DayHours.optional(),
      3: DayHours.optional(),
      4: DayHours.optional(),
      5: DayHours.optional(),
      6: DayHours.optional(),
    })
    .optional(),
});
/**
 * A validated calendar: hours are minute ranges.
 * @category Metrics
 */
export type ParsedCalendar = z.output<typeof CalendarObject>;

/** The `businessDays` option of the dwell and rotting metrics: `true` (Saturday and Sunday off) or a calendar. */
export const BusinessDaysOption = z.union([z.boolean(), CalendarObject]).optional();
