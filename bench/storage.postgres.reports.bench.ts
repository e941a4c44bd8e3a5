// The period reports over the PostgreSQL store (funnel, waterfall, dwell for one quarter), against
// the SQL a developer would write by hand on a schema of their own (bench/postgresReportBaselines.ts):
// same server, same deals (bench/reportData.ts), same run. Before anything is timed, each baseline is
// checked to give the library's figures. Runs only when SALES_PIPELINES_PG_URL names a server (it
// writes tenants named `bench:*` there and deletes them):
//   npx vitest bench --run --config vitest.bench.config.ts bench/storage.postgres.reports.bench.ts
import pg from 'pg';
import { afterAll, bench, describe } from 'vitest';
import { createPipelineService } from '../src/index.js';
import { createPostgresRepositories, fromPgPool, migratePostgres } from '../src/postgres.js';
import { LATER, ws } from './data.js';
import { reportDeals } from './reportData.js';
import { deleteDevReports, loadDevReports, pgDwell, pgFunnel, pgWaterfall } from './postgresReportBaselines.js';
import { from, funnelOpts, keyed, same, to, waterfallOpts } from './reportChecks.js';

const URL = process.env.SALES_PIPELINES_PG_URL;
const DEALS = Number(process.env.SALES_PIPELINES_BENCH_DEALS ?? 100_000);
const size = `${DEALS / 1000}k deals x 8 visits`;
const LIB = 'bench:reports:lib';
const SQL = 'bench:reports:sql';

const pool = URL ? new pg.Pool({ connectionString: URL, max: 4 }) : null;
/** Deletes both tenants' rows, the library's and the developer's. */
async function deleteTenants(db: pg.Pool): Promise<void> {
  for (const table of ['sp_stage_visits', 'sp_deal_changes', 'sp_deals', 'sp_workspace', 'sp_outbox']) await db.query(`DELETE FROM ${table} WHERE tenant_id LIKE 'bench:reports:%'`);
  await deleteDevReports(db, 'bench:reports:');
}
afterAll(async () => {
  if (!pool) return;
  await deleteTenants(pool);
  await pool.end();
}, 600_000);

/** Both tenants filled with the same deals, and each baseline checked against the library. */
async function prepare(db: pg.Pool) {
  const client = fromPgPool(db);
  await migratePostgres(client);
  await deleteTenants(db);
  const started = Date.now();
  const { workspace, deals, visits } = createPostgresRepositories(client, { tenantId: LIB });
  await workspace.save(ws, 0);
  const all = reportDeals(DEALS);
  for (let i = 0; i < all.length; i += 2000) await deals.save(all.slice(i, i + 2000).map((deal) => ({ deal, expectedVersion: null })));
  await loadDevReports(db, LIB, SQL, ws);
  // Vacuumed, as autovacuum keeps a table: else the rows a previous run deleted are still read (by
  // the same keys), and autovacuum starts on these tables in the middle of the timed runs.
  for (const table of ['sp_stage_visits', 'sp_deal_changes', 'sp_deals', 'dev_visits', 'dev_changes', 'dev_deals', 'dev_stages']) await db.query(`VACUUM ANALYZE ${table}`);
  console.log(`${size} on each side ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const service = createPipelineService({ workspace, deals, visits, clock: () => LATER });

  const funnel = await service.conversionFunnel(funnelOpts);
  same('conversion funnel', funnel, await pgFunnel(db, SQL, 'new-cars', from, to), () => funnel.deals > 0 && funnel.wonRate !== null && funnel.wonRate > 0 && funnel.stages.some((s) => s.conversionRate !== null && s.conversionRate < 1));
  const waterfall = await service.pipelineWaterfall(waterfallOpts);
  same('pipeline waterfall', waterfall, await pgWaterfall(db, SQL, waterfallOpts), () =>
    (['start', 'created', 'pulledIn', 'increased', 'won', 'lost', 'movedOut', 'pushedOut', 'end'] as const).every((b) => (waterfall.EUR?.[b].count ?? 0) > 0));
  const dwell = await service.dwellStats({ from, to, now: LATER });
  same('dwell', keyed(dwell), keyed(await pgDwell(db, SQL, from, to)), () => dwell.length > 4);
  return service;
}

// A failed check fails the file before afterAll is registered: the tenants go then.
const service = pool ? await prepare(pool).catch(async (e: unknown) => {
  await deleteTenants(pool);
  await pool.end();
  throw e;
}) : null;
const slow = { iterations: 3, time: 0, warmupIterations: 1, warmupTime: 0 };

describe.runIf(URL)('period reports on PostgreSQL, against a schema of the developer\'s own', () => {
  describe(`store reports postgres: conversion funnel for one quarter, ${size}`, () => {
    bench('library: service.conversionFunnel({ pipelineId, from, to })', async () => {
      await service!.conversionFunnel(funnelOpts);
    }, slow);
    bench('baseline: GROUP BY per deal, GROUP BY per reach', async () => {
      await pgFunnel(pool!, SQL, 'new-cars', from, to);
    }, slow);
  });

  describe(`store reports postgres: pipeline waterfall for one quarter, deals closing in it, ${size}`, () => {
    bench('library: service.pipelineWaterfall({ from, to, pipelineId, closingFrom, closingTo })', async () => {
      await service!.pipelineWaterfall(waterfallOpts);
    }, slow);
    bench('baseline: visits and changes in key order + one pass', async () => {
      await pgWaterfall(pool!, SQL, waterfallOpts);
    }, slow);
  });

  describe(`store reports postgres: dwell for one quarter, ${size}`, () => {
    bench('library: service.dwellStats({ from, to })', async () => {
      await service!.dwellStats({ from, to, now: LATER });
    }, slow);
    bench('baseline: percentile aggregates over the visits table', async () => {
      await pgDwell(pool!, SQL, from, to);
    }, slow);
  });
});
