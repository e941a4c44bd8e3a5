import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryRepositories, createPipelineService, stalledDeals, weightedPipeline } from '../../src/index.js';
import { arbScenario } from '../../src/testing.js';

const DAY = 86_400_000;

describe('reports over the store equal the array functions over every stored deal', () => {
  it('stalledDeals and weightedPipeline, page by page (pages of 2 deals), for each clock start and a later instant', async () => {
    await fc.assert(fc.asyncProperty(arbScenario({ maxDeals: 12 }), fc.constantFrom('stageEntry', 'lastUpdate') as fc.Arbitrary<'stageEntry' | 'lastUpdate'>, fc.integer({ min: 0, max: 40 }), async (s, since, days) => {
      const now = s.now + days * DAY;
      const service = createPipelineService({ ...createMemoryRepositories({ workspace: s.workspace, deals: s.deals }), chunkSize: 2, clock: () => now });
      expect(await service.stalledDeals({ since })).toEqual(stalledDeals(s.workspace, s.deals, { now, since }));
      expect(await service.weightedPipeline()).toEqual(weightedPipeline(s.workspace, s.deals));
    }), { numRuns: 200 });
  });
});
