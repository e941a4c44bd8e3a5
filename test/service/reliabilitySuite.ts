import { describe, expect, it } from 'vitest';
import { configurationOf, createPipelineService, dwellStats, isPipelineError, type Deal, type DealErasedEvent, type DealEvent, type Repositories, type WorkspaceEvent } from '../../src/index.js';
import { checkInvariants } from '../../src/testing.js';
import { dealerCommands } from '../../examples/dealership.js';
import { allDeals, steppingClock, T0 } from './helpers.js';
import { holdingDealSaves } from './hold.js';

type Make = () => Repositories | Promise<Repositories>;
type AnyEvent = WorkspaceEvent | DealEvent | DealErasedEvent;

async function outcome(promise: Promise<unknown>): Promise<{ ok: true } | { ok: false; code: string }> {
  return promise.then(() => ({ ok: true as const }), (e: unknown) => {
    if (!isPipelineError(e)) throw e;
    return { ok: false as const, code: e.code };
  });
}

async function configured(make: Make, options: Parameters<typeof createPipelineService>[0] extends infer O ? Partial<O> : never = {}) {
  const held = holdingDealSaves(await make());
  const service = createPipelineService({ ...held.repos, clock: steppingClock(), ...options });
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
  return { service, held, repos: held.repos };
}

async function expectValid(repos: Repositories, now: number): Promise<Deal[]> {
  const ws = await repos.workspace.load();
  const deals = await allDeals(repos);
  expect(checkInvariants(ws, deals, { now })).toEqual([]);
  return deals;
}

/**
 * Races, the outbox, retries, expected versions, boards and listings: the service's guarantees
 * in production, on any storage.
 */
export function reliabilitySuite(name: string, make: Make): void {
  describe(`service guarantees on ${name}`, () => {
    describe('a deal command racing a configuration change', () => {
      const FAR = T0 + 1e9;
      const races: { name: string; setup?: (s: Awaited<ReturnType<typeof configured>>['service']) => Promise<void>; race: (s: Awaited<ReturnType<typeof configured>>['service']) => Promise<unknown>; change: Parameters<Awaited<ReturnType<typeof configured>>['service']['configure']>[0]; allowed: string[] }[] = [
        {
          name: 'moveToPipeline into a pipeline being deleted with a transfer',
          race: (s) => s.dispatch('d1', { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'test-drive' }),
          change: { type: 'deletePipeline', pipelineId: 'used-cars', transferTo: { pipelineId: 'new-cars', stageMap: { 'show-models': 'requirements' } } },
          allowed: ['not_found'],
        },
        {
          name: 'createDeal in a pipeline being deleted',
          race: (s) => s.createDeal({ id: 'd9', layoutId: 'sales', pipelineId: 'used-cars', name: 'Racing' }),
          change: { type: 'deletePipeline', pipelineId: 'used-cars', transferTo: { pipelineId: 'new-cars', stageMap: { 'show-models': 'requirements' } } },
          allowed: ['not_found'],
        },
        {
          name: 'an atomic bulk move into a pipeline being deleted',
          race: async (s) => {
            const report = await s.bulkUpdate({ dealIds: ['d1', 'd2'], change: { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'test-drive' }, mode: 'atomic' });
            expect(report).toMatchObject({ aborted: true, updated: [] });
            expect(report.rejected.map((x) => x.code)).toEqual(['not_found', 'not_found']);
            return report;
          },
          change: { type: 'deletePipeline', pipelineId: 'used-cars', transferTo: { pipelineId: 'new-cars', stageMap: { 'show-models': 'requirements' } } },
          allowed: [],
        },
        {
          name: 'moveToStage into a stage being removed with a replacement',
          race: (s) => s.dispatch('d1', { type: 'moveToStage', stageId: 'test-drive' }),
          change: { type: 'removeStage', layoutId: 'sales', stageId: 'test-drive', replacementStageId: 'quote' },
          allowed: ['stage_not_in_pipeline', 'not_found', 'transition_not_allowed'],
        },
        {
          name: 'moveToStage into a stage its pipeline drops',
          race: (s) => s.dispatch('d1', { type: 'moveToStage', stageId: 'test-drive' }),
          change: { type: 'setPipelineStages', pipelineId: 'new-cars', stages: ['requirements', { stageId: 'quote', requiredFields: ['amount'] }, 'won', 'lost'] },
          allowed: ['stage_not_in_pipeline', 'not_found', 'transition_not_allowed'],
        },
      ];
      for (const r of races) {
        it(`${r.name}: the command is refused with a clear code or applied to the new configuration; nothing is stranded`, async () => {
          const { service, held, repos } = await configured(make);
          await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
          await service.createDeal({ id: 'd2', layoutId: 'sales', name: 'Van' });
          const gate = held.hold();
          const racing = outcome(r.race(service));
          await gate.reached; // the decision is made on the old configuration
          await service.configure(r.change, { by: 'admin' });
          gate.release();
          const result = await racing;
          if (!result.ok) expect(r.allowed).toContain(result.code);
          await expectValid(repos, FAR);
          // Every deal can still be worked on.
          for (const d of await allDeals(repos)) await service.dispatch(d.id, { type: 'updateDeal', patch: { fields: { touched: true } } });
        });
      }
    });

    describe('the outbox', () => {
      it('keeps events when onEvents throws and delivers them, in order, with deliverPending', async () => {
        const repos = await make();
        if (!repos.outbox) return;
        let failing = true;
        const seen: AnyEvent[] = [];
        const errors: unknown[] = [];
        const service = createPipelineService({
          ...repos,
          clock: steppingClock(),
          onEvents: (events) => {
            if (failing) throw new Error('broker down');
            seen.push(...events);
          },
          onDeliveryError: (e) => void errors.push(e),
          delivery: { maxAttempts: 1000 },
        });
        for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
        const deal = await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
        await service.dispatch('d1', { type: 'moveToStage', stageId: 'test-drive' });
        await service.idle(); // the background deliveries after the writes
        expect(deal.version).toBe(1);
        expect(seen).toEqual([]);
        expect(errors.length).toBeGreaterThan(0);
        failing = false;
        const delivered = await service.deliverPending();
        expect(seen.map((e) => e.id)).toEqual([
          ...seen.filter((e) => !('dealId' in e)).map((e) => e.id),
          'deal/1/0/d1',
          'deal/2/0/d1',
        ]);
        expect(delivered).toBe(seen.length);
        expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
        expect(await service.deliverPending()).toBe(0);
      });

      it('a process that died after its save leaves the events for the next one', async () => {
        const repos = await make();
        if (!repos.outbox) return;
        let handedOut!: () => void;
        const inDelivery = new Promise<void>((resolve) => (handedOut = resolve));
        const dying = createPipelineService({
          ...repos,
          clock: steppingClock(),
          onEvents: () => {
            handedOut();
            return new Promise(() => {});
          },
        });
        // The call hangs in delivery, as a process that dies after its save would stop there: its
        // claim on the events is committed by then (until then a second claim skips the locked rows).
        void dying.configure(dealerCommands[0]!, { by: 'admin' });
        await inDelivery;
        expect((await repos.workspace.load()).version).toBe(1);
        const seen: string[] = [];
        // It takes over once the dead process's claim has lapsed.
        const next = createPipelineService({ ...repos, clock: steppingClock(T0 + 86_400_000), onEvents: (events) => void seen.push(...events.map((e) => e.type)) });
        expect(await next.deliverPending()).toBe(1);
        expect(seen).toEqual(['layoutAdded']);
      });
    });

    describe('retries and expected versions', () => {
      it('20 concurrent dispatches on one deal all succeed with the default retries', async () => {
        const { service } = await configured(make);
        await service.createDeal({ id: 'hot', layoutId: 'sales', name: 'Hot deal' });
        const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => service.dispatch('hot', { type: 'updateDeal', patch: { fields: { [`k${i}`]: i } } })));
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
        const hot = (await service.getDeal('hot'))!;
        expect(hot.version).toBe(21);
        expect(Object.keys(hot.fields).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`).sort());
      });

      it('dispatch with a stale expectedVersion is a conflict at once, naming the current version', async () => {
        const { service } = await configured(make);
        await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
        await service.dispatch('d1', { type: 'updateDeal', patch: { amount: 10 } }, { expectedVersion: 1 });
        const error = await service.dispatch('d1', { type: 'updateDeal', patch: { amount: 20 } }, { expectedVersion: 1 }).catch((e: unknown) => e);
        expect(isPipelineError(error, 'conflict')).toBe(true);
        expect((error as { details: unknown }).details).toMatchObject({ dealId: 'd1', currentVersion: 2, expectedVersion: 1 });
        expect((await service.getDeal('d1'))!.amount).toBe(10);
      });

      it('bulkUpdate by ids rejects the deals whose expected version is stale', async () => {
        const { service } = await configured(make);
        await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'A' });
        await service.createDeal({ id: 'd2', layoutId: 'sales', name: 'B' });
        await service.dispatch('d2', { type: 'updateDeal', patch: { amount: 1 } });
        const report = await service.bulkUpdate({ dealIds: ['d1', 'd2'], expectedVersions: { d1: 1, d2: 1 }, change: { type: 'updateDeal', patch: { ownerId: 'eve' } }, mode: 'bestEffort' });
        expect(report.updated).toEqual(['d1']);
        expect(report.rejected).toEqual([expect.objectContaining({ dealId: 'd2', code: 'conflict' })]);
        const atomic = await service.bulkUpdate({ dealIds: ['d1', 'd2'], expectedVersions: { d1: 2, d2: 1 }, change: { type: 'updateDeal', patch: { ownerId: 'max' } }, mode: 'atomic' });
        expect(atomic).toMatchObject({ updated: [], unchanged: ['d1'], aborted: true });
      });
    });

    describe('bulkUpdate by query', () => {
      it('leaves alone a deal that left the query before its chunk was saved', async () => {
        const { service, held } = await configured(make);
        await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'A', pipelineId: 'used-cars', stageId: 'show-models' });
        await service.createDeal({ id: 'd2', layoutId: 'sales', name: 'B', pipelineId: 'used-cars', stageId: 'show-models' });
        const gate = held.hold((changes) => changes.length === 2);
        const bulk = service.bulkUpdate({ query: { pipelineId: 'used-cars', stageId: 'show-models' }, change: { type: 'closeDeal', outcome: 'lost', lostReason: 'Price' }, mode: 'bestEffort' });
        await gate.reached;
        await service.dispatch('d2', { type: 'moveToStage', stageId: 'test-drive' });
        gate.release();
        const report = await bulk;
        expect(report.updated).toEqual(['d1']);
        expect(report.unchanged).toEqual(['d2']);
        expect((await service.getDeal('d2'))!).toMatchObject({ stageId: 'test-drive', lostReason: null });
      });
    });

    describe('clock skew', () => {
      it('a deal last changed by a server whose clock runs ahead does not stop deletePipeline half-way', async () => {
        const repos = await make();
        const ahead = createPipelineService({ ...repos, clock: () => T0 + 10 * 3_600_000 });
        const behind = createPipelineService({ ...repos, clock: steppingClock() });
        for (const command of dealerCommands) await behind.configure(command, { by: 'admin' });
        await behind.createDeal({ id: 'd1', layoutId: 'sales', name: 'A', pipelineId: 'used-cars', stageId: 'show-models' });
        await ahead.createDeal({ id: 'd2', layoutId: 'sales', name: 'B', pipelineId: 'used-cars', stageId: 'show-models' });
        await behind.configure({ type: 'deletePipeline', pipelineId: 'used-cars', transferTo: { pipelineId: 'new-cars', stageMap: { 'show-models': 'requirements' } } });
        const moved = (await behind.getDeal('d2'))!;
        expect(moved.pipelineId).toBe('new-cars');
        expect(moved.updatedAt).toBe(T0 + 10 * 3_600_000);
        await expectValid(repos, T0 + 1e9);
      });
    });

    describe('dwellStats over the store', () => {
      it('gives the same rows as dwellStats over every stored deal, per pipeline too', async () => {
        const { service, repos } = await configured(make);
        for (const id of ['a', 'b', 'c']) await service.createDeal({ id, layoutId: 'sales', name: id });
        await service.dispatch('a', { type: 'moveToStage', stageId: 'test-drive' });
        await service.dispatch('b', { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'show-models' });
        await service.dispatch('b', { type: 'moveToStage', stageId: 'quote' });
        const now = T0 + 1e8;
        const deals = await allDeals(repos);
        expect(await service.dwellStats({ now })).toEqual(dwellStats(deals, { now }));
        expect(await service.dwellStats({ now, pipelineId: 'used-cars', includeOpen: true })).toEqual(dwellStats(deals, { now, pipelineId: 'used-cars', includeOpen: true }));
        expect((await service.dwellStats({ now })).length).toBeGreaterThan(0);
      });
    });

    describe('listDeals and board', () => {
      it('listDeals pages by id with filters and refuses a bad limit', async () => {
        const { service } = await configured(make);
        for (const id of ['c', 'a', 'b']) await service.createDeal({ id, layoutId: 'sales', name: id });
        const first = await service.listDeals({ pipelineId: 'new-cars', limit: 2 });
        expect(first.deals.map((d) => d.id)).toEqual(['a', 'b']);
        expect((await service.listDeals({ pipelineId: 'new-cars', after: first.next, limit: 2 })).deals.map((d) => d.id)).toEqual(['c']);
        await expect(service.listDeals({ limit: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
        await expect(service.listDeals({ limit: 5, stageId: 42 } as never)).rejects.toMatchObject({ code: 'invalid_input' });
      });

      it('board gives the columns in stage order with counts, totals per currency, rotting and the first deals', async () => {
        const { service, repos } = await configured(make);
        await service.createDeal({ id: 'a', layoutId: 'sales', name: 'A', amount: 1000, currency: 'EUR' });
        await service.createDeal({ id: 'b', layoutId: 'sales', name: 'B', amount: 500, currency: 'USD' });
        await service.createDeal({ id: 'c', layoutId: 'sales', name: 'C' });
        await service.dispatch('c', { type: 'moveToStage', stageId: 'test-drive' });
        const board = await service.board('new-cars', { perStage: 1, now: T0 + 30 * 86_400_000 });
        expect(board.pipeline.id).toBe('new-cars');
        expect(board.columns.map((c) => c.stage.id)).toEqual(['requirements', 'test-drive', 'quote', 'negotiation', 'won', 'lost']);
        const [req, drive, quote] = board.columns;
        expect(req).toMatchObject({ count: 2, rotting: 2, next: 'a', stage: { name: 'Collect requirements', probability: 10, requiredFields: [] } });
        expect(req!.deals.map((d) => d.id)).toEqual(['a']);
        expect(req!.totals).toEqual({ EUR: { amount: 1000, weighted: 100 }, USD: { amount: 500, weighted: 50 } });
        expect(drive).toMatchObject({ count: 1, totals: { '': { amount: 0, weighted: 0 } } });
        expect(quote).toMatchObject({ count: 0, deals: [], totals: {}, stage: { requiredFields: ['amount'] } });
        await expect(service.board('nope')).rejects.toMatchObject({ code: 'not_found' });
        // A store without summarize: the service pages through the pipeline and gives the same board.
        const { summarize: _ignored, ...plainDeals } = repos.deals;
        const scanning = createPipelineService({ ...repos, deals: plainDeals });
        expect(await scanning.board('new-cars', { perStage: 1, now: T0 + 30 * 86_400_000 })).toEqual(board);
      });
    });
  });
}

/** Declarative configuration through the service, on any storage. */
export function configurationSuite(name: string, make: Make): void {
  describe(`applyConfiguration on ${name}`, () => {
    it('makes the configuration look like the desired one; running it again changes nothing', async () => {
      const { service } = await configured(make);
      const ws = await service.getWorkspace();
      const desired = configurationOf(ws, ['sales']);
      const sales = desired.layouts[0]!;
      const renamed = { layouts: [{ ...sales, pipelines: sales.pipelines.map((p) => (p.id === 'used-cars' ? { ...p, name: 'Pre-owned' } : p)) }] };
      const dry = await service.applyConfiguration(renamed, { by: 'admin', dryRun: true });
      expect(dry.commands).toEqual([{ type: 'renamePipeline', pipelineId: 'used-cars', name: 'Pre-owned' }]);
      expect((await service.getWorkspace()).version).toBe(ws.version);
      expect((await service.applyConfiguration(renamed, { by: 'admin' })).commands).toHaveLength(1);
      expect((await service.applyConfiguration(renamed, { by: 'admin' })).commands).toEqual([]);
      expect((await service.getWorkspace()).layouts.find((l) => l.id === 'sales')!.pipelines.find((p) => p.id === 'used-cars')!.name).toBe('Pre-owned');
    });

    it('removes a pipeline that holds deals only with a transfer, moving its deals first', async () => {
      const { service, repos } = await configured(make);
      await service.createDeal({ id: 'u1', layoutId: 'sales', name: 'Used', pipelineId: 'used-cars', stageId: 'test-drive' });
      const sales = configurationOf(await service.getWorkspace(), ['sales']).layouts[0]!;
      const without = { ...sales, pipelines: sales.pipelines.filter((p) => p.id !== 'used-cars') };
      await expect(service.applyConfiguration({ layouts: [without] }, { by: 'admin' })).rejects.toMatchObject({ code: 'pipeline_in_use' });
      await service.applyConfiguration({ layouts: [{ ...without, transfers: [{ pipelineId: 'used-cars', to: 'new-cars', stageMap: { 'show-models': 'requirements' } }] }] }, { by: 'admin' });
      expect((await service.getDeal('u1'))!).toMatchObject({ pipelineId: 'new-cars', stageId: 'test-drive' });
      await expectValid(repos, T0 + 1e9);
    });
  });
}
