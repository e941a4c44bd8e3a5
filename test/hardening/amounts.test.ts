import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { fromHubSpot } from '../../src/import.js';
import { expectPipelineError } from '../helpers/expectError.js';
import { newDeal, step, T0, ws } from '../helpers/dealer.js';
import { dealerService } from '../service/helpers.js';
import { fixture } from '../import/helpers.js';

const { MAX_AMOUNT } = api;

describe('MAX_AMOUNT', () => {
  it('is documented as 10^15', () => {
    expect(MAX_AMOUNT).toBe(1e15);
  });

  it('lets a deal of the largest amount enter every stage, with a finite expected revenue', () => {
    for (const amount of [MAX_AMOUNT, -MAX_AMOUNT]) {
      let deal = newDeal({ amount, currency: 'EUR' });
      for (const stageId of ['test-drive', 'quote', 'negotiation', 'won']) {
        deal = step(deal, stageId === 'negotiation' ? { type: 'updateDeal', patch: { closingDate: '2026-06-30' } } : { type: 'moveToStage', stageId });
        if (stageId === 'negotiation') deal = step(deal, { type: 'moveToStage', stageId });
      }
      expect(deal.stageId).toBe('won');
      for (const visit of deal.history) expect(Number.isFinite(visit.expectedRevenue)).toBe(true);
      expect(deal.history.at(-1)!.expectedRevenue).toBe(amount);
      expect(api.weightedPipeline(ws, [newDeal({ amount, currency: 'EUR' })]).EUR?.total).toBe(amount);
    }
  });

  it.each([MAX_AMOUNT * 1.5, Number.MAX_VALUE, -Number.MAX_VALUE, 1e300])('refuses %d where a deal is created, naming command.deal.amount', (amount) => {
    const e = expectPipelineError(() => newDeal({ amount, currency: 'EUR' }), 'invalid_input');
    expect(e.details.path).toBe('command.deal.amount');
  });

  it('refuses it in an update, a bulk update and a bulk plan, naming the path', async () => {
    const deal = newDeal({ amount: 10, currency: 'EUR' });
    expect(expectPipelineError(() => step(deal, { type: 'updateDeal', patch: { amount: 2e15 } }), 'invalid_input').details.path).toBe('command.patch.amount');
    expectPipelineError(() => api.planBulkUpdate(ws, [deal], { type: 'updateDeal', patch: { amount: 2e15 } }, { at: T0 + 1, mode: 'bestEffort' }), 'invalid_input');
    const { service } = await dealerService();
    await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
    const e = await service.bulkUpdate({ dealIds: ['d1'], change: { type: 'updateDeal', patch: { amount: 2e15 } }, mode: 'atomic' }).catch((err: unknown) => err);
    expect(api.isPipelineError(e, 'invalid_input')).toBe(true);
    await expect(service.createDeal({ id: 'd2', layoutId: 'sales', name: 'Van', amount: Number.MAX_VALUE })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('refuses a coverage target above it', () => {
    expectPipelineError(() => api.pipelineCoverage(ws, [], { from: T0, to: T0 + 1, target: 2e15 }), 'invalid_input');
  });

  it('drops an imported amount above it with a warning, keeping the deal', () => {
    const payload = structuredClone(fixture('hubspot.json')) as { deals: { results: { properties: Record<string, unknown> }[] } };
    payload.deals.results[0]!.properties.amount = '1e300';
    const result = fromHubSpot(payload as never);
    const deal = result.deals.find((d) => d.id === '12345')!;
    expect(deal.amount).toBeNull();
    expect(result.warnings.some((w) => w.code === 'value_dropped' && w.path.includes('amount'))).toBe(true);
    for (const d of result.deals) for (const v of d.history) expect(v.expectedRevenue === null || Number.isFinite(v.expectedRevenue)).toBe(true);
  });
});
