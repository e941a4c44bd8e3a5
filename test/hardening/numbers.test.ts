import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { checkInvariants } from '../../src/testing.js';
import { expectPipelineError } from '../helpers/expectError.js';
import { newDeal, T0, ws } from '../helpers/dealer.js';

// What pg returns for a NUMERIC column: the string '1000'. It must never be summed or copied.
const now = T0 + 1000;

function everyReader(deal: api.Deal): [string, () => unknown][] {
  return [
    ['applyDeal', () => api.applyDeal(ws, deal, { type: 'moveToStage', stageId: 'test-drive' }, { at: now })],
    ['decideDeal', () => api.decideDeal(ws, deal, { type: 'updateDeal', patch: { name: 'X' } }, { at: now })],
    ['evolveDeal', () => api.evolveDeal(deal, { type: 'dealUpdated', id: 'x', dealId: deal.id, at: now, by: null, version: deal.version + 1, changes: {}, fields: {}, removeFields: [] })],
    ['checkTransition', () => api.checkTransition(ws, deal, { stageId: 'test-drive' })],
    ['allowedStages', () => api.allowedStages(ws, deal)],
    ['planBulkUpdate', () => api.planBulkUpdate(ws, [deal], { type: 'moveToStage', stageId: 'test-drive' }, { at: now, mode: 'bestEffort' })],
    ['weightedPipeline', () => api.weightedPipeline(ws, [deal])],
    ['timeInStages', () => api.timeInStages(deal, { now })],
    ['stageAt', () => api.stageAt(deal, now)],
    ['dwellStats', () => api.dwellStats([deal], { now })],
    ['stalledDeals', () => api.stalledDeals(ws, [deal], { now })],
    ['conversionFunnel', () => api.conversionFunnel(ws, [deal], { pipelineId: 'new-cars' })],
    ['movementStats', () => api.movementStats(ws, [deal], { from: 0, to: now })],
    ['salesCycle', () => api.salesCycle([deal], { from: 0, to: now })],
  ];
}

describe('numbers are numbers', () => {
  const good = newDeal({ amount: 1000, currency: 'EUR' });
  const cases: [string, api.Deal][] = [
    ['amount', { ...good, amount: '1000' as never }],
    ['amount', { ...good, amount: Number.NaN }],
    ['amount', { ...good, amount: Number.POSITIVE_INFINITY }],
    ['probability', { ...good, probability: '50' as never }],
    ['createdAt', { ...good, createdAt: Number.NaN }],
    ['history[0]', { ...good, history: [{ ...good.history[0]!, amount: '1000' as never }] }],
  ];

  for (const [path, deal] of cases) {
    it(`a deal whose ${path} is ${String((deal as Record<string, unknown>)[path] ?? 'a string in history')} is invalid_input in every reducer and metric that reads it`, () => {
      for (const [name, run] of everyReader(deal)) {
        const e = expectPipelineError(run, 'invalid_input');
        expect(String(e.details.path), name).toMatch(new RegExp(`^deals?(\\[0\\])?\\.${path.replace(/[[\]]/g, '\\$&')}`));
      }
    });

    it(`checkInvariants reports a deal whose ${path} is not a finite number`, () => {
      const violations = checkInvariants(ws, [good, deal], { now });
      expect(violations).toEqual([expect.objectContaining({ invariant: 'shape', dealId: good.id, message: expect.stringContaining(`deals[1].${path}`) })]);
    });
  }

  it('weightedPipeline no longer concatenates string amounts', () => {
    const a = { ...good, id: 'a', amount: '1000' as never };
    expectPipelineError(() => api.weightedPipeline(ws, [a]), 'invalid_input');
  });

  it('checkInvariants holds for a well-formed deal', () => {
    expect(checkInvariants(ws, [good], { now })).toEqual([]);
  });
});
