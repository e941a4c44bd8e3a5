import { bench, describe } from 'vitest';
import { createMemoryRepositories, createPipelineService, planBulkUpdate } from 'sales-pipelines';
import { LATER, makeDeals, ws } from './data.js';

// The whole service over the memory store (seeding a fresh store included) against the pure
// planning of the same bulk move: what the store and the service add on top of the reducers.
const stageMap = { requirements: 'show-models' };
const change = { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap } as const;
const deals = makeDeals(100_000, 8);

describe('memory store: bulk move of 100k deals x 8 visits through the service', () => {
  bench('library: service.bulkUpdate on the memory store 100k', async () => {
    const service = createPipelineService({ ...createMemoryRepositories({ workspace: ws, deals }), clock: () => LATER });
    await service.bulkUpdate({ query: { pipelineId: 'new-cars' }, change, mode: 'bestEffort', chunkSize: 5000 });
  }, { time: 4000, warmupIterations: 1 });

  bench('baseline: planBulkUpdate alone 100k', () => {
    planBulkUpdate(ws, deals, change, { at: LATER, by: null, mode: 'bestEffort' });
  }, { time: 4000, warmupIterations: 1 });
});
