// The library on a SQLite file against the SQL a developer would write by hand on a schema of their
// own (typed columns, a visits table, no JSON body; bench/sqliteBaselines.ts): same file, WAL on
// both sides, same data (100k deals x 8 visits), same run. Listings with filters and dwell over a
// period call the repositories directly (the service of this release takes neither yet).
import { afterAll, bench, describe } from 'vitest';
import { createPipelineService, type Deal, type PipelineService } from 'sales-pipelines';
import { createSqliteRepositories, type SqliteRepositories } from 'sales-pipelines/sqlite';
import { LATER, makeDeals, ws } from './data.js';
import { benchFile, createSchema, load, sqlBulkMove, sqlDispatch, sqlDwell, sqlPage } from './sqliteBaselines.js';

const DEALS = Number(process.env.SP_BENCH_DEALS ?? 100_000);
const { db, remove } = benchFile('sp-bench-sqlite-');
afterAll(remove);

async function seed(tenantId: string, deals: readonly Deal[]): Promise<SqliteRepositories> {
  const repos = createSqliteRepositories(db, { tenantId });
  await repos.workspace.save(ws, 0);
  for (let i = 0; i < deals.length; i += 10_000) await repos.deals.save(deals.slice(i, i + 10_000).map((deal) => ({ deal, expectedVersion: null })));
  return repos;
}

/** The deals of the listing, dispatch and dwell rows: 50 owners, closing dates over a year, amounts of every size; each open in quote. */
function variedDeals(count: number): Deal[] {
  return makeDeals(count, 8, 'quote').map((d, i) => ({
    ...d,
    ownerId: `owner-${i % 50}`,
    closingDate: `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    amount: 1000 + ((i * 7919) % 100_000),
  }));
}

const bulk = makeDeals(DEALS, 8);
await seed('bulk', bulk);
createSchema(db, 'b_');
load(db, 'b_', bulk);
const varied = variedDeals(DEALS);
const library = await seed('library', varied);
createSchema(db, '');
load(db, '', varied);
db.exec('ANALYZE');
// Both sides start from a checkpointed file.
db.pragma('wal_checkpoint(TRUNCATE)');

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
let libraryAt: 'new-cars' | 'used-cars' = 'new-cars';
let sqlAt: 'new-cars' | 'used-cars' = 'new-cars';

describe('storage sqlite: bulk moveToPipeline with a stage map, 100k deals x 8 visits', () => {
  bench('library: service.bulkUpdate by query', async () => {
    const report = await serviceOf('bulk').bulkUpdate({ query: { pipelineId: libraryAt }, change: moves[libraryAt], mode: 'bestEffort', by: 'manager' });
    if (report.rejected.length > 0 || report.updated.length !== DEALS) throw new Error(`bulk move: ${report.updated.length} moved, ${report.rejected.length} refused`);
    libraryAt = moves[libraryAt].pipelineId;
  }, { iterations: 2, time: 0, warmupIterations: 0, warmupTime: 0 });

  bench('baseline: four set-based statements in one transaction', () => {
    if (sqlBulkMove(db, 'b_', sqlAt, moves[sqlAt].pipelineId, moves[sqlAt].stageMap, clock()) !== DEALS) throw new Error('bulk move by hand missed deals');
    sqlAt = moves[sqlAt].pipelineId;
  }, { iterations: 2, time: 0, warmupIterations: 0, warmupTime: 0 });
});

describe('storage sqlite: single dispatch(moveToStage), 100k deals x 8 visits', () => {
  // Deals in quote go to negotiation and back, one deal after the other.
  const target = (k: number) => (Math.floor(k / DEALS) % 2 === 0 ? 'negotiation' : 'quote');
  let i = 0;
  bench('library: service.dispatch', async () => {
    const k = i++;
    await serviceOf('library').dispatch(`deal-${k % DEALS}`, { type: 'moveToStage', stageId: target(k) }, { by: 'rep' });
  }, { time: 2000, warmupIterations: 100 });

  let j = 0;
  bench('baseline: read-check-write transaction', () => {
    const k = j++;
    sqlDispatch(db, '', `deal-${k % DEALS}`, target(k), clock());
  }, { time: 2000, warmupIterations: 100 });
});

describe('storage sqlite: page of 100, one owner closing this month by amount, 100k deals', () => {
  // Odd owners have deals closing in June (owner i % 50, month i % 12).
  let k = 0;
  const owner = () => `owner-${(2 * k++ + 1) % 50}`;
  bench('library: deals.list (lean deals)', async () => {
    const page = await library.deals.list({ ownerId: owner(), closingFrom: '2026-06-01', closingTo: '2026-06-30', sort: 'amount', order: 'desc', limit: 100 });
    if (page.deals.length === 0) throw new Error('empty page');
  }, { time: 1500, warmupIterations: 50 });

  let m = 0;
  bench('baseline: the same SELECT by hand', () => {
    if (sqlPage(db, '', `owner-${(2 * m++ + 1) % 50}`, '2026-06-01', '2026-06-30').length === 0) throw new Error('empty page');
  }, { time: 1500, warmupIterations: 50 });
});

describe('storage sqlite: dwell over one quarter, 100k deals x 8 visits', () => {
  const from = Date.UTC(2026, 0, 1);
  const to = Date.UTC(2026, 3, 1);
  bench('library: visits.dwell({ from, to })', async () => {
    await library.visits.dwell({ now: LATER, from, to });
  }, { iterations: 5, time: 0, warmupIterations: 1, warmupTime: 0 });

  bench('baseline: SQL over the visits table + one pass', () => {
    sqlDwell(db, '', from, to);
  }, { iterations: 5, time: 0, warmupIterations: 1, warmupTime: 0 });
});
