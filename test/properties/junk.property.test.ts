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
  }, 60_000);

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

// Values that are not plain JSON, planted at every path of every argument of every function.
type Plant = (parent: Record<string, unknown>, key: string) => void;
const HOSTILE: Record<string, Plant> = {
  'a getter that throws': (parent, key) => {
    Object.defineProperty(parent, key, { get: () => { throw new Error('boom'); }, enumerable: true, configurable: true });
  },
  'a revoked Proxy': (parent, key) => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    parent[key] = proxy;
  },
  'a BigInt': (parent, key) => {
    parent[key] = 1000n;
  },
  'an object posing as a Date': (parent, key) => {
    parent[key] = Object.create(Date.prototype);
  },
  'a cycle': (parent, key) => {
    parent[key] = parent;
  },
};

/** Every path to a value inside `value` (not the root), as key lists. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value).flatMap((k) => [[...prefix, k], ...pathsOf((value as Record<string, unknown>)[k], [...prefix, k])]);
}

const T = Date.UTC(2026, 2, 2);
const stage = (id: string, outcome: 'open' | 'won' | 'lost', probability: number) => ({ id, name: id, probability, outcome, forecastCategory: 'pipeline' as const });
const small = [
  { type: 'addLayout', layoutId: 'L', name: 'L', stages: [stage('a', 'open', 10), stage('b', 'open', 50), stage('w', 'won', 100), stage('x', 'lost', 0)] },
  { type: 'createPipeline', layoutId: 'L', pipelineId: 'p', name: 'P', stages: ['a', { stageId: 'b', requiredFields: ['amount'] }, 'w', 'x'], rules: { allowed: { a: ['b', 'x'], b: ['w', 'x'] }, requireLostReason: true } },
].reduce((w, c) => api.applyWorkspace(w, c as never, { at: T }).workspace, api.emptyWorkspace());
const created = api.applyDeal(small, null, { type: 'createDeal', deal: { id: 'd', layoutId: 'L', name: 'D', amount: 10, currency: 'EUR', fields: { tags: ['x'] } } }, { at: T });
const moved = api.applyDeal(small, created.deal, { type: 'moveToStage', stageId: 'b' }, { at: T + 1 });
const dealEvents = [...created.events, ...moved.events];
const wsEvents = [
  { type: 'addLayout', layoutId: 'L', name: 'L', stages: [stage('a', 'open', 10)] },
].flatMap((c) => api.applyWorkspace(api.emptyWorkspace(), c as never, { at: T }).events);

type Call = [name: string, fn: (...args: never[]) => unknown, args: unknown[]];
const d = moved.deal;
const calls: Call[] = [
  ['decideWorkspace', api.decideWorkspace, [small, { type: 'renameLayout', layoutId: 'L', name: 'M' }, { at: T }]],
  ['applyWorkspace', api.applyWorkspace, [small, { type: 'setTransitionRules', pipelineId: 'p', rules: { allowed: { a: ['b'] }, creationStageIds: ['a'] } }, { at: T, by: 'u' }]],
  ['evolveWorkspace', api.evolveWorkspace, [api.emptyWorkspace(), wsEvents[0]]],
  ['replayWorkspace', api.replayWorkspace, [wsEvents]],
  ['decideDeal', api.decideDeal, [small, d, { type: 'closeDeal', outcome: 'lost', lostReason: 'Price' }, { at: T + 2 }]],
  ['applyDeal', api.applyDeal, [small, d, { type: 'updateDeal', patch: { amount: 5, fields: { n: { deep: [1] } } } }, { at: new Date(T + 2), by: 'u' }]],
  ['applyDeal', api.applyDeal, [small, null, { type: 'createDeal', deal: { id: 'e', layoutId: 'L', name: 'E', fields: { k: 'v' } } }, { at: T }]],
  ['evolveDeal', api.evolveDeal, [created.deal, moved.events[0]]],
  ['replayDeal', api.replayDeal, [dealEvents]],
  ['checkTransition', api.checkTransition, [small, d, { stageId: 'x', lostReason: 'Price' }]],
  ['allowedStages', api.allowedStages, [small, d]],
  ['suggestStageMap', api.suggestStageMap, [small, 'p', 'L:standard']],
  ['planBulkUpdate', api.planBulkUpdate, [small, [d], { type: 'moveToPipeline', pipelineId: 'L:standard', stageMap: { b: 'a' } }, { at: T + 2, mode: 'atomic' }]],
  ['timeInStages', api.timeInStages, [d, { now: T + 5 }]],
  ['stageAt', api.stageAt, [d, '2026-03-02T00:00:00Z']],
  ['dwellStats', api.dwellStats, [[d], { now: T + 5, includeOpen: true }]],
  ['stalledDeals', api.stalledDeals, [small, [d], { now: T + 5 }]],
  ['conversionFunnel', api.conversionFunnel, [small, [d], { pipelineId: 'p', from: 0, to: T + 5 }]],
  ['weightedPipeline', api.weightedPipeline, [small, [d]]],
  ['movementStats', api.movementStats, [small, [d], { from: 0, to: T + 5 }]],
  ['salesCycle', api.salesCycle, [[d], { from: 0, to: T + 5 }]],
  ['checkInvariants', checkInvariants, [small, [d], { now: T + 5 }]],
];

describe('the public API refuses values that are not plain data', () => {
  it('every call is valid before anything is planted', () => {
    for (const [name, fn, args] of calls) expect(() => fn(...(args as never[])), name).not.toThrow();
  });

  for (const [kind, plant] of Object.entries(HOSTILE)) {
    it(`with ${kind} at every argument path of every function, only PipelineErrors escape, naming the path`, () => {
      let planted = 0;
      for (const [name, fn, args] of calls) {
        args.forEach((arg, i) => {
          // The whole argument, then every path inside it.
          const targets: string[][] = [...(kind === 'a getter that throws' ? [] : [[]]), ...pathsOf(arg)];
          for (const path of targets) {
            const holder = { root: structuredClone(arg) } as Record<string, unknown>;
            let parent = holder;
            for (const key of ['root', ...path].slice(0, -1)) parent = parent[key] as Record<string, unknown>;
            const callArgs = [...args];
            if (path.length === 0) {
              plant(holder, 'root');
              callArgs[i] = holder.root;
            } else {
              callArgs[i] = holder.root;
              plant(parent, path.at(-1)!);
            }
            planted++;
            try {
              fn(...(callArgs as never[]));
            } catch (e) {
              expect(api.isPipelineError(e), `${name} with ${kind} at argument ${i} ${path.join('.')}: ${String(e)}`).toBe(true);
              const p = (e as api.PipelineError).details.path;
              if ((e as api.PipelineError).code === 'invalid_input' && typeof p === 'string') {
                // The path named is the planted one, one of its ancestors or inside it.
                const planted = path.map((k) => (/^\d+$/.test(k) ? `[${k}]` : `.${k}`)).join('');
                const named = p.replace(/^[^.[]+/, '');
                expect(planted.startsWith(named) || named.startsWith(planted) || kind === 'a cycle', `${name} with ${kind} at argument ${i} ${planted}: ${p}`).toBe(true);
              }
            }
          }
        });
      }
      expect(planted).toBeGreaterThan(500);
    }, 120_000);
  }

  it('names the path of a throwing getter, a revoked Proxy and a BigInt amount', () => {
    const getter = { ...d };
    Object.defineProperty(getter, 'history', { get: () => { throw new TypeError('nope'); }, enumerable: true });
    expect(() => api.allowedStages(small, getter)).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: 'deal.history' } }));
    const { proxy, revoke } = Proxy.revocable({ ...d }, {});
    revoke();
    expect(() => api.timeInStages(proxy, { now: T })).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: 'deal' } }));
    expect(() => api.weightedPipeline(small, [{ ...d, amount: 10n as never }])).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: 'deals[0].amount' } }));
    expect(() => checkInvariants(small, [proxy], { now: T })).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: 'deals[0]' } }));
    expect(api.isPipelineError(proxy)).toBe(false);
  });
});
