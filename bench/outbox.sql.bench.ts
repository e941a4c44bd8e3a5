// One dispatch with 100,000 events pending in the outbox against the same dispatch with an empty
// outbox, on a SQLite file and (when SALES_PIPELINES_PG_URL names a server) on PostgreSQL. Both
// sides hold the same deals (the backlog's deals too; the empty side's events were delivered and
// purged); delivery is on in both. Two backlogs:
// - the consumer does not answer (a broker that is down): what is measured is the write alone,
//   whether it depends on the backlog (a write once drained the whole outbox before it returned);
// - the backlog waits for its retry after an outage, and the consumer is back: a dispatch and the
//   delivery of its own events, whose claim must not read through the events that are not due.
//   npx vitest bench --run bench/outbox.sql.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, bench, describe } from 'vitest';
import { applyDeal, createPipelineService, type DealEvent, type PipelineService, type Repositories } from 'sales-pipelines';
import { configureSqlite, createSqliteRepositories, migrateSqlite } from 'sales-pipelines/sqlite';
import { createPostgresRepositories, fromPgPool, migratePostgres } from 'sales-pipelines/postgres';
import { LATER, makeDeals, ws } from './data.js';

const POOL = 1000;
const BACKLOG = Number(process.env.SP_BENCH_BACKLOG ?? 100_000);
const PG_URL = process.env.SALES_PIPELINES_PG_URL;
const timed = { time: 5000, warmupIterations: 50 };

type Sql = (sql: string, params: unknown[]) => Promise<unknown>;
interface Store { repos: (tenantId: string) => Repositories; sql: Sql; param: (i: number) => string }

const dir = mkdtempSync(join(tmpdir(), 'sp-bench-outbox-'));
const db = new Database(join(dir, 'outbox.db'));
configureSqlite(db);
migrateSqlite(db);
const sqlite: Store = {
  repos: (tenantId) => createSqliteRepositories(db, { tenantId }),
  sql: async (sql, params) => db.prepare(sql).run(...params),
  param: () => '?',
};
const pool = PG_URL ? new pg.Pool({ connectionString: PG_URL, max: 4 }) : null;
const postgres: Store | null = pool ? {
  repos: (tenantId) => createPostgresRepositories(fromPgPool(pool), { tenantId }),
  sql: (sql, params) => pool.query(sql, params),
  param: (i) => `$${i}`,
} : null;
if (pool) await migratePostgres(fromPgPool(pool));
afterAll(async () => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
  if (pool) {
    for (const table of ['sp_stage_visits', 'sp_deal_changes', 'sp_deals', 'sp_workspace', 'sp_outbox']) await pool.query(`DELETE FROM ${table} WHERE tenant_id LIKE 'bench-outbox:%'`);
    await pool.end();
  }
}, 600_000);

type Backlog = 'none' | 'pending' | 'waiting for a retry';

/**
 * A tenant with the bench's deals and the backlog's deals, whose events are pending as `backlog`
 * says (delivered and purged for 'none'), and a service whose consumer answers or not.
 */
async function setUp(store: Store, backlog: Backlog, answers: boolean): Promise<{ service: PipelineService; dispatch: () => Promise<unknown> }> {
  const tenantId = `bench-outbox:${backlog}:${answers}:${Date.now()}`;
  const repos = store.repos(tenantId);
  await repos.workspace.save(ws, 0);
  const deals = makeDeals(POOL, 2);
  await repos.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
  for (let start = 0; start < BACKLOG; start += 5000) {
    const created = Array.from({ length: Math.min(5000, BACKLOG - start) }, (_, i) => applyDeal(ws, null, { type: 'createDeal', deal: { id: `b${start + i}`, layoutId: 'sales', name: 'Backlog' } }, { at: LATER }));
    const events: DealEvent[] = created.flatMap((c) => c.events);
    await repos.deals.save(created.map((c) => ({ deal: c.deal, expectedVersion: null })), { events });
  }
  const p = store.param;
  if (backlog === 'none') {
    await store.sql(`UPDATE sp_outbox SET delivered_at = 0 WHERE tenant_id = ${p(1)}`, [tenantId]);
    await repos.outbox!.purgeDelivered!(1);
  } else if (backlog === 'waiting for a retry') {
    await store.sql(`UPDATE sp_outbox SET attempts = 1, due_at = ${p(1)} WHERE tenant_id = ${p(2)}`, [LATER + 86_400_000, tenantId]);
  }
  let t = LATER;
  const service = createPipelineService({ ...repos, clock: () => (t += 1000), onEvents: answers ? async () => undefined : () => new Promise(() => {}) });
  let i = 0;
  return { service, dispatch: () => service.dispatch(`deal-${i++ % POOL}`, { type: 'updateDeal', patch: { amount: i } }) };
}

async function benches(name: string, store: Store): Promise<void> {
  const down = await setUp(store, 'pending', false);
  const downEmpty = await setUp(store, 'none', false);
  const waiting = await setUp(store, 'waiting for a retry', true);
  const empty = await setUp(store, 'none', true);
  // The purged rows of the empty sides would otherwise stay in PostgreSQL's indexes until autovacuum.
  if (store === postgres) await store.sql('VACUUM ANALYZE sp_outbox', []);
  // The backlog must be there after a dispatch: nothing delivered by the consumer that is down, nothing due of the retries.
  await down.dispatch();
  await downEmpty.dispatch();
  await waiting.dispatch();
  await waiting.service.idle();
  if ((await waiting.service.deliverPending()) !== 0) throw new Error('outbox bench: the retry backlog was delivered');

  describe(`outbox: one dispatch with ${BACKLOG.toLocaleString('en')} pending events vs an empty outbox (${name}, consumer down)`, () => {
    bench('library: dispatch, backlog pending', async () => {
      await down.dispatch();
    }, timed);
    bench('baseline: dispatch, empty outbox', async () => {
      await downEmpty.dispatch();
    }, timed);
  });

  describe(`outbox: one dispatch and its delivery with ${BACKLOG.toLocaleString('en')} events waiting for a retry vs an empty outbox (${name})`, () => {
    bench('library: dispatch and deliver, backlog waiting', async () => {
      await waiting.dispatch();
      await waiting.service.idle();
    }, timed);
    bench('baseline: dispatch and deliver, empty outbox', async () => {
      await empty.dispatch();
      await empty.service.idle();
    }, timed);
  });
}

await benches('SQLite file', sqlite);
if (postgres) await benches('PostgreSQL', postgres);
