import { describe, expect, it, vi } from 'vitest';
import { createPipelineService, isPipelineError, type AuthorizationRequest, type Deal, type Repositories } from '../../src/index.js';
import { checkInvariants } from '../../src/testing.js';
import { salesStages } from '../../examples/dealership.js';
import { allDeals, dealerService as dealerServiceOn, steppingClock } from './helpers.js';
import { configurationSuite, reliabilitySuite } from './reliabilitySuite.js';

async function rejects(promise: Promise<unknown>, code: string) {
  const e = await promise.then(() => undefined, (err: unknown) => err);
  expect(isPipelineError(e), String(e)).toBe(true);
  expect((e as { code: string }).code, (e as Error).message).toBe(code);
  return e as { details: Record<string, unknown>; message: string };
}

/**
 * The service's behaviour on any storage: run against memory, SQLite and Postgres (PGlite).
 */
export function serviceSuite(name: string, make: () => Repositories | Promise<Repositories>): void {
  const dealerService: typeof dealerServiceOn = async (options = {}) => dealerServiceOn(options, await make());
  describe(`service on ${name}`, () => {

  describe('createPipelineService: configure, createDeal, dispatch', () => {
    it('runs commands against the repositories and returns the new state', async () => {
      const { service } = await dealerService();
      const ws = await service.getWorkspace();
      expect(ws.version).toBe(5);
      const deal = await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV', amount: 30000, currency: 'EUR' }, { by: 'ann' });
      expect(deal).toMatchObject({ pipelineId: 'new-cars', stageId: 'requirements', version: 1 });
      const moved = await service.dispatch('d1', { type: 'moveToStage', stageId: 'test-drive' }, { by: 'ann' });
      expect(moved.version).toBe(2);
      expect(await service.getDeal('d1')).toEqual(moved);
    });

    it('changing a returned deal changes nothing stored (the store copies or freezes what it hands out)', async () => {
      const { service } = await dealerService();
      const deal = await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
      const attempt = (write: () => void) => {
        try {
          write();
        } catch {
          // a frozen object refuses the write: also fine
        }
      };
      attempt(() => (deal.name = 'changed'));
      const got = (await service.getDeal('d1'))!;
      attempt(() => got.history.push(deal.history[0]!));
      expect((await service.getDeal('d1'))!).toMatchObject({ name: 'SUV', history: [expect.anything()] });
    });

    it('refuses an unknown deal, a duplicate, and createDeal through dispatch', async () => {
      const { service } = await dealerService();
      await rejects(service.dispatch('nope', { type: 'moveToStage', stageId: 'quote' }), 'not_found');
      await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
      await rejects(service.createDeal({ id: 'd1', layoutId: 'sales', name: 'Again' }), 'duplicate_id');
      await rejects(service.dispatch('d1', { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', name: 'x' } }), 'invalid_input');
      await rejects(service.dispatch(42 as never, { type: 'moveToStage', stageId: 'quote' }), 'invalid_input');
    });

    it('refuses a malformed deal id or malformed options naming the field, and changes nothing', async () => {
      const { service } = await dealerService();
      const deal = await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
      const move = { type: 'moveToStage', stageId: 'test-drive' } as const;
      const cases: [unknown, unknown, string][] = [
        ['', undefined, 'dealId'],
        ['__proto__', undefined, 'dealId'],
        ['d1', { by: '' }, 'opts.by'],
        ['d1', { by: 'constructor' }, 'opts.by'],
        ['d1', { bypassRules: 'yes' }, 'opts.bypassRules'],
        ['d1', { expectedVersion: 1.5 }, 'opts.expectedVersion'],
        ['d1', { expectedVersion: 0 }, 'opts.expectedVersion'],
        ['d1', { expectedVersion: 2 ** 60 }, 'opts.expectedVersion'],
        ['d1', { color: 'red' }, 'opts'],
        ['d1', JSON.parse('{"__proto__": {"polluted": true}}'), 'opts'],
        ['d1', 'ann', 'opts'],
      ];
      for (const [id, opts, path] of cases) {
        const e = await rejects(service.dispatch(id as string, move, opts as never), 'invalid_input');
        expect(e.message, JSON.stringify(opts)).toContain(path);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(await service.getDeal('d1')).toEqual(deal);
      // Plain, valid options take effect.
      expect((await service.dispatch('d1', move, { by: 'ann', expectedVersion: 1 })).history[1]!.by).toBe('ann');
    });

    it('reads each option once: a getter cannot slip a value past the checks', async () => {
      const { service } = await dealerService();
      await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
      let reads = 0;
      const opts = {
        get by() {
          reads++;
          return reads === 1 ? 'ann' : '';
        },
      };
      const moved = await service.dispatch('d1', { type: 'moveToStage', stageId: 'test-drive' }, opts);
      expect(moved.history[1]!.by).toBe('ann');
      expect(reads).toBe(1);
    });

    it('returns the stored deal when a command changes nothing', async () => {
      const { service } = await dealerService();
      const deal = await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
      expect(await service.dispatch('d1', { type: 'moveToStage', stageId: 'requirements' })).toEqual(deal);
    });
  });

  describe('authorize', () => {
    it('is asked before every command with by, action, dealId, bypassRules and the stored deal', async () => {
      const authorize = vi.fn((_request: AuthorizationRequest) => true);
      const { service } = await dealerService({ authorize });
      await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' }, { by: 'ann' });
      await service.dispatch('d1', { type: 'moveToStage', stageId: 'quote' }, { by: 'boss', bypassRules: true });
      expect(authorize.mock.calls.map((c) => c[0])).toEqual([
        ...Array.from({ length: 5 }, () => expect.objectContaining({ by: 'admin', bypassRules: false })),
        { by: 'ann', action: 'createDeal', dealId: 'd1', bypassRules: false },
        { by: 'boss', action: 'moveToStage', dealId: 'd1', bypassRules: true, deal: expect.objectContaining({ id: 'd1', version: 1, stageId: 'requirements' }) },
      ]);
      expect((await service.getDeal('d1'))!.history.at(-1)).toMatchObject({ by: 'boss', bypassedRules: true });
    });

    it('gives forbidden when it says no, and may answer with a promise', async () => {
      const { service } = await dealerService({ authorize: async (r) => r.by === 'boss' || !r.bypassRules });
      await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' }, { by: 'ann' });
      await rejects(service.dispatch('d1', { type: 'moveToStage', stageId: 'quote', bypassRules: true }, { by: 'ann' }), 'forbidden');
      expect((await service.getDeal('d1'))!.version).toBe(1);
    });

    it('lets a seller move only their own deals, deciding on the deal it read', async () => {
      const authorize = (r: AuthorizationRequest) => r.deal === undefined || r.by === 'boss' || r.deal.ownerId === r.by;
      const { service } = await dealerService({ authorize });
      await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV', ownerId: 'ann' }, { by: 'ann' });
      await service.createDeal({ id: 'd2', layoutId: 'sales', name: 'Van', ownerId: 'bob' }, { by: 'bob' });
      expect((await service.dispatch('d1', { type: 'moveToStage', stageId: 'test-drive' }, { by: 'ann' })).stageId).toBe('test-drive');
      await rejects(service.dispatch('d2', { type: 'moveToStage', stageId: 'test-drive' }, { by: 'ann' }), 'forbidden');
      expect((await service.getDeal('d2'))!.version).toBe(1);
    });

    it('asks again about the deal as it is when it changed while authorize was answering, so the rule cannot race', async () => {
      let arrive = () => {};
      let release = () => {};
      const reached = new Promise<void>((resolve) => (arrive = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      const asked: (string | null | undefined)[] = [];
      let held = false;
      const authorize = async (r: AuthorizationRequest) => {
        const ann = r.by === 'ann' && r.action === 'moveToStage';
        if (ann) asked.push(r.deal?.ownerId);
        if (ann && !held) {
          // The first answer for ann waits while the boss hands the deal to bob.
          held = true;
          arrive();
          await gate;
        }
        return r.deal === undefined || r.by === 'boss' || r.deal.ownerId === r.by;
      };
      const { service } = await dealerService({ authorize });
      await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV', ownerId: 'ann' }, { by: 'ann' });
      const move = service.dispatch('d1', { type: 'moveToStage', stageId: 'test-drive' }, { by: 'ann' });
      await reached;
      await service.dispatch('d1', { type: 'updateDeal', patch: { ownerId: 'bob' } }, { by: 'boss' });
      release();
      await rejects(move, 'forbidden');
      // Asked about ann's deal (allowed, but it changed before the save), then about bob's.
      expect(asked).toEqual(['ann', 'bob']);
      expect(await service.getDeal('d1')).toMatchObject({ stageId: 'requirements', ownerId: 'bob', version: 2 });
    });

    it('refuses bypassRules when the host gave no authorize function', async () => {
      const { service } = await dealerService();
      await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
      await rejects(service.dispatch('d1', { type: 'moveToStage', stageId: 'quote' }, { bypassRules: true }), 'forbidden');
    });
  });

  describe('onEvents', () => {
    it('receives the events after each save, in order', async () => {
      const seen: string[] = [];
      const { service } = await dealerService({ onEvents: (events) => void seen.push(...events.map((e) => e.type)) });
      await service.idle(); // deliveries run in the background, after the writes return
      seen.length = 0;
      await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
      await service.dispatch('d1', { type: 'moveToStage', stageId: 'test-drive' });
      await service.dispatch('d1', { type: 'updateDeal', patch: { amount: 5 } });
      await service.idle();
      expect(seen).toEqual(['dealCreated', 'dealStageChanged', 'dealUpdated']);
    });

    it('is not called when the save fails or the command is refused', async () => {
      const onEvents = vi.fn();
      const { service } = await dealerService({ onEvents });
      await service.idle();
      onEvents.mockClear();
      await rejects(service.createDeal({ id: 'd1', layoutId: 'nope', name: 'SUV' }), 'not_found');
      await service.idle();
      expect(onEvents).not.toHaveBeenCalled();
    });
  });

  describe('multi-step configuration', () => {
    it("the first pipeline of a layout associates the layout's deals with the standard pipeline", async () => {
      const repos = await make();
      const service = createPipelineService({ ...repos, clock: steppingClock(), chunkSize: 2 });
      await service.configure({ type: 'addLayout', layoutId: 'sales', name: 'Sales', stages: salesStages });
      for (let i = 0; i < 5; i++) await service.createDeal({ id: `d${i}`, layoutId: 'sales', name: `D${i}`, stageId: 'quote' });
      expect((await service.getDeal('d0'))!.pipelineId).toBeNull();
      await service.configure({ type: 'createPipeline', layoutId: 'sales', pipelineId: 'p', name: 'P', stages: ['quote', 'won'] });
      const deals = await allDeals(repos);
      expect(deals.map((d) => [d.pipelineId, d.stageId])).toEqual(Array.from({ length: 5 }, () => ['sales:standard', 'quote']));
      expect(deals[0]!.history.map((v) => v.pipelineId)).toEqual([null, 'sales:standard']);
      expect(checkInvariants(await service.getWorkspace(), deals, { now: deals[0]!.updatedAt })).toEqual([]);
    });

    it('deletePipeline without a transfer is refused while deals use it, naming a sample and the count', async () => {
      const { service } = await dealerService();
      for (let i = 0; i < 12; i++) await service.createDeal({ id: `d${String(i).padStart(2, '0')}`, layoutId: 'sales', pipelineId: 'used-cars', name: 'x' });
      const e = await rejects(service.configure({ type: 'deletePipeline', pipelineId: 'used-cars' }), 'pipeline_in_use');
      expect(e.details).toMatchObject({ count: 12, dealIds: Array.from({ length: 10 }, (_, i) => `d${String(i).padStart(2, '0')}`) });
    });

    it('deletePipeline with a transfer moves every deal with the stage map, then deletes', async () => {
      const { service, repos } = await dealerService({ chunkSize: 3 });
      for (let i = 0; i < 7; i++) await service.createDeal({ id: `d${i}`, layoutId: 'sales', pipelineId: 'used-cars', name: 'x', stageId: i % 2 ? 'show-models' : 'test-drive' });
      const ws = await service.configure({ type: 'deletePipeline', pipelineId: 'used-cars', transferTo: { pipelineId: 'new-cars', stageMap: { 'show-models': 'requirements' } } });
      expect(ws.layouts[0]!.pipelines.map((p) => p.id)).toEqual(['sales:standard', 'new-cars']);
      const deals = await allDeals(repos);
      expect(deals.map((d) => `${d.pipelineId}/${d.stageId}`)).toEqual(['new-cars/test-drive', 'new-cars/requirements', 'new-cars/test-drive', 'new-cars/requirements', 'new-cars/test-drive', 'new-cars/requirements', 'new-cars/test-drive']);
      expect(checkInvariants(ws, deals, { now: deals[0]!.updatedAt })).toEqual([]);
    });

    it('removeStage remaps deals to the replacement first, adding it to pipelines that lack it', async () => {
      const { service, repos } = await dealerService();
      await service.createDeal({ id: 'u', layoutId: 'sales', pipelineId: 'used-cars', name: 'x' });
      await service.createDeal({ id: 's', layoutId: 'sales', pipelineId: 'sales:standard', name: 'x', stageId: 'show-models' });
      await rejects(service.configure({ type: 'removeStage', layoutId: 'sales', stageId: 'show-models' }), 'stage_in_use');
      const ws = await service.configure({ type: 'removeStage', layoutId: 'sales', stageId: 'show-models', replacementStageId: 'requirements' });
      const used = ws.layouts[0]!.pipelines.find((p) => p.id === 'used-cars')!;
      expect(used.stages.map((s) => s.stageId)).toEqual(['requirements', 'test-drive', 'quote', 'negotiation', 'won', 'lost']);
      const deals = await allDeals(repos);
      expect(deals.map((d) => d.stageId)).toEqual(['requirements', 'requirements']);
      expect(checkInvariants(ws, deals, { now: deals[0]!.updatedAt })).toEqual([]);
    });

    it('setPipelineStages refuses to drop a stage that holds deals', async () => {
      const { service } = await dealerService();
      await service.createDeal({ id: 'u', layoutId: 'sales', pipelineId: 'used-cars', name: 'x' });
      const e = await rejects(service.configure({ type: 'setPipelineStages', pipelineId: 'used-cars', stages: ['test-drive', 'won'] }), 'stage_in_use');
      expect(e.details).toMatchObject({ stageId: 'show-models', dealIds: ['u'], count: 1 });
    });
  });

  describe('bulkUpdate', () => {
    async function withDeals() {
      const ctx = await dealerService({ chunkSize: 2 });
      for (let i = 0; i < 5; i++) await ctx.service.createDeal({ id: `d${i}`, layoutId: 'sales', name: `D${i}` });
      await ctx.service.dispatch('d4', { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'quote' });
      return ctx;
    }

    it('moves deals found by a query, page by page, and reports every deal', async () => {
      const { service } = await withDeals();
      const report = await service.bulkUpdate({ query: { pipelineId: 'new-cars' }, change: { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } }, mode: 'bestEffort', by: 'boss' });
      expect(report).toEqual({ updated: ['d0', 'd1', 'd2', 'd3'], rejected: [], unchanged: [] });
      expect((await service.getDeal('d2'))!).toMatchObject({ pipelineId: 'used-cars', stageId: 'show-models', version: 2 });
    });

    it('reports rejections with code and message, and unknown ids as not_found', async () => {
      const { service } = await withDeals();
      const report = await service.bulkUpdate({ dealIds: ['d0', 'd4', 'zz'], change: { type: 'moveToStage', stageId: 'quote' }, mode: 'bestEffort' });
      expect(report.updated).toEqual([]);
      expect(report.unchanged).toEqual(['d4']);
      expect(report.rejected.map((r) => [r.dealId, r.code])).toEqual([['d0', 'transition_not_allowed'], ['zz', 'not_found']]);
    });

    it('saves nothing in atomic mode when one deal is rejected', async () => {
      const { service } = await withDeals();
      const report = await service.bulkUpdate({ dealIds: ['d0', 'd1', 'd4'], change: { type: 'closeDeal', outcome: 'lost' }, mode: 'atomic' });
      expect(report.rejected.map((r) => r.code)).toEqual(['lost_reason_required', 'lost_reason_required']);
      expect(report.unchanged).toEqual(['d4']);
      expect((await service.getDeal('d4'))!.stageId).toBe('quote');
      const ok = await service.bulkUpdate({ dealIds: ['d0', 'd1', 'd4'], change: { type: 'closeDeal', outcome: 'lost', lostReason: 'Budget' }, mode: 'atomic' });
      expect(ok.updated).toEqual(['d0', 'd1', 'd4']);
    });

    it('asks authorize about every deal and reports the refused ones as forbidden', async () => {
      const requests: AuthorizationRequest[] = [];
      const { service } = await dealerService({ authorize: (r) => (requests.push(r), !(r.bulk && r.dealId === 'd1')) });
      for (let i = 0; i < 3; i++) await service.createDeal({ id: `d${i}`, layoutId: 'sales', name: `D${i}` });
      requests.length = 0;
      const report = await service.bulkUpdate({ dealIds: ['d0', 'd1', 'd2'], change: { type: 'updateDeal', patch: { ownerId: 'eve' } }, mode: 'bestEffort', by: 'boss' });
      expect(report.updated).toEqual(['d0', 'd2']);
      expect(report.rejected.map((r) => [r.dealId, r.code])).toEqual([['d1', 'forbidden']]);
      expect(requests).toEqual(['d0', 'd1', 'd2'].map((dealId) => ({ by: 'boss', action: 'updateDeal', dealId, bypassRules: false, bulk: true, deal: expect.objectContaining({ id: dealId, version: 1 }) })));
      const atomic = await service.bulkUpdate({ dealIds: ['d0', 'd1'], change: { type: 'updateDeal', patch: { ownerId: 'max' } }, mode: 'atomic', by: 'boss' });
      expect(atomic).toEqual({ updated: [], rejected: [expect.objectContaining({ dealId: 'd1', code: 'forbidden' })], unchanged: ['d0'], aborted: true });
    });

    it('refuses a request with both or neither of dealIds and query, or duplicate ids', async () => {
      const { service } = await withDeals();
      const change = { type: 'moveToStage', stageId: 'quote' } as const;
      await rejects(service.bulkUpdate({ change, mode: 'atomic' } as never), 'invalid_input');
      await rejects(service.bulkUpdate({ dealIds: ['d0'], query: {}, change, mode: 'atomic' } as never), 'invalid_input');
      await rejects(service.bulkUpdate({ dealIds: ['d0', 'd0'], change, mode: 'atomic' }), 'invalid_input');
    });
  });

  describe('concurrency', () => {
    it('interleaved dispatches on one deal lose no update', async () => {
      const { service } = await dealerService({ maxRetries: 50 });
      await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
      await Promise.all(Array.from({ length: 20 }, (_, i) => service.dispatch('d1', { type: 'updateDeal', patch: { fields: { [`k${i}`]: i } } })));
      const deal = (await service.getDeal('d1')) as Deal;
      expect(deal.version).toBe(21);
      expect(Object.keys(deal.fields)).toHaveLength(20);
    });

    it('a bulk update interleaved with dispatches loses nothing', async () => {
      const { service, repos } = await dealerService({ maxRetries: 50, chunkSize: 1 });
      for (let i = 0; i < 6; i++) await service.createDeal({ id: `d${i}`, layoutId: 'sales', name: `D${i}` });
      await Promise.all([
        service.bulkUpdate({ query: { layoutId: 'sales' }, change: { type: 'updateDeal', patch: { ownerId: 'boss' } }, mode: 'bestEffort' }),
        ...Array.from({ length: 6 }, (_, i) => service.dispatch(`d${i}`, { type: 'updateDeal', patch: { fields: { touched: true } } })),
      ]);
      const deals = await allDeals(repos);
      expect(deals.every((d) => d.ownerId === 'boss' && d.fields.touched === true && d.version === 3)).toBe(true);
    });

    it('a stale save is a conflict that names the ids', async () => {
      const repos = await make();
      const service = createPipelineService({ ...repos, clock: steppingClock() });
      await service.configure({ type: 'addLayout', layoutId: 'sales', name: 'Sales', stages: salesStages });
      const deal = await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'x' });
      await service.dispatch('d1', { type: 'updateDeal', patch: { amount: 1 } });
      const e = await repos.deals.save([{ deal, expectedVersion: 1 }]).then(() => null, (err: unknown) => err);
      expect(isPipelineError(e, 'conflict')).toBe(true);
      expect((e as { details: { ids: string[] } }).details.ids).toEqual(['d1']);
      const ws = await repos.workspace.load();
      await expect(repos.workspace.save(ws, ws.version - 1)).rejects.toMatchObject({ code: 'conflict' });
    });
  });
  });
  reliabilitySuite(name, make);
  configurationSuite(name, make);
}
