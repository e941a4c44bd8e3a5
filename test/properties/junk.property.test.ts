import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { arbScenario, checkInvariants } from '../../src/testing.js';

// Whatever a host passes, the public API answers with a value or a PipelineError: never a
// TypeError or anything else.

function onlyPipelineErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    expect(api.isPipelineError(e), `${(e as Error)?.name}: ${(e as Error)?.message}`).toBe(true);
  }
}

const junk = fc.oneof(
  fc.anything(),
  fc.constant(null),
  fc.constant({ history: [null], id: 'x', layoutId: 'a', stageId: 's', pipelineId: null, version: 1, createdAt: 0, updatedAt: 0, fields: {} }),
  fc.constant({ type: 'dealStageChanged', dealId: 'd', at: 0, version: 2, to: null }),
  fc.constant({ type: 'pipelineCreated', at: 0, by: null, version: 1, pipeline: null, makeDefault: true }),
  fc.constant({ layouts: [null], version: 1 }),
);

describe('the public API refuses junk with PipelineError only', () => {
  it('for every function and argument position', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 2, maxSteps: 4 }), junk, junk, (s, a, b) => {
        const deal = s.deals[0] ?? null;
        const ws = s.workspace;
        const calls: (() => unknown)[] = [
          () => api.evolveWorkspace(a as never, b as never),
          () => api.evolveWorkspace(ws, a as never),
          () => api.evolveDeal(a as never, b as never),
          () => api.evolveDeal(deal, a as never),
          () => api.replayWorkspace(a as never),
          () => api.replayDeal([a, b] as never),
          () => api.decideWorkspace(a as never, b as never, { at: 0 }),
          () => api.decideDeal(ws, a as never, b as never, { at: 0 }),
          () => api.checkTransition(ws, a as never, b as never),
          () => api.allowedStages(ws, a as never),
          () => api.suggestStageMap(ws, a as never, b as never),
          () => api.planBulkUpdate(ws, [a] as never, b as never, { at: 0, mode: 'atomic' }),
          () => api.timeInStages(a as never, { now: 0 }),
          () => api.stageAt(a as never, b as never),
          () => api.dwellStats([a] as never, b as never),
          () => api.dwellStats(s.deals, { now: a } as never),
          () => api.stalledDeals(ws, [a] as never, { now: 0 }),
          () => api.conversionFunnel(ws, s.deals, a as never),
          () => api.weightedPipeline(a as never, s.deals),
          () => api.weightedPipeline(ws, [a] as never),
          () => api.movementStats(ws, [a] as never, { from: 0, to: 1 }),
          () => api.salesCycle([a] as never, b as never),
          () => checkInvariants(a as never, [b] as never, { now: 0 }),
          () => checkInvariants(ws, [a] as never, { now: 0 }),
          () => api.createMemoryRepositories(a as never),
          () => api.createPipelineService(a as never),
        ];
        for (const call of calls) onlyPipelineErrors(call);
      }),
      { numRuns: 300 },
    );
  });

  it('for the service, whose promises reject with PipelineError only', async () => {
    const service = api.createPipelineService(api.createMemoryRepositories());
    await fc.assert(
      fc.asyncProperty(junk, junk, async (a, b) => {
        for (const call of [
          () => service.configure(a as never),
          () => service.createDeal(a as never),
          () => service.dispatch(a as never, b as never),
          () => service.dispatch('d', a as never, b as never),
          () => service.bulkUpdate(a as never),
          () => service.getDeal(a as never),
        ]) {
          const error = await call().then(() => null, (e: unknown) => e);
          if (error !== null) expect(api.isPipelineError(error), String(error)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
