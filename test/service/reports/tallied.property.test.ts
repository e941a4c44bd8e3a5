import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  conversionFunnel,
  createPipelineService,
  movementStats,
  pipelineCoverage,
  pipelineWaterfall,
  salesCycle,
  salesVelocity,
  slippage,
  stageConversion,
  type Deal,
  type PipelineService,
  type Workspace,
} from '../../../src/index.js';
import { arbScenario } from '../../../src/testing.js';
import { stores, wholeDeals } from './storedReports.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
const STORES = stores();
const RUNS = STORES.length > 2 ? 40 : 80;

/** A period and a choice of pipeline, drawn independently of the scenario. */
const arbPeriod = fc.record({
  fromDay: fc.integer({ min: -2, max: 20 }),
  days: fc.integer({ min: 0, max: 30 }),
  open: fc.boolean(),
  pipeline: fc.nat(),
  closingFrom: fc.option(fc.constantFrom('2026-01-01', '2026-03-31'), { nil: undefined }),
  closingTo: fc.option(fc.constantFrom('2026-03-31', '2026-12-31'), { nil: undefined }),
});
type Period = { from: number; to: number; open: boolean; pipelineId: string | undefined; closingFrom: string | undefined; closingTo: string | undefined };

function periodOf(ws: Workspace, p: { fromDay: number; days: number; open: boolean; pipeline: number; closingFrom: string | undefined; closingTo: string | undefined }): Period {
  const pipelines = ws.layouts.flatMap((l) => l.pipelines.map((x) => x.id));
  const from = START + p.fromDay * DAY;
  return { from, to: from + p.days * DAY, open: p.open, pipelineId: pipelines.length === 0 ? undefined : pipelines[p.pipeline % pipelines.length], closingFrom: p.closingFrom, closingTo: p.closingTo };
}

type Report = [name: string, array: (ws: Workspace, deals: readonly Deal[], p: Period) => unknown, stored: (s: PipelineService, p: Period) => Promise<unknown>, needsPipeline: boolean];

const onlyPipeline = (p: Period) => (p.pipelineId === undefined || p.open ? {} : { pipelineId: p.pipelineId });
const funnelWindow = (p: Period) => (p.open ? {} : { from: p.from, to: p.to });
const closing = (p: Period) => ({ ...(p.closingFrom ? { closingFrom: p.closingFrom } : {}), ...(p.closingTo ? { closingTo: p.closingTo } : {}) });
const target = { EUR: 50_000, USD: 0 };

const REPORTS: Report[] = [
  ['conversionFunnel', (ws, d, p) => conversionFunnel(ws, d, { pipelineId: p.pipelineId!, ...funnelWindow(p) }), (s, p) => s.conversionFunnel({ pipelineId: p.pipelineId!, ...funnelWindow(p) }), true],
  ['stageConversion', (ws, d, p) => stageConversion(ws, d, { pipelineId: p.pipelineId!, from: p.from, to: p.to }), (s, p) => s.stageConversion({ pipelineId: p.pipelineId!, from: p.from, to: p.to }), true],
  ['movementStats', (ws, d, p) => movementStats(ws, d, { from: p.from, to: p.to, ...onlyPipeline(p) }), (s, p) => s.movementStats({ from: p.from, to: p.to, ...onlyPipeline(p) }), false],
  ['salesCycle', (_, d, p) => salesCycle(d, { from: p.from, to: p.to }), (s, p) => s.salesCycle({ from: p.from, to: p.to }), false],
  ['salesVelocity', (_, d, p) => salesVelocity(d, { from: p.from, to: p.to }), (s, p) => s.salesVelocity({ from: p.from, to: p.to }), false],
  ['slippage', (_, d, p) => slippage(d, { from: p.from, to: p.to }), (s, p) => s.slippage({ from: p.from, to: p.to }), false],
  ['pipelineWaterfall', (ws, d, p) => pipelineWaterfall(ws, d, { from: p.from, to: p.to, ...onlyPipeline(p), ...closing(p) }), (s, p) => s.pipelineWaterfall({ from: p.from, to: p.to, ...onlyPipeline(p), ...closing(p) }), false],
  ['pipelineCoverage', (ws, d, p) => pipelineCoverage(ws, d, { from: p.from, to: p.to, target, ...onlyPipeline(p) }), (s, p) => s.pipelineCoverage({ from: p.from, to: p.to, target, ...onlyPipeline(p) }), false],
];

describe('period reports over the store equal the array functions over every stored deal (pages of 2 deals)', () => {
  for (const [name, array, stored, needsPipeline] of REPORTS) {
    it(`${name}, on ${STORES.map(([s]) => s).join(', ')}`, async () => {
      await fc.assert(
        fc.asyncProperty(arbScenario({ maxDeals: 10, maxSteps: 40 }), arbPeriod, async (s, raw) => {
          const p = periodOf(s.workspace, raw);
          if (needsPipeline && p.pipelineId === undefined) return;
          const byId = [...s.deals].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
          const expected = array(s.workspace, byId, p);
          for (const [, seed] of STORES) {
            const repos = await seed(s.workspace, s.deals);
            const service = createPipelineService({ ...repos, chunkSize: 2, clock: () => s.now });
            expect(await stored(service, p)).toEqual(array(s.workspace, await wholeDeals(repos), p));
            expect(await stored(service, p)).toEqual(expected);
          }
        }),
        { numRuns: RUNS },
      );
    }, 120_000);
  }
});
