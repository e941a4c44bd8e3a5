import { describe, expect, it } from 'vitest';
import { applyDeal, dealAt, pipelineSnapshot, pipelineWaterfall, slippage, weightedPipeline, type Deal } from '../../src/index.js';
import { dealerWorkspace } from '../../examples/dealership.js';
import { expectPipelineError } from '../helpers/expectError.js';

const ws = dealerWorkspace();
const day = (d: string) => Date.parse(`2026-02-${d}T00:00:00Z`);

function sampleDeal(): Deal {
  let { deal } = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', name: 'SUV', amount: 100, currency: 'EUR', closingDate: '2026-05-01' } }, { at: day('01') });
  deal = applyDeal(ws, deal, { type: 'updateDeal', patch: { amount: 200 } }, { at: day('02') }).deal;
  return applyDeal(ws, deal, { type: 'moveToStage', stageId: 'test-drive' }, { at: day('03') }).deal;
}

type Edit = (d: Record<string, any>) => void;
const malformed: [string, Edit][] = [
  ['a string amount', (d) => (d.amount = '100')],
  ['an Infinity amount', (d) => (d.amount = Infinity)],
  ['a NaN amount', (d) => (d.amount = NaN)],
  ['an Infinity amount in a visit', (d) => (d.history[0].amount = Infinity)],
  ['a string exit instant in a visit', (d) => (d.history[0].exitedAt = '2026-02-03T00:00:00Z')],
  ['an Infinity entry instant in a visit', (d) => (d.history[1].enteredAt = Infinity)],
  ['a string probability in a visit', (d) => (d.history[0].probability = '10')],
  ['a string createdAt', (d) => (d.createdAt = '2026-02-01T00:00:00Z')],
  ['a string updatedAt', (d) => (d.updatedAt = '2026-02-03T00:00:00Z')],
  ['a string version', (d) => (d.version = '3')],
  ['an Infinity amount in the change log', (d) => (d.changes[0].to = Infinity)],
  ['an Infinity previous amount in the change log', (d) => (d.changes[0].from = -Infinity)],
  ['an Infinity instant in the change log', (d) => (d.changes[0].at = Infinity)],
];

describe('pipelineSnapshot and pipelineWaterfall refuse the deals every other function refuses', () => {
  it.each(malformed)('%s', (_, edit) => {
    const deal = structuredClone(sampleDeal()) as unknown as Record<string, any>;
    edit(deal);
    const deals = [deal as unknown as Deal];
    const snapshot = expectPipelineError(() => pipelineSnapshot(ws, deals, day('02') + 3_600_000), 'invalid_input');
    const waterfall = expectPipelineError(() => pipelineWaterfall(ws, deals, { from: day('01'), to: '2026-03-01T00:00:00Z' }), 'invalid_input');
    expect(String(snapshot.details.path)).toMatch(/^deals?\b/);
    expect(String(waterfall.details.path)).toMatch(/^deals?\b/);
    // the others agree
    expectPipelineError(() => dealAt(deal as unknown as Deal, day('02') + 3_600_000), 'invalid_input');
    expectPipelineError(() => slippage(deals, { from: 0, to: day('28') }), 'invalid_input');
  });

  it('still reads a well-formed deal', () => {
    const deal = sampleDeal();
    expect(pipelineSnapshot(ws, [deal], day('02') + 3_600_000).EUR).toMatchObject({ count: 1, total: 200 });
    expect(weightedPipeline(ws, [deal]).EUR).toMatchObject({ count: 1, total: 200 });
    expect(pipelineWaterfall(ws, [deal], { from: day('01'), to: day('28') }).EUR?.end.amount).toBe(200);
  });
});
