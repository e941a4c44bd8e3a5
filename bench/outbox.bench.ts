import { bench, describe } from 'vitest';
import { applyDeal, createMemoryRepositories, createPipelineService, type DealEvent } from 'sales-pipelines';
import { LATER, makeDeals, ws } from './data.js';

// One dispatch with 100,000 events waiting in the outbox against the same dispatch with an empty
// outbox, on the memory store. The consumer does not answer (a broker that is down), so nothing
// is delivered in either case: what is measured is whether a write depends on the backlog (a
// write once drained the whole outbox before it returned).
const POOL = 1000;
const BACKLOG = 100_000;

async function setUp(backlog: number) {
  const repos = createMemoryRepositories({ workspace: ws, deals: makeDeals(POOL, 2) });
  const service = createPipelineService({ ...repos, clock: () => LATER, onEvents: () => new Promise(() => {}) });
  // The backlog: events of deals created by another process, still undelivered.
  for (let start = 0; start < backlog; start += 5000) {
    const created = Array.from({ length: Math.min(5000, backlog - start) }, (_, i) => applyDeal(ws, null, { type: 'createDeal', deal: { id: `b${start + i}`, layoutId: 'sales', name: 'Backlog' } }, { at: LATER }));
    const events: DealEvent[] = created.flatMap((c) => c.events);
    await repos.deals.save(created.map((c) => ({ deal: c.deal, expectedVersion: null })), { events });
  }
  let i = 0;
  return { service, pending: () => repos.outbox.pending(1), dispatch: () => service.dispatch(`deal-${i++ % POOL}`, { type: 'updateDeal', patch: { amount: i } }) };
}

const full = await setUp(BACKLOG);
const empty = await setUp(0);
await full.dispatch();
await empty.dispatch();
// The backlog must still be there (nothing delivered), and absent in the baseline but for what dispatches add.
const [oldest] = await full.pending();
if (!oldest || !('dealId' in oldest.event) || oldest.event.dealId !== 'b0') throw new Error('outbox bench: the backlog is not pending');

describe('outbox: one dispatch with 100,000 pending events vs an empty outbox (memory store)', () => {
  bench('library: dispatch, 100,000 events pending', async () => {
    await full.dispatch();
  }, { time: 3000, warmupIterations: 50 });

  bench('baseline: dispatch, empty outbox', async () => {
    await empty.dispatch();
  }, { time: 3000, warmupIterations: 50 });
});
