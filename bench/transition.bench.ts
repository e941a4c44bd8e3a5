import { bench, describe } from 'vitest';
import { applyDeal } from 'sales-pipelines';
import { spreadMove } from './baselines.js';
import { LATER, makeDeals, ws } from './data.js';

// 10k deals in "Collect requirements" of New cars (skipping forbidden) move to the next stage.
const deals = makeDeals(10_000, 8, 'requirements');
const testDrive = { probability: 30, forecastCategory: 'pipeline', outcome: 'open' } as const;

describe('transition: moveToStage on 10k deals', () => {
  bench('library: applyDeal(moveToStage)', () => {
    for (const deal of deals) applyDeal(ws, deal, { type: 'moveToStage', stageId: 'test-drive' }, { at: LATER, by: 'manager' });
  });

  bench('baseline: hand-written spread', () => {
    for (const deal of deals) spreadMove(deal, 'new-cars', 'test-drive', testDrive, LATER);
  });
});
