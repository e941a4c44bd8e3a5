import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, applyWorkspace, dwellStats, stalledDeals, type Deal } from '../../src/index.js';
import { DAY, T0, ws } from '../helpers/dealer.js';
import { expectPipelineError } from '../helpers/expectError.js';

const HOUR = 3_600_000;

/** A deal that entered its only stage at `start`, moved on at `end`. */
function visit(start: number, end: number): Deal {
  const created = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd', layoutId: 'sales', name: 'd' } }, { at: start }).deal;
  return applyDeal(ws, created, { type: 'moveToStage', stageId: 'test-drive' }, { at: end }).deal;
}

const requirements = (rows: ReturnType<typeof dwellStats>) => rows.find((r) => r.stageId === 'requirements')!.meanMs;

describe('dwellStats with a business calendar', () => {
  it('leaves out holidays and weekends (the worked example)', () => {
    const deal = visit(Date.parse('2026-12-24T12:00:00Z'), Date.parse('2026-12-28T12:00:00Z'));
    const calendar = { holidays: ['2026-12-24', '2026-12-25'] };
    expect(requirements(dwellStats([deal], { now: T0 + 400 * DAY, businessDays: calendar }))).toBe(12 * HOUR);
    expect(requirements(dwellStats([deal], { now: T0 + 400 * DAY, businessDays: true }))).toBe(48 * HOUR);
  });

  it('takes other weekend days', () => {
    // Thursday 12:00 to Sunday 12:00 with Friday and Saturday off: Thursday 12 h + Sunday 12 h.
    const deal = visit(Date.parse('2026-12-24T12:00:00Z'), Date.parse('2026-12-27T12:00:00Z'));
    expect(requirements(dwellStats([deal], { now: T0 + 400 * DAY, businessDays: { weekendDays: [5, 6] } }))).toBe(24 * HOUR);
  });

  it('agrees with an hour-by-hour count for any calendar', () => {
    const base = Date.UTC(2026, 0, 1);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 24 * 60 }),
        fc.integer({ min: 0, max: 24 * 40 }),
        fc.subarray([0, 1, 2, 3, 4, 5, 6]),
        fc.array(fc.integer({ min: 0, max: 90 }), { maxLength: 10 }),
        (startHour, hours, weekendDays, holidayOffsets) => {
          const start = base + startHour * HOUR;
          const holidays = holidayOffsets.map((d) => new Date(base + d * DAY).toISOString().slice(0, 10));
          const off = new Set(holidays);
          let expected = 0;
          for (let h = 0; h < hours; h++) {
            const t = new Date(start + h * HOUR);
            if (!weekendDays.includes(t.getUTCDay()) && !off.has(t.toISOString().slice(0, 10))) expected += HOUR;
          }
          const rows = dwellStats([visit(start, start + hours * HOUR)], { now: start + hours * HOUR, businessDays: { weekendDays, holidays } });
          expect(requirements(rows)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a malformed calendar', () => {
    expectPipelineError(() => dwellStats([], { now: 0, businessDays: { weekendDays: [7] } }), 'invalid_input');
    expectPipelineError(() => dwellStats([], { now: 0, businessDays: { holidays: ['2026-02-30'] } }), 'invalid_input');
  });
});

describe('stalledDeals clocks', () => {
  // quote rots after 3 days here; entered Friday 09:00, updated Monday 09:00, looked at Wednesday 12:00.
  const w = applyWorkspace(ws, { type: 'setPipelineStages', pipelineId: 'new-cars', stages: ['requirements', { stageId: 'quote', rotAfterDays: 3 }, 'won', 'lost'] }, { at: 0 }).workspace;
  const friday = Date.parse('2026-03-06T09:00:00Z');
  const created = applyDeal(w, null, { type: 'createDeal', deal: { id: 'd', layoutId: 'sales', name: 'd', stageId: 'quote' } }, { at: friday }).deal;
  const updated = applyDeal(w, created, { type: 'updateDeal', patch: { amount: 5 } }, { at: friday + 3 * DAY }).deal;
  const now = Date.parse('2026-03-11T12:00:00Z');

  it('counts from stage entry by default, from the last update when asked (the worked example)', () => {
    expect(stalledDeals(w, [updated], { now }).map((s) => s.dwellMs)).toEqual([5 * DAY + 3 * HOUR]);
    expect(stalledDeals(w, [updated], { now, since: 'lastUpdate' })).toEqual([]);
    expect(stalledDeals(w, [updated], { now: now + DAY, since: 'lastUpdate' }).map((s) => s.dwellMs)).toEqual([3 * DAY + 3 * HOUR]);
  });

  it('counts working time only with a calendar', () => {
    expect(stalledDeals(w, [updated], { now, businessDays: true }).map((s) => s.dwellMs)).toEqual([3 * DAY + 3 * HOUR]);
    expect(stalledDeals(w, [updated], { now, businessDays: { holidays: ['2026-03-09'] } })).toEqual([]);
  });

  it('refuses an unknown clock', () => {
    expectPipelineError(() => stalledDeals(w, [updated], { now, since: 'never' as never }), 'invalid_input');
  });
});
