import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { checkInvariants } from '../../src/testing.js';
import { expectPipelineError } from '../helpers/expectError.js';
import { newDeal, T0, ws } from '../helpers/dealer.js';

// Every place an instant enters: command contexts, metric options, stageAt, checkInvariants.
function everyInstantPath(at: unknown): [string, () => unknown][] {
  const deal = newDeal();
  const i = at as never;
  return [
    ['ctx.at', () => api.applyDeal(ws, deal, { type: 'updateDeal', patch: { name: 'X' } }, { at: i })],
    ['ctx.at', () => api.applyWorkspace(ws, { type: 'renameLayout', layoutId: 'sales', name: 'X' }, { at: i })],
    ['ctx.at', () => api.planBulkUpdate(ws, [deal], { type: 'updateDeal', patch: { name: 'X' } }, { at: i, mode: 'atomic' })],
    ['opts.now', () => api.timeInStages(deal, { now: i })],
    ['opts.now', () => api.dwellStats([deal], { now: i })],
    ['opts.now', () => api.stalledDeals(ws, [deal], { now: i })],
    ['opts.from', () => api.movementStats(ws, [deal], { from: i, to: T0 })],
    ['opts.to', () => api.salesCycle([deal], { from: 0, to: i })],
    ['opts.from', () => api.conversionFunnel(ws, [deal], { pipelineId: 'new-cars', from: i })],
    ['instant', () => api.stageAt(deal, i)],
    ['opts.now', () => checkInvariants(ws, [deal], { now: i })],
  ];
}

describe('instants', () => {
  const refused: [string, unknown][] = [
    ['an impossible calendar date (30 February)', '2026-02-30T00:00:00Z'],
    ['29 February of a common year', '2027-02-29T12:00:00Z'],
    ['hour 24', '2026-03-01T24:00:00Z'],
    ['a date-time without an offset', '2026-03-02T10:00:00'],
    ['a date-time without seconds or offset', '2026-03-02T10:00'],
    ['an Invalid Date', new Date('nope')],
    ['an object posing as a Date', Object.create(Date.prototype) as unknown],
    ['a Proxy around a Date', new Proxy(new Date(T0), {})],
    ['NaN', Number.NaN],
  ];
  for (const [what, at] of refused) {
    it(`refuses ${what} with invalid_input naming the path`, () => {
      for (const [path, run] of everyInstantPath(at)) {
        const e = expectPipelineError(run, 'invalid_input');
        expect(e.details.path).toBe(path);
      }
    });
  }

  it('reads an instant with an offset the same in every time zone', () => {
    const at = '2026-03-02T19:00:00+09:00';
    const deal = newDeal({}, T0);
    const moved = api.applyDeal(ws, deal, { type: 'moveToStage', stageId: 'test-drive' }, { at }).deal;
    expect(moved.updatedAt).toBe(Date.UTC(2026, 2, 2, 10));
  });

  it('reads a date alone as midnight UTC', () => {
    expect(api.stageAt(newDeal({}, Date.UTC(2026, 2, 1)), '2026-03-01')).toEqual({ pipelineId: 'new-cars', stageId: 'requirements' });
    expect(api.stageAt(newDeal({}, Date.UTC(2026, 2, 1) + 1), '2026-03-01')).toBeNull();
  });

  it('accepts 29 February of a leap year, fractions of a second and Dates', () => {
    const deal = newDeal({}, Date.UTC(2024, 1, 29));
    expect(api.stageAt(deal, '2024-02-29T00:00:00.000999Z')).not.toBeNull();
    expect(api.stageAt(deal, new Date(Date.UTC(2024, 1, 29)))).not.toBeNull();
  });
});
