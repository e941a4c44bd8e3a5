import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createMemoryRepositories, type BulkRequest, type Repositories } from '../../src/index.js';
import { memoryWithTails } from '../helpers/memoryWithTails.js';
import { configureSqlite, createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { createPostgresRepositories } from '../../src/postgres.js';
import { freshTenant, pgliteDatabase } from '../adapters/postgresDatabases.js';
import { allDeals, dealerService } from './helpers.js';

async function sqlite(): Promise<Repositories> {
  const db = new Database(':memory:');
  configureSqlite(db);
  migrateSqlite(db);
  return createSqliteRepositories(db);
}

const pgliteDb = pgliteDatabase();
async function pglite(): Promise<Repositories> {
  return createPostgresRepositories(await pgliteDb(), { tenantId: freshTenant() });
}

const requests: BulkRequest[] = [
  { query: { pipelineId: 'new-cars' }, change: { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } }, mode: 'bestEffort', by: 'boss' },
  { dealIds: ['d0', 'd3', 'd5', 'zz'], change: { type: 'moveToStage', stageId: 'test-drive' }, mode: 'bestEffort' },
  { dealIds: ['d1', 'd2'], change: { type: 'closeDeal', outcome: 'lost' }, mode: 'atomic' },
  { dealIds: ['d1', 'd2', 'd6'], change: { type: 'closeDeal', outcome: 'lost', lostReason: 'Budget' }, mode: 'atomic', expectedVersions: { d1: 3 } },
  { query: { pipelineId: 'used-cars', stageId: 'test-drive' }, change: { type: 'updateDeal', patch: { amount: 12_500 } }, mode: 'atomic' },
  { query: { pipelineId: 'used-cars' }, change: { type: 'moveToPipeline', pipelineId: 'new-cars', stageMap: { 'show-models': 'requirements', 'test-drive': 'requirements' } }, mode: 'bestEffort' },
];

/** Runs the same deals and bulk updates on `repos` and returns every report and the deals stored at the end. */
async function run(repos: Repositories) {
  const { service } = await dealerService({ chunkSize: 3 }, repos);
  for (let i = 0; i < 8; i++) await service.createDeal({ id: `d${i}`, layoutId: 'sales', name: `D${i}`, amount: 1000 * (i + 1) });
  await service.dispatch('d7', { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'quote' });
  await service.dispatch('d6', { type: 'moveToStage', stageId: 'test-drive' });
  await service.dispatch('d6', { type: 'moveToStage', stageId: 'quote' });
  await service.createDeal({ id: 's0', layoutId: 'service', name: 'S0' });
  const reports = [];
  for (const request of requests) reports.push(await service.bulkUpdate(request));
  await service.dispatch('d0', { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'test-drive' });
  // A configuration change that moves deals: the service sweeps them page by page.
  await service.configure({ type: 'deletePipeline', pipelineId: 'used-cars', transferTo: { pipelineId: 'new-cars', stageMap: { 'show-models': 'requirements' } } });
  return { reports, deals: await allDeals(repos) };
}

/** The memory store without its tail reads: the service then reads and saves whole deals. */
function wholeDeals(): Repositories {
  const repos = createMemoryRepositories();
  const { getTails: _g, listTails: _l, ...deals } = repos.deals;
  return { ...repos, deals };
}

describe('bulkUpdate and configuration sweeps over a store that hands out tails', () => {
  it('stores the same deals and reports the same as over whole deals, saving each tail with its historyStart', async () => {
    const whole = await run(wholeDeals());
    const { repos, starts } = memoryWithTails();
    expect(await run(repos)).toEqual(whole);
    // Each deal planned from a tail was saved from its last stored visit on.
    expect(starts.length).toBeGreaterThan(10);
    for (const [historyStart, stored] of starts) expect(historyStart).toBe(stored - 1);
  });

  it.each([
    ['sqlite', sqlite],
    ['postgres (PGlite)', pglite],
  ])('%s: stores the same deals and reports the same as the memory store', async (_name, make) => {
    const whole = await run(wholeDeals());
    expect(await run(await make())).toEqual(whole);
  });
});
