import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPipelineService, dwellStats, type Repositories } from '../../../src/index.js';
import { arbScenario } from '../../../src/testing.js';
import { stores, wholeDeals } from './storedReports.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
const STORES = stores();

const arbOptions = fc.record({
  fromDay: fc.option(fc.integer({ min: -2, max: 20 }), { nil: undefined }),
  days: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
  includeOpen: fc.boolean(),
  nowDays: fc.integer({ min: 0, max: 30 }),
  pipeline: fc.option(fc.nat(), { nil: undefined }),
});

describe('dwellStats over the store, with a period', () => {
  it(`equals dwellStats over every stored deal, through the service and each store's visits.dwell, on ${STORES.map(([s]) => s).join(', ')}`, async () => {
    await fc.assert(
      fc.asyncProperty(arbScenario({ maxDeals: 10, maxSteps: 40 }), arbOptions, async (s, a) => {
        const from = a.fromDay === undefined ? undefined : START + a.fromDay * DAY;
        const to = a.days === undefined ? undefined : (from ?? START) + a.days * DAY;
        const pipelines = s.workspace.layouts.flatMap((l) => l.pipelines.map((p) => p.id));
        const pipelineId = a.pipeline === undefined || pipelines.length === 0 ? undefined : pipelines[a.pipeline % pipelines.length];
        const now = s.now + a.nowDays * DAY;
        const opts = { includeOpen: a.includeOpen, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), ...(pipelineId === undefined ? {} : { pipelineId }) };
        const expected = dwellStats(s.deals, { now, ...opts });
        for (const [, seed] of STORES) {
          const repos: Repositories = await seed(s.workspace, s.deals);
          expect(dwellStats(await wholeDeals(repos), { now, ...opts })).toEqual(expected);
          const service = createPipelineService({ ...repos, chunkSize: 2, clock: () => now });
          expect(await service.dwellStats(opts)).toEqual(expected);
          expect(await repos.visits!.dwell!({ now, ...opts })).toEqual(expected);
        }
      }),
      { numRuns: STORES.length > 2 ? 60 : 150 },
    );
  }, 120_000);

  it('is computed by a store that declares dwellPeriods, not by reading its visits', async () => {
    const [, seed] = STORES.find(([name]) => name === 'sqlite')!;
    const { workspace } = fc.sample(arbScenario({ maxDeals: 3, maxSteps: 5 }), { seed: 7, numRuns: 1 })[0]!;
    const repos = await seed(workspace, []);
    const calls: string[] = [];
    const visits = repos.visits!;
    const spied = {
      ...repos,
      visits: {
        dwellPeriods: true,
        list: (q: Parameters<typeof visits.list>[0]) => (calls.push('list'), visits.list(q)),
        dwell: (q: Parameters<NonNullable<typeof visits.dwell>>[0]) => (calls.push('dwell'), visits.dwell!(q)),
      },
    };
    expect(visits.dwellPeriods).toBe(true);
    await createPipelineService({ ...spied, clock: () => START }).dwellStats({ from: START, to: START + DAY });
    expect(calls).toEqual(['dwell']);
  });
});

