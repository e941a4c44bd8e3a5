// The period reports over the store (funnel, waterfall, dwell for one quarter) on a SQLite file,
// against the SQL a developer would write by hand on a schema of their own (bench/sqliteBaselines.ts,
// bench/reportBaselines.ts): same file, WAL on both sides, same deals (bench/reportData.ts), same
// run. Before anything is timed, each baseline is checked to give the library's figures.
import { afterAll, bench, describe } from 'vitest';
import { createPipelineService } from 'sales-pipelines';
import { createSqliteRepositories } from 'sales-pipelines/sqlite';
import { LATER, ws } from './data.js';
import { reportDeals } from './reportData.js';
import { loadReportTables, sqlFunnel, sqlWaterfall } from './reportBaselines.js';
import { benchFile, createSchema, load, sqlDwell } from './sqliteBaselines.js';
import { from, funnelOpts, keyed, same, to, waterfallOpts } from './reportChecks.js';

const DEALS = Number(process.env.SP_BENCH_DEALS ?? 100_000);
const size = `${DEALS / 1000}k deals x 8 visits`;
const { db, remove } = benchFile('sp-bench-reports-');
afterAll(remove);

const deals = reportDeals(DEALS);
const repos = createSqliteRepositories(db);
await repos.workspace.save(ws, 0);
for (let i = 0; i < deals.length; i += 10_000) await repos.deals.save(deals.slice(i, i + 10_000).map((deal) => ({ deal, expectedVersion: null })));
createSchema(db, '');
load(db, '', deals);
loadReportTables(db, '', ws, deals);
deals.length = 0;
db.exec('ANALYZE');
db.pragma('wal_checkpoint(TRUNCATE)');
const service = createPipelineService({ ...repos, clock: () => LATER });

const funnel = await service.conversionFunnel(funnelOpts);
same('conversion funnel', funnel, sqlFunnel(db, '', 'new-cars', from, to), () => funnel.deals > 0 && funnel.wonRate !== null && funnel.wonRate > 0 && funnel.stages.some((s) => s.conversionRate !== null && s.conversionRate < 1));
const waterfall = await service.pipelineWaterfall(waterfallOpts);
same('pipeline waterfall', waterfall, sqlWaterfall(db, '', waterfallOpts), () =>
  (['start', 'created', 'pulledIn', 'increased', 'won', 'lost', 'movedOut', 'pushedOut', 'end'] as const).every((b) => (waterfall.EUR?.[b].count ?? 0) > 0));
const dwell = await service.dwellStats({ from, to, now: LATER });
same('dwell', keyed(dwell), keyed(sqlDwell(db, '', from, to)), () => dwell.length > 4);

const slow = { iterations: 3, time: 0, warmupIterations: 1, warmupTime: 0 };

describe(`store reports sqlite: conversion funnel for one quarter, ${size}`, () => {
  bench('library: service.conversionFunnel({ pipelineId, from, to })', async () => {
    await service.conversionFunnel(funnelOpts);
  }, slow);
  bench('baseline: GROUP BY per deal, GROUP BY per reach', () => {
    sqlFunnel(db, '', 'new-cars', from, to);
  }, slow);
});

describe(`store reports sqlite: pipeline waterfall for one quarter, deals closing in it, ${size}`, () => {
  bench('library: service.pipelineWaterfall({ from, to, pipelineId, closingFrom, closingTo })', async () => {
    await service.pipelineWaterfall(waterfallOpts);
  }, slow);
  bench('baseline: visits and changes in key order + one pass', () => {
    sqlWaterfall(db, '', waterfallOpts);
  }, slow);
});

describe(`store reports sqlite: dwell for one quarter, ${size}`, () => {
  bench('library: service.dwellStats({ from, to })', async () => {
    await service.dwellStats({ from, to, now: LATER });
  }, slow);
  bench('baseline: SQL over the visits table + one pass', () => {
    sqlDwell(db, '', from, to);
  }, slow);
});
