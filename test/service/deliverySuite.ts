import { describe, expect, it } from 'vitest';
import { createPipelineService, type DeliveryFailure, type OutboxEntry, type PipelineServiceOptions, type Repositories } from '../../src/index.js';
import { dealerCommands } from '../../examples/dealership.js';
import { T0 } from './helpers.js';

type Make = () => Repositories | Promise<Repositories>;
type AnyEvent = OutboxEntry['event'];

/** Fresh repositories with the dealer configured (by a service without onEvents: no events stored). */
async function configured(make: Make): Promise<Repositories> {
  const repos = await make();
  const admin = createPipelineService({ ...repos, clock: () => T0 });
  for (const command of dealerCommands) await admin.configure(command, { by: 'admin' });
  return repos;
}

const hasClaims = (repos: Repositories) => repos.outbox?.claim !== undefined;

/**
 * Outbox delivery apart from the writes, on any store with an outbox: writes do not wait for
 * delivery, a poison event is retried with backoff, parked and reported without blocking the
 * rest, and several processes delivering at once hand each event over about once.
 */
export function deliverySuite(name: string, make: Make): void {
  describe(`outbox delivery on ${name}`, () => {
    it('a write returns once it commits, even while onEvents never answers; the events wait in the outbox', async () => {
      const repos = await configured(make);
      if (!repos.outbox) return;
      const service = createPipelineService({ ...repos, clock: () => T0, onEvents: () => new Promise(() => {}) });
      const deal = await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
      await service.dispatch('d1', { type: 'moveToStage', stageId: 'test-drive' });
      expect(deal.version).toBe(1);
      expect((await repos.outbox.pending(10)).map((p) => p.event.id)).toEqual(['deal/1/0/d1', 'deal/2/0/d1']);
    });

    it('a committed write reports success even when onEvents and onDeliveryError both throw; creating the deal again is duplicate_id only because it exists', async () => {
      const repos = await configured(make);
      const service = createPipelineService({
        ...repos,
        clock: () => T0,
        onEvents: () => {
          throw new Error('broker down');
        },
        onDeliveryError: () => {
          throw new Error('logger down');
        },
      });
      const deal = await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
      expect(deal.version).toBe(1);
      await service.idle();
      expect(await service.deliverPending()).toBe(0);
      expect((await service.getDeal('d1'))!.version).toBe(1);
    });

    it('a poison event is retried with exponential backoff, then parked and reported; it blocks nothing, and its deal\'s later events wait for it until it is parked', async () => {
      const repos = await configured(make);
      if (!repos.outbox || !hasClaims(repos)) return;
      let now = T0;
      let poisoned = true;
      const delivered: string[] = [];
      const failures: DeliveryFailure[] = [];
      const service = createPipelineService({
        ...repos,
        clock: () => now,
        onEvents: (events: readonly AnyEvent[]) => {
          if (poisoned && events.some((e) => e.id === 'deal/1/0/p')) throw new Error('cannot publish p');
          delivered.push(...events.map((e) => e.id));
        },
        onDeliveryError: (_error, failure) => void (failure && failures.push(failure)),
        delivery: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 },
      });
      await service.createDeal({ id: 'a', layoutId: 'sales', name: 'A' });
      await service.createDeal({ id: 'p', layoutId: 'sales', name: 'P' });
      await service.createDeal({ id: 'b', layoutId: 'sales', name: 'B' });
      await service.dispatch('p', { type: 'updateDeal', patch: { amount: 5 } });
      await service.idle();
      expect(await service.deliverPending()).toBe(0);
      expect(delivered.sort()).toEqual(['deal/1/0/a', 'deal/1/0/b']);
      expect(failures.map((f) => [f.event.id, f.attempts, f.parked])).toEqual([['deal/1/0/p', 1, false]]);
      now += 999; // not due yet
      expect(await service.deliverPending()).toBe(0);
      now += 1; // 1 s after the first failure
      expect(await service.deliverPending()).toBe(0);
      now += 1999; // the second retry waits 2 s
      expect(await service.deliverPending()).toBe(0);
      expect(failures.length).toBe(2);
      now += 1;
      expect(await service.deliverPending()).toBe(1); // parked, then p's version 2 goes out
      expect(failures.map((f) => [f.attempts, f.parked])).toEqual([[1, false], [2, false], [3, true]]);
      expect(delivered).toContain('deal/2/0/p');
      const parked = await service.parkedEvents();
      expect(parked.map((p) => [p.event.id, p.attempts, p.lastError])).toEqual([['deal/1/0/p', 3, 'cannot publish p']]);
      poisoned = false;
      expect(await service.retryParked(parked.map((p) => p.seq))).toBe(1);
      await service.idle();
      expect(await service.parkedEvents()).toEqual([]);
      expect(delivered.filter((id) => id === 'deal/1/0/p')).toEqual(['deal/1/0/p']);
    });

    it('4 services on one store (as 4 processes), writing and delivering at once, deliver every event, at most 1.05 times on average', async () => {
      const repos = await configured(make);
      if (!repos.outbox || !hasClaims(repos)) return;
      const counts = new Map<string, number>();
      const options: Partial<PipelineServiceOptions> = {
        clock: () => Date.now(),
        onEvents: async (events: readonly AnyEvent[]) => {
          for (const e of events) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 0));
        },
        delivery: { batchSize: 20 },
      };
      const services = [0, 1, 2, 3].map(() => createPipelineService({ ...repos, ...options }));
      await Promise.all(services.map(async (service, s) => {
        for (let i = 0; i < 40; i++) {
          const id = `s${s}-${i}`;
          await service.createDeal({ id, layoutId: 'sales', name: id });
          await service.dispatch(id, { type: 'updateDeal', patch: { amount: i } });
          if (i % 10 === 0) void service.deliverPending();
        }
      }));
      await Promise.all(services.map((s) => s.idle()));
      await Promise.all(services.map((s) => s.deliverPending()));
      expect(await repos.outbox.pending(10)).toEqual([]);
      expect(counts.size).toBe(4 * 40 * 2);
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      expect(total / counts.size).toBeLessThanOrEqual(1.05);
    });

    it('retentionMs purges delivered events during passes; purgeDelivered deletes them on demand', async () => {
      const repos = await configured(make);
      if (!repos.outbox || !hasClaims(repos)) return;
      const keeping = createPipelineService({ ...repos, clock: () => Date.now() + 60_000, onEvents: () => {} });
      await keeping.createDeal({ id: 'd1', layoutId: 'sales', name: 'Kept' });
      await keeping.idle();
      expect(await keeping.purgeDelivered({ before: 0 })).toBe(0);
      expect(await keeping.purgeDelivered({ before: Date.now() + 86_400_000 })).toBe(1);
      const purging = createPipelineService({ ...repos, clock: () => Date.now() + 60_000, onEvents: () => {}, delivery: { retentionMs: 1 } });
      await purging.createDeal({ id: 'd2', layoutId: 'sales', name: 'Purged' });
      await purging.idle();
      expect(await purging.deliverPending()).toBe(0);
      expect(await purging.purgeDelivered({ before: Date.now() + 86_400_000 })).toBe(0);
    });

    it('refuses malformed delivery options by name', async () => {
      const repos = await make();
      expect(() => createPipelineService({ ...repos, onEvents: () => {}, delivery: { batchSize: 0 } })).toThrow(/options\.delivery\.batchSize/);
      expect(() => createPipelineService({ ...repos, onEvents: () => {}, delivery: { leaseMs: Number.NaN } })).toThrow(/options\.delivery\.leaseMs/);
    });
  });
}
