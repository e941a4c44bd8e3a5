// The service over the PostgreSQL adapter against hand-written SQL on a normalized schema of the
// developer's own (`dev_deals` with one column per field, `dev_visits`, `dev_changes`; no JSON
// document of the deal), in the same database, same data, same run. Runs only when
// SALES_PIPELINES_PG_URL names a server (it writes tenants named `bench:*` there and deletes them):
//   npx vitest bench --run bench/storage.postgres.bench.ts
import pg from 'pg';
import { afterAll, bench, describe } from 'vitest';
import { createPipelineService, type Deal } from '../src/index.js';
import { createPostgresRepositories, fromPgPool, migratePostgres, type PostgresClient } from '../src/postgres.js';
import { LATER, makeDeals, ws } from './data.js';
import { createDevSchema, devBulkMove, devDispatch, devPage, copyToDev } from './storage.postgres.baseline.js';

const URL = process.env.SALES_PIPELINES_PG_URL;
const N = Number(process.env.SALES_PIPELINES_BENCH_DEALS ?? 100_000);
const once = { iterations: 2, time: 0, warmupIterations: 0, warmupTime: 0 };
const timed = { time: 3000, warmupIterations: 5 };

const pool = URL ? new pg.Pool({ connectionString: URL, max: 12 }) : null;
const client: PostgresClient | null = pool ? fromPgPool(pool) : null;
const TABLES = ['sp_stage_visits', 'sp_deal_changes', 'sp_deals', 'sp_workspace', 'sp_outbox', 'dev_visits', 'dev_changes', 'dev_deals'];
afterAll(async () => {
  if (pool) {
    for (const table of TABLES) await pool.query(`DELETE FROM ${table} WHERE tenant_id LIKE 'bench:%'`);
    await pool.end();
  }
}, 600_000);

const loud = (fn: () => Promise<unknown>) => async () => {
  try {
    await fn();
  } catch (e) {
    console.error(e);
    throw e;
  }
};

let clockAt = LATER;
const clock = () => (clockAt += 1000);
/** The service without an outbox: the baseline stores no events either. */
const serviceOf = (tenantId: string) => {
  const { workspace, deals, visits } = createPostgresRepositories(client!, { tenantId });
  return createPipelineService({ workspace, deals, visits, clock, chunkSize: 1000, maxRetries: 50 });
};

/** Deals with owners, closing dates and amounts spread, so that a page query selects and sorts. */
function spread(deals: Deal[]): Deal[] {
  return deals.map((d, i) => ({ ...d, ownerId: `rep-${i % 20}`, closingDate: `2026-${String(1 + (Math.floor(i / 20) % 12)).padStart(2, '0')}-15`, amount: 1000 + ((i * 7919) % 100_000) }));
}

async function seed(tenantId: string, deals: readonly Deal[]): Promise<void> {
  for (const table of TABLES) await pool!.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [tenantId]);
  const repos = createPostgresRepositories(client!, { tenantId });
  await repos.workspace.save(ws, 0);
  for (let i = 0; i < deals.length; i += 2000) await repos.deals.save(deals.slice(i, i + 2000).map((deal) => ({ deal, expectedVersion: null })));
}

const side = { lib: 'new-cars', sql: 'new-cars' } as { lib: 'new-cars' | 'used-cars'; sql: 'new-cars' | 'used-cars' };
const stageOf = { lib: new Map<string, string>(), sql: new Map<string, string>() };

if (client && pool) {
  await migratePostgres(client);
  await createDevSchema(pool);
  const started = Date.now();
  const big = spread(makeDeals(N, 8));
  const mid = makeDeals(10_000, 8);
  await Promise.all([seed('bench:bulk:lib', big), seed('bench:dispatch:lib', mid)]);
  await copyToDev(pool, 'bench:bulk:lib', 'bench:bulk:sql');
  await copyToDev(pool, 'bench:dispatch:lib', 'bench:dispatch:sql');
  await pool.query('ANALYZE');
  console.log(`${N + 10_000} deals x 8 visits on each side ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

describe.runIf(URL)('storage on PostgreSQL, against a schema of the developer\'s own', () => {
  const maps = { 'used-cars': { requirements: 'show-models' }, 'new-cars': { 'show-models': 'requirements' } } as const;
  const bulkLib = URL ? serviceOf('bench:bulk:lib') : null;

  describe(`postgres: bulk move of ${N / 1000}k deals to another pipeline with a stage map`, () => {
    bench('library: service.bulkUpdate by query (chunks of 1,000)', loud(async () => {
      const to = side.lib === 'new-cars' ? 'used-cars' : 'new-cars';
      const report = await bulkLib!.bulkUpdate({ query: { pipelineId: side.lib }, change: { type: 'moveToPipeline', pipelineId: to, stageMap: maps[to] }, mode: 'bestEffort', by: 'bench' });
      if (report.updated.length !== N) throw new Error(`moved ${report.updated.length}`);
      side.lib = to;
    }), once);
    bench('baseline: hand-written set-based SQL (close visits, log changes, move deals, open visits; one transaction)', loud(async () => {
      const to = side.sql === 'new-cars' ? 'used-cars' : 'new-cars';
      await devBulkMove(pool!, 'bench:bulk:sql', side.sql, to, maps[to], clock());
      side.sql = to;
    }), once);
  });

  const dispatchLib = URL ? serviceOf('bench:dispatch:lib') : null;
  const flip = (s: 'lib' | 'sql', id: string) => {
    const next = (stageOf[s].get(id) ?? 'negotiation') === 'negotiation' ? 'quote' : 'negotiation';
    stageOf[s].set(id, next);
    return next;
  };
  let libNext = 0;
  let sqlNext = 0;
  // Every generated deal ends in negotiation: each call moves one to quote, or back.
  const dispatchId = (n: number) => `deal-${(n * 7919) % 10_000}`;
  const libraryDispatch = (id: string) => dispatchLib!.dispatch(id, { type: 'moveToStage', stageId: flip('lib', id) }, { by: 'bench' }).then(() => undefined);
  const handDispatch = (id: string) => devDispatch(pool!, 'bench:dispatch:sql', id, flip('sql', id), clock());

  describe('postgres: one dispatch(moveToStage), 1 caller', () => {
    bench('library: service.dispatch', loud(() => libraryDispatch(dispatchId(libNext++))), timed);
    bench('baseline: hand-written read-check-write transaction', loud(() => handDispatch(dispatchId(sqlNext++))), timed);
  });

  describe('postgres: 80 dispatches(moveToStage) by 8 concurrent callers', () => {
    // Callers work on disjoint deals, as concurrent users mostly do.
    const eight = (run: (id: string) => Promise<void>, next: () => number) =>
      Promise.all(Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 10; i++) await run(dispatchId(next()));
      }));
    bench('library: service.dispatch', loud(() => eight(libraryDispatch, () => libNext++)), timed);
    bench('baseline: hand-written read-check-write transaction', loud(() => eight(handDispatch, () => sqlNext++)), timed);
  });

  describe(`postgres: a filtered, sorted page of 100 ("owner X, closing this month, by amount") of ${N / 1000}k deals`, () => {
    const repos = URL ? createPostgresRepositories(client!, { tenantId: 'bench:bulk:lib' }) : null;
    let k = 0;
    bench('library: deals.list (lean deals)', loud(async () => {
      const owner = `rep-${k++ % 20}`;
      const page = await repos!.deals.list({ ownerId: owner, closingFrom: '2026-06-01', closingTo: '2026-06-30', sort: 'amount', order: 'desc', limit: 100 });
      if (page.deals.length === 0) throw new Error('empty page');
    }), timed);
    let j = 0;
    bench('baseline: the same SELECT by hand (deal columns and the current visit)', loud(async () => {
      const rows = await devPage(pool!, 'bench:bulk:sql', `rep-${j++ % 20}`, '2026-06-01', '2026-06-30');
      if (rows === 0) throw new Error('empty page');
    }), timed);
  });
});
