import { describe, expect, it } from 'vitest';
import { createPipelineService, isPipelineError, type Deal, type DealErasedEvent, type DealEvent, type WorkspaceEvent } from '../../src/index.js';
import { checkInvariants } from '../../src/testing.js';
import { createPostgresRepositories } from '../../src/postgres.js';
import { dealerCommands } from '../../examples/dealership.js';
import { freshTenant, serverDatabase, SERVER_URL, wholeDeals } from './postgresDatabases.js';
import { pulled, recordingClient, violations } from './statementShape.js';

const WORKERS = 20;
const DISPATCHES = Number(process.env.SALES_PIPELINES_STRESS_DISPATCHES ?? 200);
const DEALS = 40;
const ids = Array.from({ length: DEALS }, (_, i) => `d${String(i).padStart(2, '0')}`);

describe.runIf(SERVER_URL)('concurrency on the PostgreSQL server', () => {
  const server = serverDatabase(SERVER_URL ?? '', WORKERS + 5);

  it(`${WORKERS} workers x ${DISPATCHES} dispatches on ${DEALS} shared deals, bulk updates in both orders and a deletePipeline alongside: nothing lost`, async () => {
    const recorder = recordingClient(await server());
    const repos = createPostgresRepositories(recorder, { tenantId: freshTenant('stress') });
    let t = Date.parse('2026-03-02T09:00:00Z');
    const clock = () => (t += 1000); // one clock for every "app server": instants never go backwards
    const events: (DealEvent | WorkspaceEvent | DealErasedEvent)[] = [];
    const services: { idle(): Promise<void>; deliverPending(): Promise<number> }[] = [];
    const service = () => {
      const s = createPipelineService({ ...repos, clock, maxRetries: 1000, chunkSize: 10, onEvents: (e) => void events.push(...e) });
      services.push(s);
      return s;
    };
    const admin = service();
    for (const command of dealerCommands) await admin.configure(command);
    for (const id of ids) await admin.createDeal({ id, layoutId: 'sales', name: id, ...(id >= 'd30' ? { pipelineId: 'used-cars' } : {}) });

    const acknowledged = new Map<string, string[]>(ids.map((id) => [id, []]));
    const escaped: unknown[] = [];
    const guard = async (run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (e) {
        escaped.push(e);
      }
    };
    const worker = async (w: number) => {
      const s = service();
      for (let i = 0; i < DISPATCHES; i++) {
        const id = ids[(w * 7 + i * 13) % DEALS]!;
        const key = `w${w}_${i}`;
        await guard(async () => {
          await s.dispatch(id, { type: 'updateDeal', patch: { fields: { [key]: i } } });
          acknowledged.get(id)!.push(key);
        });
      }
    };
    const bulk = async (order: string[], mode: 'atomic' | 'bestEffort') => {
      const s = service();
      for (let round = 0; round < 8; round++) {
        const stageId = round % 2 === 0 ? 'test-drive' : 'requirements';
        await guard(() => s.bulkUpdate({ dealIds: order, change: { type: 'moveToStage', stageId }, mode }));
      }
    };
    const inNewCars = ids.filter((id) => id < 'd30');
    await Promise.all([
      ...Array.from({ length: WORKERS }, (_, w) => worker(w)),
      bulk(inNewCars, 'atomic'),
      bulk([...inNewCars].reverse(), 'atomic'),
      bulk([...inNewCars].reverse(), 'bestEffort'),
      guard(async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await service().configure({ type: 'deletePipeline', pipelineId: 'used-cars', transferTo: { pipelineId: 'new-cars', stageMap: { 'show-models': 'requirements' } } });
      }),
    ]);

    // Writes return before their events are delivered: let every service's background pass end, then deliver what is left.
    await Promise.all(services.map((s) => s.idle()));
    await admin.deliverPending();
    expect(escaped.filter((e) => !isPipelineError(e)), 'errors that are not PipelineErrors').toEqual([]);
    expect(escaped.map((e) => (e as { code: string }).code)).toEqual([]);
    const ws = await repos.workspace.load();
    expect(ws.layouts[0]!.pipelines.map((p) => p.id)).not.toContain('used-cars');
    const deals: Deal[] = await wholeDeals(repos, 500);
    expect(deals.map((d) => d.id)).toEqual(ids);
    const visits = [];
    for (let page = await repos.visits.list({ limit: 500 }); ; page = await repos.visits.list({ after: page.next, limit: 500 })) {
      visits.push(...page.visits);
      if (page.next === null) break;
    }
    for (const deal of deals) {
      const keys = acknowledged.get(deal.id)!;
      for (const key of keys) expect(deal.fields, `${deal.id} lost ${key}`).toHaveProperty(key);
      expect(Object.keys(deal.fields).sort()).toEqual([...keys].sort());
      expect(deal.version, deal.id).toBe(1 + keys.length + deal.history.length - 1);
      const entered = deal.history.map((v) => v.enteredAt);
      expect(new Set(entered).size, `${deal.id} has a duplicate visit`).toBe(entered.length);
      expect(visits.filter((v) => v.dealId === deal.id).map((v) => v.enteredAt)).toEqual(entered);
      const versions = new Set(events.filter((e) => 'dealId' in e && e.dealId === deal.id).map((e) => e.version));
      expect(versions.size, `${deal.id}: one published change per version`).toBe(deal.version);
    }
    expect(deals.filter((d) => d.history.length > 1).length).toBeGreaterThan(0);
    expect(checkInvariants(ws, deals, { now: t + 1 })).toEqual([]);
    // Every statement of the run kept the statement-shape rule (single-table writes by tenant).
    expect(recorder.statements.length).toBeGreaterThan(DISPATCHES);
    expect(violations(recorder.statements)).toEqual([]);
    expect(pulled(recorder.statements)).toEqual([]);
  }, 600_000);
});
