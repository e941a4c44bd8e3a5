import { bench, describe } from 'vitest';
import { planBulkUpdate } from 'sales-pipelines';
import { spreadBulkMove } from './baselines.js';
import { LATER, makeDeals, ws } from './data.js';

// Deals of New cars move to Used cars; "Collect requirements" maps to "Show available models".
const stageMap = { requirements: 'show-models' };
const change = { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap } as const;
const usedStages = new Map([
  ['show-models', { probability: 15, forecastCategory: 'pipeline', outcome: 'open' }],
  ['test-drive', { probability: 30, forecastCategory: 'pipeline', outcome: 'open' }],
  ['quote', { probability: 50, forecastCategory: 'best_case', outcome: 'open' }],
  ['negotiation', { probability: 80, forecastCategory: 'commit', outcome: 'open' }],
] as const);

for (const size of [10_000, 100_000]) {
  const deals = makeDeals(size, 8);
  describe(`bulk: moveToPipeline with a stage map, ${size / 1000}k deals x 8 visits`, () => {
    bench(`library: planBulkUpdate ${size / 1000}k`, () => {
      planBulkUpdate(ws, deals, change, { at: LATER, by: 'manager', mode: 'bestEffort' });
    }, { time: 4000, warmupIterations: 2 });

    bench(`baseline: hand-written spread ${size / 1000}k`, () => {
      spreadBulkMove(deals, 'used-cars', stageMap, usedStages, LATER);
    }, { time: 4000, warmupIterations: 2 });
  });
}
