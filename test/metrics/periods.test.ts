import { beforeAll, describe, expect, it } from 'vitest';
import {
  conversionFunnel,
  createMemoryRepositories,
  createPipelineService,
  dwellStats,
  dwellStatsOfVisits,
  isPipelineError,
  movementStats,
  pipelineCoverage,
  pipelineWaterfall,
  salesCycle,
  salesVelocity,
  slippage,
  stageConversion,
  type Deal,
  type Workspace,
} from '../../src/index.js';
import { dealerCommands } from '../../examples/dealership.js';

const DAY = 86_400_000;
const at = (date: string) => Date.parse(`${date}T00:00:00Z`);
let ws: Workspace;
let deals: Deal[];

// A on 1 March, moved on 10 March and on 1 April (its closing date pushed then); B created on
// 1 April; C created on 1 March and won on 20 March.
beforeAll(async () => {
  let now = at('2026-02-01');
  const service = createPipelineService({ ...createMemoryRepositories(), clock: () => now });
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
  const deal = { layoutId: 'sales', amount: 10_000, currency: 'EUR', closingDate: '2026-03-31' };
  now = at('2026-03-01');
  await service.createDeal({ id: 'A', name: 'A', ...deal });
  await service.createDeal({ id: 'C', name: 'C', ...deal });
  now = at('2026-03-10');
  await service.dispatch('A', { type: 'moveToStage', stageId: 'test-drive' });
  now = at('2026-03-20');
  for (const stageId of ['test-drive', 'quote', 'negotiation', 'won']) await service.dispatch('C', { type: 'moveToStage', stageId });
  now = at('2026-04-01');
  await service.dispatch('A', { type: 'moveToStage', stageId: 'quote', patch: { closingDate: '2026-04-30' } });
  await service.createDeal({ id: 'B', name: 'B', ...deal });
  ws = await service.getWorkspace();
  deals = (await service.listDeals({ limit: 10, include: ['history', 'changes'] })).deals;
});

const march = { from: '2026-03-01', to: '2026-04-01' };
const april1 = { from: '2026-04-01', to: '2026-04-02' };

describe('periods: [from, to), a calendar date being midnight UTC', () => {
  it('conversionFunnel: the cohort entered the pipeline in the period; visits from `to` on do not count', () => {
    const inMarch = conversionFunnel(ws, deals, { pipelineId: 'new-cars', ...march });
    expect(inMarch.deals).toBe(2); // A and C at `from`; B at `to` is out
    expect(inMarch.stages.find((s) => s.stageId === 'quote')!.entered).toBe(1); // C; A reached quote at `to`
    expect(conversionFunnel(ws, deals, { pipelineId: 'new-cars', ...april1 }).deals).toBe(1); // B
    expect(conversionFunnel(ws, deals, { pipelineId: 'new-cars', from: '2026-03-01' }).stages.find((s) => s.stageId === 'quote')!.entered).toBe(2);
  });

  it('stageConversion: entered the first stage in the period, reached the second before `to`', () => {
    const pair = (to: string) => stageConversion(ws, deals, { pipelineId: 'new-cars', from: '2026-03-01', to }).stageConversions.find((c) => c.fromStageId === 'requirements' && c.toStageId === 'quote')!;
    expect(pair('2026-04-01')).toMatchObject({ entered: 2, converted: 1 });
    expect(pair('2026-04-02')).toMatchObject({ entered: 3, converted: 2 }); // B entered requirements on 1 April
  });

  it('movementStats: deals created and moves made inside the period', () => {
    const m = movementStats(ws, deals, march);
    expect(m).toMatchObject({ newDeals: 2, won: 1, leftOpen: 1 });
    expect(m.betweenStages.find((x) => x.from === 'test-drive' && x.to === 'quote')!.count).toBe(1); // C's; A's at `to` is out
    expect(movementStats(ws, deals, april1)).toMatchObject({ newDeals: 1, won: 0 });
  });

  it('salesCycle and salesVelocity: deals closed inside the period', () => {
    expect(salesCycle(deals, { from: '2026-03-20', to: '2026-03-21' })).toMatchObject({ won: 1, meanCycleMs: 19 * DAY });
    expect(salesCycle(deals, { from: '2026-03-01', to: '2026-03-20' })).toMatchObject({ won: 0, winRate: null });
    expect(salesVelocity(deals, { from: '2026-03-20', to: '2026-03-21' }).EUR).toMatchObject({ won: 1, openDeals: 1 });
    expect(salesVelocity(deals, { from: '2026-03-01', to: '2026-03-20' }).EUR).toMatchObject({ won: 0, openDeals: 2 });
  });

  it('slippage: pushes made inside the period', () => {
    expect(slippage(deals, march).totals.pushes).toBe(0);
    expect(slippage(deals, april1).deals).toEqual([expect.objectContaining({ dealId: 'A', pushes: 1, daysPushed: 30, closingDateBefore: '2026-03-31' })]);
  });

  it('pipelineWaterfall: start just before `from`, steps inside, end just before `to`', () => {
    const eur = pipelineWaterfall(ws, deals, march).EUR!;
    expect(eur.start.count).toBe(0);
    expect(eur.created.dealIds).toEqual(['A', 'C']);
    expect(eur.won.dealIds).toEqual(['C']);
    expect(eur.end.dealIds).toEqual(['A']);
    expect(pipelineWaterfall(ws, deals, april1).EUR!.created.dealIds).toEqual(['B']);
  });

  it('pipelineCoverage: closing dates from `from` to the day before `to`', () => {
    const asOf = '2026-03-15';
    expect(pipelineCoverage(ws, deals, { ...march, target: 10_000, asOf }).EUR).toMatchObject({ count: 2, total: 20_000 });
    expect(pipelineCoverage(ws, deals, { from: '2026-03-01', to: '2026-03-31', target: 10_000, asOf }).EUR).toBeUndefined(); // 31 March is out
  });

  it('dwellStats: completed visits that exited inside the period, open ones measured to min(now, to)', () => {
    const now = at('2026-05-01');
    const requirements = (o: object) => dwellStats(deals, { now, pipelineId: 'new-cars', ...o }).find((r) => r.stageId === 'requirements');
    expect(requirements({ from: '2026-03-10', to: '2026-03-11' })).toMatchObject({ visits: 1, maxMs: 9 * DAY }); // A's whole visit
    expect(requirements({ from: '2026-03-11' })).toMatchObject({ visits: 1, maxMs: 19 * DAY }); // C's
    expect(requirements({ to: '2026-03-10' })).toBeUndefined();
    const testDrive = (o: object) => dwellStats(deals, { now, pipelineId: 'new-cars', includeOpen: true, ...o }).find((r) => r.stageId === 'test-drive');
    expect(testDrive({ from: '2026-03-15', to: '2026-03-19' })).toMatchObject({ visits: 1, maxMs: 9 * DAY }); // A, open on 19 March
    expect(testDrive({ from: '2026-03-15', to: '2026-04-15' })).toMatchObject({ visits: 2, maxMs: 22 * DAY }); // C's, completed; A's, exited 1 April, completed
    expect(testDrive({ from: '2026-04-15' })).toBeUndefined(); // no test drive open on 1 May, none ended after 15 April
    const visits = deals.flatMap((d) => d.history.map((v) => ({ dealId: d.id, layoutId: d.layoutId, ...v })));
    expect(dwellStatsOfVisits(visits, { now, from: '2026-03-10', to: '2026-04-01' })).toEqual(dwellStats(deals, { now, from: '2026-03-10', to: '2026-04-01' }));
  });

  it('every function refuses a malformed bound naming it, and `from` after `to`', () => {
    const calls: [string, (o: { from: unknown; to: unknown }) => unknown][] = [
      ['conversionFunnel', (o) => conversionFunnel(ws, deals, { pipelineId: 'new-cars', ...o } as never)],
      ['stageConversion', (o) => stageConversion(ws, deals, { pipelineId: 'new-cars', ...o } as never)],
      ['movementStats', (o) => movementStats(ws, deals, o as never)],
      ['salesCycle', (o) => salesCycle(deals, o as never)],
      ['salesVelocity', (o) => salesVelocity(deals, o as never)],
      ['slippage', (o) => slippage(deals, o as never)],
      ['pipelineWaterfall', (o) => pipelineWaterfall(ws, deals, o as never)],
      ['pipelineCoverage', (o) => pipelineCoverage(ws, deals, { target: 1, ...o } as never)],
      ['dwellStats', (o) => dwellStats(deals, { now: 0, ...o } as never)],
    ];
    const error = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return null;
    };
    for (const [name, call] of calls) {
      const bad = error(() => call({ from: '2026-02-30', to: '2026-04-01' }));
      expect(isPipelineError(bad, 'invalid_input') && bad.details.path, name).toBe('opts.from');
      const backwards = error(() => call({ from: '2026-04-01', to: '2026-03-01' }));
      expect(isPipelineError(backwards, 'invalid_input') && backwards.details.path, name).toBe('opts.to');
      expect(error(() => call({ from: '2026-04-01', to: '2026-04-01' })), name).toBeNull(); // an empty period
    }
  });
});
