// The library through its service on a SQLite file against the SQL a developer would write on the
// same database, same data, same run. Each side has its own tenant of identical deals, so both
// work on the same tables and indexes without disturbing each other's data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, bench, describe } from 'vitest';
import { createPipelineService, dwellStats, type Deal, type PipelineService, type VisitRow } from 'sales-pipelines';
import { configureSqlite, createSqliteRepositories, migrateSqlite } from 'sales-pipelines/sqlite';
import { LATER, makeDeals, ws } from './data.js';
import { sqlBulkMove, sqlDispatch, sqlDwell } from './sqliteBaselines.js';

const DEALS = 100_000;
const TENANTS = 100;
const dir = mkdtempSync(join(tmpdir(), 'sp-bench-sqlite-'));
const db = new Database(join(dir, 'bench.db'));
configureSqlite(db);
migrateSqlite(db);
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function seed(tenantId: string, deals: readonly Deal[]): Promise<void> {
  const repos = createSqliteRepositories(db, { tenantId });
  await repos.workspace.save(ws, 0);
  for (let i = 0; i < deals.length; i += 10_000) await repos.deals.save(deals.slice(i, i + 10_000).map((deal) => ({ deal, expectedVersion: null })));
}

const big = makeDeals(DEALS, 8);
await seed('library', big);
await seed('sql', big);
const small = makeDeals(DEALS / TENANTS, 8);
for (let t = 0; t < TENANTS; t++) await seed(`tenant-${t}`, small);
const few = makeDeals(2_000, 8, 'quote');
await seed('dispatch-library', few);
await seed('dispatch-sql', few);

// Every operation moves forward in time, one second per reading.
let now = LATER;
const clock = () => (now += 1000);
const services = new Map<string, PipelineService>();
function serviceOf(tenantId: string): PipelineService {
  let s = services.get(tenantId);
  if (!s) services.set(tenantId, (s = createPipelineService({ ...createSqliteRepositories(db, { tenantId }), clock })));
  return s;
}

// Bulk moves alternate between the two pipelines, so every iteration moves every deal.
const moves = {
  'new-cars': { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } },
  'used-cars': { type: 'moveToPipeline', pipelineId: 'new-cars', stageMap: { 'show-models': 'requirements' } },
} as const;
const where = new Map<string, 'new-cars' | 'used-cars'>();
async function libraryBulk(tenantId: string): Promise<void> {
  const from = where.get(tenantId) ?? 'new-cars';
  const report = await serviceOf(tenantId).bulkUpdate({ query: { pipelineId: from }, change: moves[from], mode: 'bestEffort', by: 'manager' });
  if (report.rejected.length > 0) throw new Error(`bulk move refused ${report.rejected.length} deals: ${report.rejected[0]!.message}`);
  where.set(tenantId, moves[from].pipelineId);
}

describe('storage sqlite: dwell statistics over 100k stored deals (800k visits), end to end', () => {
  bench('library: visits.list pages + dwellStats', async () => {
    const repos = createSqliteRepositories(db, { tenantId: 'library' });
    const rows: VisitRow[] = [];
    for (let page = await repos.visits.list({ limit: 50_000 }); ; page = await repos.visits.list({ after: page.next, limit: 50_000 })) {
      for (const v of page.visits) rows.push(v);
      if (page.next === null) break;
    }
    dwellStats(dealsOfVisits(rows), { now: LATER });
  }, { iterations: 2, time: 0, warmupIterations: 0, warmupTime: 0 });

  bench('baseline: SQL over the indexed visits table + one pass', () => {
    sqlDwell(db, 'library');
  }, { iterations: 2, time: 0, warmupIterations: 0, warmupTime: 0 });
});

describe('storage sqlite: single dispatch(moveToStage), 2k deals', () => {
  let i = 0;
  bench('library: service.dispatch', async () => {
    const k = i++;
    const id = `deal-${k % few.length}`;
    const service = serviceOf('dispatch-library');
    const stageId = Math.floor(k / few.length) % 2 === 0 ? 'negotiation' : 'quote';
    await service.dispatch(id, { type: 'moveToStage', stageId }, { by: 'rep' });
  }, { time: 1500, warmupIterations: 50 });

  let j = 0;
  bench('baseline: read-check-update transaction', () => {
    const k = j++;
    const id = `deal-${k % few.length}`;
    const stageId = Math.floor(k / few.length) % 2 === 0 ? 'negotiation' : 'quote';
    sqlDispatch(db, 'dispatch-sql', id, stageId, clock());
  }, { time: 1500, warmupIterations: 50 });
});

describe('storage sqlite: bulk moveToPipeline with a stage map, 100k deals x 8 visits', () => {
  bench('library: service.bulkUpdate by query', async () => {
    await libraryBulk('library');
  }, { iterations: 2, time: 0, warmupIterations: 0, warmupTime: 0 });

  let from: 'new-cars' | 'used-cars' = 'new-cars';
  bench('baseline: hand-written UPDATE/INSERT in one transaction', () => {
    sqlBulkMove(db, 'sql', from, moves[from].pipelineId, moves[from].stageMap, clock());
    from = moves[from].pipelineId;
  }, { iterations: 2, time: 0, warmupIterations: 0, warmupTime: 0 });
});

describe('storage sqlite: tenants, bulk move of 100 tenants x 1k deals vs 1 tenant x 100k', () => {
  bench('library: 100 tenants x 1k deals', async () => {
    for (let t = 0; t < TENANTS; t++) await libraryBulk(`tenant-${t}`);
  }, { iterations: 2, time: 0, warmupIterations: 0, warmupTime: 0 });

  bench('baseline: 1 tenant x 100k deals (library)', async () => {
    await libraryBulk('library');
  }, { iterations: 2, time: 0, warmupIterations: 0, warmupTime: 0 });
});

/** Deals holding only what dwellStats reads, rebuilt from visit rows (ordered by deal and seq). */
function dealsOfVisits(rows: readonly VisitRow[]): Deal[] {
  const deals: Deal[] = [];
  let current: Deal | null = null;
  for (const r of rows) {
    if (current === null || current.id !== r.dealId) {
      current = {
        id: r.dealId, layoutId: r.layoutId, pipelineId: r.pipelineId, stageId: r.stageId, name: r.dealId, amount: null, currency: null,
        probability: 0, closingDate: null, ownerId: null, lostReason: null, fields: {}, createdAt: r.enteredAt, updatedAt: r.enteredAt, version: 1, history: [],
      };
      deals.push(current);
    }
    current.history.push({
      pipelineId: r.pipelineId, stageId: r.stageId, enteredAt: r.enteredAt, exitedAt: r.exitedAt, amount: null, probability: 0,
      expectedRevenue: null, closingDate: null, forecastCategory: 'pipeline', outcome: 'open', by: null, bypassedRules: false,
    });
  }
  return deals;
}
