import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, rotsAt, stalledDeals, type BusinessCalendar } from '../../src/index.js';
import { DAY, newDeal, ws } from '../helpers/dealer.js';
import { expectPipelineError } from '../helpers/expectError.js';

const WEEKDAY = [['09:00', '17:00']] as const;
const calendars: (boolean | BusinessCalendar | undefined)[] = [
  undefined,
  true,
  { weekendDays: [5, 6], holidays: ['2026-03-10', '2026-10-05'] },
  { timeZone: 'America/Los_Angeles', hours: { 1: WEEKDAY, 2: WEEKDAY, 3: WEEKDAY, 4: WEEKDAY, 5: WEEKDAY, 6: [['10:00', '14:00']] } },
  { timeZone: 'Australia/Adelaide', holidays: ['2026-10-05'] },
  { timeZone: 'America/Santiago', hours: { 0: [['00:00', '03:00']], 3: [['08:30', '12:00'], ['13:00', '18:00']] } },
];

describe('rotsAt', () => {
  it('is the first instant stalledDeals lists the deal', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2026-02-20T00:00:00Z'), max: Date.parse('2026-10-20T00:00:00Z') }),
        fc.integer({ min: 0, max: 5 * DAY }),
        fc.nat(calendars.length - 1),
        fc.constantFrom('stageEntry' as const, 'lastUpdate' as const),
        fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -20 * DAY, max: 20 * DAY })),
        (created, updatedAfter, c, since, delta) => {
          const businessDays = calendars[c];
          const deal0 = newDeal({ amount: 1000 }, created);
          const deal = applyDeal(ws, deal0, { type: 'updateDeal', patch: { amount: 2000 } }, { at: created + updatedAfter }).deal;
          const due = rotsAt(ws, deal, { since, ...(businessDays === undefined ? {} : { businessDays }) });
          expect(due).not.toBeNull();
          const now = due! + delta;
          const listed = stalledDeals(ws, [deal], { now, since, ...(businessDays === undefined ? {} : { businessDays }) }).length === 1;
          expect(listed).toBe(now >= due!);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is one millisecond after the threshold in calendar time', () => {
    const deal = newDeal({}, Date.parse('2026-03-02T09:00:00Z'));
    expect(rotsAt(ws, deal)).toBe(Date.parse('2026-03-09T09:00:00Z') + 1);
  });

  it('waits for working hours in the deal owner\'s zone', () => {
    // Entered Thursday 5 March 2026 13:00 in New York; 'requirements' rots after 7 working days of 09:00–17:00.
    const deal = newDeal({}, Date.parse('2026-03-05T18:00:00Z'));
    const cal: BusinessCalendar = { timeZone: 'America/New_York', hours: { 1: WEEKDAY, 2: WEEKDAY, 3: WEEKDAY, 4: WEEKDAY, 5: WEEKDAY } };
    // Seven working days later is Monday 16 March 13:00 EDT (clocks changed on 8 March).
    expect(rotsAt(ws, deal, { businessDays: cal })).toBe(Date.parse('2026-03-16T17:00:00Z') + 1);
  });

  it('is null for a closed deal or a calendar without working time', () => {
    const deal = newDeal({ amount: 10, closingDate: '2026-04-01' });
    const lost = applyDeal(ws, deal, { type: 'closeDeal', outcome: 'lost', lostReason: 'Price' }, { at: deal.createdAt + DAY }).deal;
    expect(rotsAt(ws, lost)).toBeNull();
    expect(rotsAt(ws, deal, { businessDays: { weekendDays: [0, 1, 2, 3, 4, 5, 6] } })).toBeNull();
    expect(rotsAt(ws, deal, { businessDays: { hours: {} } })).toBeNull();
  });

  it('refuses malformed options', () => {
    const deal = newDeal();
    expect(expectPipelineError(() => rotsAt(ws, deal, { since: 'later' as 'stageEntry' }), 'invalid_input').details.path).toBe('opts.since');
    expect(expectPipelineError(() => rotsAt(ws, deal, { businessDays: { timeZone: 'Nowhere/Else' } }), 'invalid_input').details.path).toBe('opts.businessDays.timeZone');
    expectPipelineError(() => rotsAt(ws, { ...deal, history: [] }), 'invalid_input');
  });
});
