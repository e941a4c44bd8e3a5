import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, dwellStats, stalledDeals, type BusinessCalendar, type Deal } from '../../src/index.js';
import { ws } from '../helpers/dealer.js';
import { expectPipelineError } from '../helpers/expectError.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A deal that entered its first stage at `start` and moved on at `end`. */
function visit(start: number, end: number): Deal {
  const created = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd', layoutId: 'sales', name: 'd' } }, { at: start }).deal;
  return applyDeal(ws, created, { type: 'moveToStage', stageId: 'test-drive' }, { at: end }).deal;
}

const measured = (start: number, end: number, businessDays: BusinessCalendar): number =>
  dwellStats([visit(start, end)], { now: end, businessDays }).find((r) => r.stageId === 'requirements')!.meanMs;

// ---- The oracle: the interval walked minute by minute, with local time read from Intl. ----

interface Local {
  readonly date: string;
  readonly weekday: number;
  readonly minute: number;
}
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formats = new Map<string, Intl.DateTimeFormat>();
const locals = new Map<string, Local>();

function localOf(zone: string, t: number): Local {
  const key = `${zone}|${t}`;
  let l = locals.get(key);
  if (l) return l;
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short' });
    formats.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  l = { date: `${p.year}-${p.month}-${p.day}`, weekday: WEEKDAYS.indexOf(p.weekday!), minute: Number(p.hour) * 60 + Number(p.minute) };
  locals.set(key, l);
  return l;
}

const toMinutes = (s: string): number => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

function isWorking(cal: BusinessCalendar, l: Local): boolean {
  if (cal.holidays?.includes(l.date)) return false;
  if ((cal.weekendDays ?? (cal.hours ? [] : [0, 6])).includes(l.weekday)) return false;
  const ranges = cal.hours ? (cal.hours[l.weekday as 0] ?? []) : [['00:00', '24:00'] as const];
  return ranges.some(([s, e]) => l.minute >= toMinutes(s) && l.minute < toMinutes(e));
}

const dayTotals = new Map<string, number>();
/** Working minutes of a local date: every minute that can fall on it, walked. */
function workingMinutesOf(zone: string, cal: BusinessCalendar, date: string, name: string): number {
  const key = `${zone}|${name}|${date}`;
  let n = dayTotals.get(key);
  if (n !== undefined) return n;
  n = 0;
  const midnight = Date.parse(`${date}T00:00:00Z`);
  for (let t = midnight - 15 * HOUR; t < midnight + DAY + 13 * HOUR; t += MINUTE) {
    const l = localOf(zone, t);
    if (l.date === date && isWorking(cal, l)) n++;
  }
  dayTotals.set(key, n);
  return n;
}

/** Business time by the definition: each working minute is worth a day over the day's working minutes. */
function oracle(zone: string, cal: BusinessCalendar, name: string, start: number, end: number): number {
  let sum = 0;
  for (let t = start; t < end; t += MINUTE) {
    const l = localOf(zone, t);
    if (isWorking(cal, l)) sum += DAY / workingMinutesOf(zone, cal, l.date, name);
  }
  return sum;
}

const WEEKDAY_HOURS = [['09:00', '17:30']] as const;
const calendars: Record<string, Omit<BusinessCalendar, 'timeZone'>> = {
  wholeDays: {},
  shop: { hours: { 1: WEEKDAY_HOURS, 2: WEEKDAY_HOURS, 3: WEEKDAY_HOURS, 4: WEEKDAY_HOURS, 5: WEEKDAY_HOURS, 6: [['10:00', '14:00']] } },
  night: { hours: { 0: [['00:00', '00:45'], ['01:30', '02:30'], ['08:00', '12:00']], 1: [['01:00', '03:00'], ['23:00', '24:00']], 6: [['00:00', '24:00']] } },
  // On the Sunday the clocks spring forward, these hours do not exist: the day counts nothing.
  inTheGap: { hours: { 0: [['02:15', '02:45']], 3: [['09:00', '12:00'], ['12:00', '17:00']] } },
};

// Days with a daylight-saving change in 2026 (the property samples around them).
const zones: Record<string, string[]> = {
  'America/Los_Angeles': ['2026-03-08', '2026-11-01'],
  'Australia/Sydney': ['2026-04-05', '2026-10-04'],
  'Australia/Adelaide': ['2026-04-05', '2026-10-04'],
  'America/Santiago': ['2026-04-05', '2026-09-06'],
  'Asia/Kolkata': ['2026-03-08'],
};

describe('BusinessCalendar in a time zone', () => {
  for (const [zone, changeDays] of Object.entries(zones)) {
    it(`agrees with a minute-by-minute walk in ${zone} around its daylight-saving changes`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...changeDays),
          fc.constantFrom(...Object.keys(calendars)),
          fc.integer({ min: -3 * 24 * 60, max: 2 * 24 * 60 }),
          fc.integer({ min: 0, max: 8 * 24 * 60 }),
          fc.subarray([-2, -1, 0, 1, 3, 8]),
          (changeDay, name, startMinute, minutes, holidayOffsets) => {
            const anchor = Date.parse(`${changeDay}T00:00:00Z`);
            const holidays = holidayOffsets.map((d) => new Date(anchor + d * DAY).toISOString().slice(0, 10));
            const cal: BusinessCalendar = { ...calendars[name], timeZone: zone, holidays };
            const start = anchor + startMinute * MINUTE;
            const end = start + minutes * MINUTE;
            const expected = oracle(zone, cal, `${name}|${holidays.join()}`, start, end);
            expect(measured(start, end, cal)).toBeCloseTo(expected, 3);
          },
        ),
        { numRuns: 40 },
      );
    });
  }

  it('counts a Friday evening in Los Angeles on Friday, not on the UTC Saturday', () => {
    // Friday 6 March 2026 18:00 PST is Saturday 02:00 UTC; Monday 9 March 09:00 PDT: 6 + 9 hours.
    const start = Date.parse('2026-03-07T02:00:00Z');
    const end = Date.parse('2026-03-09T16:00:00Z');
    expect(measured(start, end, { timeZone: 'America/Los_Angeles' })).toBe(15 * HOUR);
    expect(measured(start, end, {})).toBe(16 * HOUR);
  });

  it('counts working hours as parts of a working day', () => {
    const hours = { 1: [['09:00', '17:00']], 2: [['09:00', '17:00']] } as const;
    const cal: BusinessCalendar = { timeZone: 'Europe/Berlin', hours };
    // Monday 13:00 to Tuesday 13:00 Berlin time (UTC+1): half of Monday and half of Tuesday.
    expect(measured(Date.parse('2026-03-02T12:00:00Z'), Date.parse('2026-03-03T12:00:00Z'), cal)).toBe(DAY);
    // Monday 13:00 to 17:00: half a day.
    expect(measured(Date.parse('2026-03-02T12:00:00Z'), Date.parse('2026-03-02T16:00:00Z'), cal)).toBe(DAY / 2);
  });

  it('rots a deal after working days of hours', () => {
    // 'requirements' rots after 7 days in the dealer workspace; a deal entered on Monday 9 March 2026 09:00 New York time.
    const entered = Date.parse('2026-03-09T13:00:00Z');
    const created = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd', layoutId: 'sales', name: 'd' } }, { at: entered }).deal;
    const cal: BusinessCalendar = { timeZone: 'America/New_York', hours: { 1: WEEKDAY_HOURS, 2: WEEKDAY_HOURS, 3: WEEKDAY_HOURS, 4: WEEKDAY_HOURS, 5: WEEKDAY_HOURS } };
    const threshold = stalledDeals(ws, [created], { now: entered + 30 * DAY })[0]!.thresholdMs / DAY;
    expect(threshold).toBe(7);
    // Seven working days end on Tuesday 17 March 17:30; then it has sat exactly seven, so not yet past.
    expect(stalledDeals(ws, [created], { now: Date.parse('2026-03-17T21:30:00Z'), businessDays: cal })).toHaveLength(0);
    expect(stalledDeals(ws, [created], { now: Date.parse('2026-03-18T13:01:00Z'), businessDays: cal })).toHaveLength(1);
  });

  it('refuses an unknown time zone and malformed hours, naming the path', () => {
    const cases: [BusinessCalendar, string][] = [
      [{ timeZone: 'Mars/Olympus_Mons' }, 'opts.businessDays.timeZone'],
      [{ hours: { 1: [['09:00', '25:00']] } }, 'opts.businessDays.hours.1[0][1]'],
      [{ hours: { 2: [['17:00', '09:00']] } }, 'opts.businessDays.hours.2[0][1]'],
      [{ hours: { 3: [['09:00', '12:00'], ['11:00', '13:00']] } }, 'opts.businessDays.hours.3[1]'],
      [{ hours: { 1: [['9:00', '12:00']] } }, 'opts.businessDays.hours.1[0][0]'],
      [JSON.parse('{"hours":{"__proto__":[["09:00","10:00"]]}}') as BusinessCalendar, 'opts.businessDays.hours'],
    ];
    for (const [businessDays, path] of cases) {
      const e = expectPipelineError(() => dwellStats([], { now: 0, businessDays }), 'invalid_input');
      expect(e.details.path).toBe(path);
    }
  });
});
