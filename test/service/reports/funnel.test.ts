import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conversionFunnel, createMemoryRepositories, createPipelineService, isPipelineError, type Deal, type Repositories, type Workspace } from '../../../src/index.js';
import { arbScenario } from '../../../src/testing.js';
import { stores, wholeDeals } from './storedReports.js';

const STORES = stores();
const T0 = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;

const stage = (id: string, outcome: 'open' | 'won' | 'lost') => ({ id, name: `Stage ${id}`, probability: outcome === 'won' ? 100 : outcome === 'lost' ? 0 : 50, outcome, forecastCategory: outcome === 'open' ? 'pipeline' : 'closed' }) as const;
const rules = { allowSkip: true, allowBackward: true, allowReopen: true, requireLostReason: false };
/** A pipeline with two won and two lost stages, and a second pipeline deals move in from. */
const ws: Workspace = {
  version: 1,
  layouts: [{
    id: 'L',
    name: 'Sales',
    stages: [stage('a', 'open'), stage('b', 'open'), stage('c', 'open'), stage('w1', 'won'), stage('w2', 'won'), stage('l1', 'lost'), stage('l2', 'lost')],
    pipelines: [
      { id: 'P', layoutId: 'L', name: 'Main', standard: true, stages: ['a', 'b', 'c', 'w1', 'w2', 'l1', 'l2'].map((stageId) => ({ stageId })), rules },
      { id: 'Q', layoutId: 'L', name: 'Other', standard: false, stages: ['a', 'w1', 'l1'].map((stageId) => ({ stageId })), rules },
    ],
    defaultPipelineId: 'P',
  }],
};

/** Five deals through every kind of path, the last one erased; returns the deals as they stood before the erasure. */
async function play(repos: Repositories): Promise<Deal[]> {
  let t = T0;
  const service = createPipelineService({ ...repos, clock: () => (t += HOUR) });
  const moves: [string, string | null, string[]][] = [
    ['d1', null, ['b', 'w1', 'b', 'w2']],
    ['d2', null, ['l1', 'a', 'l2']],
    ['d3', null, ['c', 'l1']],
    ['d4', 'Q', ['P:b', 'w1']],
    ['d5', null, ['b']],
  ];
  for (const [id, pipelineId, stages] of moves) {
    await service.createDeal({ id, layoutId: 'L', name: `Deal ${id}`, ...(pipelineId ? { pipelineId } : {}) });
    for (const s of stages) {
      await service.dispatch(id, s.startsWith('P:') ? { type: 'moveToPipeline', pipelineId: 'P', stageId: s.slice(2) } : { type: 'moveToStage', stageId: s });
    }
  }
  const before = await wholeDeals(repos);
  await service.eraseDeal('d5', { by: 'dpo' });
  return before;
}

/** The repositories without the store's `visits.funnel`: the service counts from `visits.list`. */
function withoutStoreFunnel(repos: Repositories): Repositories {
  const visits = repos.visits!;
  return { ...repos, visits: { list: (q) => visits.list(q) } };
}

describe('service.conversionFunnel over the store', () => {
  it('counts each closed stage apart, moves in from another pipeline, and an erased deal (its visits stay for the figures, as dwell)', async () => {
    for (const [name, seed] of STORES) {
      const repos = await seed(ws, []);
      const before = await play(repos);
      const expected = conversionFunnel(ws, before, { pipelineId: 'P' });
      const byStage = Object.fromEntries(expected.stages.map((s) => [s.stageId, [s.entered, s.advanced]]));
      expect(byStage).toEqual({ a: [5, 4], b: [4, 3], c: [3, 2], w1: [2, 2], w2: [1, 1], l1: [2, 0], l2: [1, 0] });
      expect([expected.deals, expected.wonRate, expected.lostRate]).toEqual([5, 2 / 5, 2 / 5]);
      for (const [how, r] of [['store', repos], ['visit rows', withoutStoreFunnel(repos)]] as const) {
        const service = createPipelineService({ ...r, clock: () => T0 + 100 * HOUR });
        expect(await service.conversionFunnel({ pipelineId: 'P' }), `${name}, ${how}`).toEqual(expected);
        const firstTwo = conversionFunnel(ws, before, { pipelineId: 'P', from: T0, to: T0 + 10 * HOUR });
        expect(firstTwo.deals).toBe(2);
        expect(await service.conversionFunnel({ pipelineId: 'P', from: T0, to: T0 + 10 * HOUR }), `${name}, ${how}, a period`).toEqual(firstTwo);
      }
    }
  });

  it('a store without visits counts the stored deals page by page (an erased deal is gone)', async () => {
    const repos = createMemoryRepositories();
    await repos.workspace.save(ws, 0);
    const before = await play(repos);
    const { visits: _, ...noVisits } = repos;
    const service = createPipelineService({ ...noVisits, clock: () => T0 + 100 * HOUR, chunkSize: 2 });
    expect(await service.conversionFunnel({ pipelineId: 'P' })).toEqual(conversionFunnel(ws, before.filter((d) => d.id !== 'd5'), { pipelineId: 'P' }));
  });

  it('equals the array function on every store, through the store and through visit rows (property)', async () => {
    await fc.assert(
      fc.asyncProperty(arbScenario({ maxDeals: 8, maxSteps: 30 }), fc.nat(), fc.integer({ min: -2, max: 10 }), fc.integer({ min: 0, max: 20 }), async (s, k, fromDay, days) => {
        const pipelines = s.workspace.layouts.flatMap((l) => l.pipelines.map((p) => p.id));
        if (pipelines.length === 0) return;
        const pipelineId = pipelines[k % pipelines.length]!;
        const from = Date.UTC(2026, 0, 1) + fromDay * 86_400_000;
        const opts = { pipelineId, from, to: from + days * 86_400_000 };
        const expected = [conversionFunnel(s.workspace, s.deals, { pipelineId }), conversionFunnel(s.workspace, s.deals, opts)];
        for (const [, seed] of STORES) {
          const repos = await seed(s.workspace, s.deals);
          for (const r of [repos, withoutStoreFunnel(repos)]) {
            const service = createPipelineService({ ...r, clock: () => s.now });
            expect([await service.conversionFunnel({ pipelineId }), await service.conversionFunnel(opts)]).toEqual(expected);
          }
        }
      }),
      { numRuns: STORES.length > 2 ? 30 : 60 },
    );
  }, 120_000);

  it('each store refuses a malformed funnel query, naming the field', async () => {
    const stages = [{ stageId: 'a', rank: 0, bit: 0 }, { stageId: 'w1', rank: 1, bit: 1 }];
    const bad: [unknown, string][] = [
      [null, 'query'],
      [{ pipelineId: '', stages }, 'query.pipelineId'],
      [{ pipelineId: 'P', stages: 'a' }, 'query.stages'],
      [{ pipelineId: 'P', stages: [{ stageId: 'a', rank: -1, bit: 0 }] }, 'query.stages.0.rank'],
      [{ pipelineId: 'P', stages: [{ stageId: 'a', rank: 0, bit: 3 }] }, 'query.stages.0.bit'],
      [{ pipelineId: 'P', stages: [{ stageId: 'w1', rank: 1, bit: 1 }, { stageId: 'l1', rank: null, bit: 1 }] }, 'query.stages.1.bit'],
      [{ pipelineId: 'P', stages: [{ stageId: 'a', rank: 0, bit: 0 }, { stageId: 'a', rank: 1, bit: 0 }] }, 'query.stages.1.stageId'],
      [{ pipelineId: 'P', stages, from: 10, to: 5 }, 'query.to'],
      [{ pipelineId: 'P', stages, from: '2026-01-01' }, 'query.from'],
    ];
    for (const [name, seed] of STORES) {
      const repos = await seed(ws, []);
      for (const [q, path] of bad) {
        const e = await repos.visits!.funnel!(q as never).then(() => null, (x: unknown) => x);
        expect(isPipelineError(e, 'invalid_input') && e.details, `${name}: ${JSON.stringify(q)}`).toMatchObject({ path });
      }
      expect(await repos.visits!.funnel!({ pipelineId: 'P', stages })).toEqual([]);
    }
  });
});
