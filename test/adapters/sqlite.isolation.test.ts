import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createMemoryRepositories,
  createPipelineService,
  dwellStats,
  type DealEvent,
  type DealErasedEvent,
  type PipelineService,
  type Repositories,
  type StageSummaryRow,
  type WorkspaceEvent,
} from '../../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { dealerCommands } from '../../examples/dealership.js';
import { steppingClock } from '../service/helpers.js';
import { everyPage, wholeDeals as allDeals } from '../helpers/paging.js';

// Ids that look like SQL or like LIKE patterns are just ids.
const ids = ["'; DROP TABLE sp_deals; --", '%', '_', "it's", 'back\\slash', '"quoted"', 'd_1', 'd%1', 'D1', "x' OR '1'='1"];
const tenants = ["t'; DROP TABLE sp_workspace; --", '%'];
const salesStages = ['requirements', 'show-models', 'test-drive', 'quote', 'negotiation', 'won', 'lost'];

type Op =
  | { kind: 'create'; id: string; layoutId: 'sales' | 'service'; amount: number }
  | { kind: 'move'; id: string; stageId: string }
  | { kind: 'update'; id: string; amount: number }
  | { kind: 'toUsedCars'; id: string }
  | { kind: 'bulk'; stageId: string }
  | { kind: 'configure'; pipelineId: string };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), id: fc.constantFrom(...ids), layoutId: fc.constantFrom('sales' as const, 'service' as const), amount: fc.integer({ min: 0, max: 90_000 }) }),
  fc.record({ kind: fc.constant('move' as const), id: fc.constantFrom(...ids), stageId: fc.constantFrom(...salesStages, 'repair') }),
  fc.record({ kind: fc.constant('update' as const), id: fc.constantFrom(...ids), amount: fc.integer({ min: 0, max: 90_000 }) }),
  fc.record({ kind: fc.constant('toUsedCars' as const), id: fc.constantFrom(...ids) }),
  fc.record({ kind: fc.constant('bulk' as const), stageId: fc.constantFrom(...salesStages) }),
  fc.record({ kind: fc.constant('configure' as const), pipelineId: fc.constantFrom(...ids) }),
);

async function run(service: PipelineService, op: Op): Promise<unknown> {
  try {
    switch (op.kind) {
      case 'create':
        return await service.createDeal({ id: op.id, layoutId: op.layoutId, name: `Deal ${op.id}`, amount: op.amount, currency: 'EUR', closingDate: '2026-09-30' });
      case 'move':
        return await service.dispatch(op.id, { type: 'moveToStage', stageId: op.stageId });
      case 'update':
        return await service.dispatch(op.id, { type: 'updateDeal', patch: { amount: op.amount } });
      case 'toUsedCars':
        return await service.dispatch(op.id, { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } });
      case 'bulk':
        return await service.bulkUpdate({ query: { pipelineId: 'new-cars' }, change: { type: 'moveToStage', stageId: op.stageId }, mode: 'bestEffort', chunkSize: 2 });
      case 'configure':
        return await service.configure({ type: 'createPipeline', layoutId: 'sales', pipelineId: op.pipelineId, name: `Pipeline ${op.pipelineId}`, stages: ['requirements', 'won', 'lost'] });
    }
  } catch (e) {
    return { error: (e as { code?: unknown }).code ?? String(e) };
  }
}

interface Side {
  readonly repos: Repositories;
  readonly service: PipelineService;
  readonly events: (WorkspaceEvent | DealEvent | DealErasedEvent)[];
}

async function side(repos: Repositories): Promise<Side> {
  const events: (WorkspaceEvent | DealEvent | DealErasedEvent)[] = [];
  const service = createPipelineService({ ...repos, clock: steppingClock(), onEvents: (batch) => void events.push(...batch) });
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
  return { repos, service, events };
}

async function pages(repos: Repositories, q: { pipelineId?: string | null; layoutId?: string }): Promise<string[][]> {
  return (await everyPage((after) => repos.deals.list({ ...q, after, limit: 2 }))).map((page) => page.deals.map((d) => d.id));
}

/** The board summary as the memory store's deals give it, for comparison with SQL GROUP BY. */
function summaryOf(deals: Awaited<ReturnType<typeof allDeals>>, pipelineId: string, rottingBefore: Record<string, number>): StageSummaryRow[] {
  const rows = new Map<string, { stageId: string; currency: string | null; count: number; amount: number; weighted: number; rotting: number }>();
  for (const d of deals.filter((x) => x.pipelineId === pipelineId)) {
    const key = JSON.stringify([d.stageId, d.currency]);
    const row = rows.get(key) ?? { stageId: d.stageId, currency: d.currency, count: 0, amount: 0, weighted: 0, rotting: 0 };
    row.count++;
    row.amount += d.amount ?? 0;
    row.weighted += ((d.amount ?? 0) * d.probability) / 100;
    const threshold = rottingBefore[d.stageId];
    if (threshold !== undefined && d.history.at(-1)!.enteredAt < threshold) row.rotting++;
    rows.set(key, row);
  }
  return [...rows.values()];
}

const byStage = (a: StageSummaryRow, b: StageSummaryRow) => (a.stageId + (a.currency ?? '')).localeCompare(b.stageId + (b.currency ?? ''));

describe('sqlite tenant isolation', () => {
  it('gives each of two interleaved tenants exactly what the same commands give on a store of its own', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ tenant: fc.constantFrom(0, 1), op: arbOp }), { minLength: 1, maxLength: 30 }), async (script) => {
        const db = new Database(':memory:');
        migrateSqlite(db);
        try {
          const shared = await Promise.all(tenants.map((tenantId) => side(createSqliteRepositories(db, { tenantId }))));
          // With claims, as this SQLite store: delivery reads the clock alike on both sides, so the stepping clocks stay in step.
          const own = await Promise.all(tenants.map(() => side(createMemoryRepositories())));
          for (const { tenant, op } of script) {
            expect(await run(shared[tenant]!.service, op), JSON.stringify(op)).toEqual(await run(own[tenant]!.service, op));
          }
          for (const t of [0, 1]) {
            const [s, m] = [shared[t]!, own[t]!];
            expect(await s.repos.workspace.load()).toEqual(await m.repos.workspace.load());
            const deals = await allDeals(m.repos);
            expect(await allDeals(s.repos)).toEqual(deals);
            for (const q of [{}, { pipelineId: 'new-cars' }, { layoutId: 'service' }, { pipelineId: null }]) expect(await pages(s.repos, q)).toEqual(await pages(m.repos, q));
            await Promise.all([s.service.idle(), m.service.idle()]); // deliveries run in the background
            expect(s.events).toEqual(m.events);
            if (s.repos.outbox && m.repos.outbox) {
              expect((await s.repos.outbox.pending(10_000)).map((p) => p.event)).toEqual((await m.repos.outbox.pending(10_000)).map((p) => p.event));
            }
            const now = Date.parse('2027-01-01T00:00:00Z');
            expect(dwellStats(await allDeals(s.repos), { now, includeOpen: true })).toEqual(dwellStats(deals, { now, includeOpen: true }));
            const rottingBefore = { requirements: Date.parse('2026-03-03T00:00:00Z'), quote: now };
            const summary = (await s.repos.deals.summarize!({ pipelineId: 'new-cars', rottingBefore })).sort(byStage);
            const expected = summaryOf(deals, 'new-cars', rottingBefore).sort(byStage);
            expect(summary.map(({ weighted: _w, ...r }) => r)).toEqual(expected.map(({ weighted: _w, ...r }) => r));
            summary.forEach((r, i) => expect(r.weighted).toBeCloseTo(expected[i]!.weighted, 6));
          }
        } finally {
          db.close();
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
