// The service over the PostgreSQL adapter against hand-written SQL on the same server, same data,
// same run. Runs only when SALES_PIPELINES_PG_URL names a server (it writes tenants named
// `bench:*` there and deletes them again):
//   eval "$(bash scripts/pg-cluster.sh start)" && npx vitest bench --run bench/storage.postgres.bench.ts; bash scripts/pg-cluster.sh stop
import pg from 'pg';
import { afterAll, bench, describe } from 'vitest';
import { createPipelineService, dwellStats, type Deal, type PipelineService } from 'sales-pipelines';
import { createPostgresRepositories, fromPgPool, migratePostgres, type PostgresClient } from 'sales-pipelines/postgres';
import { LATER, makeDeals, ws } from './data.js';
import { PROBABILITY } from './sqliteBaselines.js';

const URL = process.env.SALES_PIPELINES_PG_URL;
const N = 100_000;
const once = { iterations: 2, time: 0, warmupIterations: 0, warmupTime: 0 };
const timed = { time: 3000, warmupIterations: 5 };
// Reads over the same 800k visit rows: one warm-up run each, so that no side pays for a cold cache.
const warmOnce = { iterations: 3, time: 0, warmupIterations: 1, warmupTime: 0 };

const pool = URL ? new pg.Pool({ connectionString: URL, max: 12 }) : null;
const client: PostgresClient | null = pool ? fromPgPool(pool) : null;
// SALES_PIPELINES_BENCH_KEEP=1 keeps the seeded tenants for the next run (seeding takes minutes).
const keep = process.env.SALES_PIPELINES_BENCH_KEEP === '1';
afterAll(async () => {
  if (pool) {
    if (!keep) for (const table of ['sp_stage_visits', 'sp_deals', 'sp_workspace', 'sp_outbox']) await pool.query(`DELETE FROM ${table} WHERE tenant_id LIKE 'bench:%'`);
    await pool.end();
  }
}, 600_000);

/** Reports a failing operation (tinybench would only print NaN). */
const loud = (fn: () => Promise<unknown>) => async () => {
  try {
    await fn();
  } catch (e) {
    console.error(e);
    throw e;
  }
};

const stageOf = { lib: new Map<string, string>(), sql: new Map<string, string>() };
const bulkIn: { lib: 'new-cars' | 'used-cars'; sql: 'new-cars' | 'used-cars' } = { lib: 'new-cars', sql: 'new-cars' };

let clockAt = LATER;
const clock = () => (clockAt += 1000);
const serviceOf = (tenantId: string) => createPipelineService({ ...createPostgresRepositories(client!, { tenantId }), clock, chunkSize: 1000, maxRetries: 50 });

async function seed(tenantId: string, deals: readonly Deal[]): Promise<void> {
  const { rows } = await pool!.query<{ n: number }>('SELECT count(*)::int AS n FROM sp_deals WHERE tenant_id = $1', [tenantId]);
  if (rows[0]!.n === deals.length) return; // kept from an earlier run
  for (const table of ['sp_stage_visits', 'sp_deals', 'sp_workspace', 'sp_outbox']) await pool!.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [tenantId]);
  const repos = createPostgresRepositories(client!, { tenantId });
  await repos.workspace.save(ws, 0);
  for (let i = 0; i < deals.length; i += 2000) {
    await repos.deals.save(deals.slice(i, i + 2000).map((deal) => ({ deal, expectedVersion: null })));
  }
}

if (client && pool) {
  await migratePostgres(client);
  const big = makeDeals(N, 8);
  const small = makeDeals(1_000, 8);
  const mid = makeDeals(10_000, 8);
  const started = Date.now();
  await Promise.all([seed('bench:bulk:lib', big), seed('bench:bulk:sql', big)]);
  await Promise.all([seed('bench:one', big), seed('bench:dispatch:lib', mid), seed('bench:dispatch:sql', mid)]);
  for (let t = 0; t < 100; t += 10) await Promise.all(Array.from({ length: 10 }, (_, i) => seed(`bench:many:${t + i}`, small)));
  await pool.query('ANALYZE');
  // Kept tenants start where the last run left them.
  for (const [side, tenantId] of [['lib', 'bench:dispatch:lib'], ['sql', 'bench:dispatch:sql']] as const) {
    const { rows } = await pool.query<{ id: string; stage_id: string }>('SELECT id, stage_id FROM sp_deals WHERE tenant_id = $1', [tenantId]);
    for (const r of rows) stageOf[side].set(r.id, r.stage_id);
  }
  for (const [side, tenantId] of [['lib', 'bench:bulk:lib'], ['sql', 'bench:bulk:sql']] as const) {
    const { rows } = await pool.query<{ pipeline_id: 'new-cars' | 'used-cars' }>('SELECT pipeline_id FROM sp_deals WHERE tenant_id = $1 LIMIT 1', [tenantId]);
    bulkIn[side] = rows[0]!.pipeline_id;
  }
  console.log(`420k deals (3.36M visits) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

describe.runIf(URL)('storage on PostgreSQL', () => {
  // --- bulk move of 100k deals to the other pipeline with a stage map, and back ---------------
  const maps = { 'used-cars': { requirements: 'show-models' }, 'new-cars': { 'show-models': 'requirements' } } as const;
  const bulkLib = URL ? serviceOf('bench:bulk:lib') : null;

  describe('postgres: bulk move of 100k deals to another pipeline with a stage map', () => {
    bench('library: service.bulkUpdate by query (chunks of 1,000)', async () => {
      const to = bulkIn.lib === 'new-cars' ? 'used-cars' : 'new-cars';
      const report = await bulkLib!.bulkUpdate({ query: { pipelineId: bulkIn.lib }, change: { type: 'moveToPipeline', pipelineId: to, stageMap: maps[to] }, mode: 'bestEffort', by: 'bench' });
      if (report.updated.length !== N) throw new Error(`moved ${report.updated.length}`);
      bulkIn.lib = to;
    }, once);

    bench('baseline: hand-written SQL (one statement: deals, close the open visit, insert the new one)', async () => {
      const to = bulkIn.sql === 'new-cars' ? 'used-cars' : 'new-cars';
      await pool!.query(
        `WITH moved AS (
           UPDATE sp_deals d SET pipeline_id = $3, stage_id = coalesce($4::jsonb->>d.stage_id, d.stage_id), version = d.version + 1,
                  visit_count = d.visit_count + 1, stage_entered_at = $5, updated_at = $5,
                  probability = ($6::jsonb->>coalesce($4::jsonb->>d.stage_id, d.stage_id))::float8,
                  body = d.body || jsonb_build_object('pipelineId', $3::text, 'stageId', coalesce($4::jsonb->>d.stage_id, d.stage_id), 'version', d.version + 1, 'updatedAt', $5::bigint,
                                                      'probability', ($6::jsonb->>coalesce($4::jsonb->>d.stage_id, d.stage_id))::float8)
                         -- the deal's change log records a probability the move changes, as the library's does
                         || CASE WHEN ($6::jsonb->>coalesce($4::jsonb->>d.stage_id, d.stage_id))::float8 = d.probability THEN '{}'::jsonb
                            ELSE jsonb_build_object('changes', coalesce(d.body->'changes', '[]'::jsonb) || jsonb_build_array(jsonb_build_object('at', $5::bigint, 'by', 'bench',
                                 'field', 'probability', 'from', d.probability, 'to', ($6::jsonb->>coalesce($4::jsonb->>d.stage_id, d.stage_id))::float8))) END
           WHERE d.tenant_id = $1 AND d.pipeline_id = $2
           RETURNING d.id, d.visit_count, d.stage_id, d.layout_id, d.amount, d.probability),
         closed AS (
           UPDATE sp_stage_visits v SET exited_at = $5 FROM moved m
           WHERE v.tenant_id = $1 AND v.deal_id = m.id AND v.seq = m.visit_count - 2)
         INSERT INTO sp_stage_visits (tenant_id, deal_id, seq, layout_id, pipeline_id, stage_id, entered_at, exited_at, amount, probability,
                                      expected_revenue, closing_date, forecast_category, outcome, "by", bypassed_rules)
         SELECT $1, m.id, m.visit_count - 1, m.layout_id, $3, m.stage_id, $5, NULL, m.amount, m.probability, m.amount * m.probability / 100,
                '2026-06-30', 'commit', 'open', 'bench', false FROM moved m`,
        ['bench:bulk:sql', bulkIn.sql, to, JSON.stringify(maps[to]), clock(), JSON.stringify(PROBABILITY[to])],
      );
      bulkIn.sql = to;
    }, once);
  });

  // --- one dispatch(moveToStage), back and forth between quote and negotiation ---------------
  const dispatchLib = URL ? serviceOf('bench:dispatch:lib') : null;
  const flip = (side: 'lib' | 'sql', id: string) => {
    const next = (stageOf[side].get(id) ?? 'negotiation') === 'negotiation' ? 'quote' : 'negotiation';
    stageOf[side].set(id, next);
    return next;
  };
  let libNext = 0;
  let sqlNext = 0;
  const dispatchById = (n: number) => `deal-${n % 10_000}`;

  async function libraryDispatch(id: string): Promise<void> {
    await dispatchLib!.dispatch(id, { type: 'moveToStage', stageId: flip('lib', id) }, { by: 'bench' });
  }

  /** What a developer writes by hand: lock, read, check, update the deal, close the visit, add one. */
  async function handWrittenDispatch(id: string): Promise<void> {
    const to = flip('sql', id);
    const at = clock();
    const c = await pool!.connect();
    try {
      await c.query('BEGIN');
      const { rows } = await c.query<{ version: number; stage_id: string; visit_count: number; amount: number | null; probability: number }>(
        'SELECT version, stage_id, visit_count, amount, probability FROM sp_deals WHERE tenant_id = $1 AND id = $2 FOR UPDATE', ['bench:dispatch:sql', id]);
      const row = rows[0];
      if (!row || row.stage_id === to) throw new Error('unexpected state');
      const probability = to === 'quote' ? 60 : 80;
      // The deal's change log records a probability the move changes, as the library's does.
      const logged = row.probability === probability ? '' :
        `|| jsonb_build_object('changes', coalesce(body->'changes', '[]'::jsonb) || jsonb_build_array(jsonb_build_object('at', $4::bigint, 'by', 'bench', 'field', 'probability', 'from', probability, 'to', $5::float8)))`;
      await c.query(
        `UPDATE sp_deals SET stage_id = $3, version = version + 1, visit_count = visit_count + 1, stage_entered_at = $4, updated_at = $4, probability = $5,
                body = body || jsonb_build_object('stageId', $3::text, 'version', version + 1, 'updatedAt', $4::bigint, 'probability', $5::float8) ${logged}
         WHERE tenant_id = $1 AND id = $2`, ['bench:dispatch:sql', id, to, at, probability]);
      await c.query('UPDATE sp_stage_visits SET exited_at = $4 WHERE tenant_id = $1 AND deal_id = $2 AND seq = $3', ['bench:dispatch:sql', id, row.visit_count - 1, at]);
      await c.query(
        `INSERT INTO sp_stage_visits (tenant_id, deal_id, seq, layout_id, pipeline_id, stage_id, entered_at, exited_at, amount, probability,
                                      expected_revenue, closing_date, forecast_category, outcome, "by", bypassed_rules)
         VALUES ($1, $2, $3, 'sales', 'new-cars', $4, $5, NULL, $6::float8, $7::float8, $6::float8 * $7::float8 / 100, '2026-06-30', 'commit', 'open', 'bench', false)`,
        ['bench:dispatch:sql', id, row.visit_count, to, at, row.amount, probability]);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK');
      throw e;
    } finally {
      c.release();
    }
  }

  describe('postgres: one dispatch(moveToStage), 1 caller', () => {
    bench('library: service.dispatch', loud(() => libraryDispatch(dispatchById(libNext++))), timed);
    bench('baseline: hand-written read-check-update transaction', loud(() => handWrittenDispatch(dispatchById(sqlNext++))), timed);
  });

  describe('postgres: 80 dispatches(moveToStage) by 8 concurrent callers', () => {
    const eight = (run: (id: string) => Promise<void>, next: () => number) =>
      Promise.all(Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 10; i++) await run(dispatchById(next()));
      }));
    bench('library: service.dispatch', loud(() => eight(libraryDispatch, () => libNext++)), timed);
    bench('baseline: hand-written read-check-update transaction', loud(() => eight(handWrittenDispatch, () => sqlNext++)), timed);
  });

  // --- dwell statistics over 100k stored deals ------------------------------------------------
  describe('postgres: dwell statistics over 100k stored deals (800k visits)', () => {
    const repos = URL ? createPostgresRepositories(client!, { tenantId: 'bench:one' }) : null;
    const dwellService = URL ? serviceOf('bench:one') : null;
    bench('library: service.dwellStats (visits.dwell: the statistics in SQL)', async () => {
      const rows = await dwellService!.dwellStats({ now: LATER });
      if (rows.length === 0) throw new Error('no dwell rows');
    }, warmOnce);
    bench('library: deals.list pages of 1,000 + dwellStats', async () => {
      const deals: Deal[] = [];
      for (let page = await repos!.deals.list({ limit: 1000 }); ; page = await repos!.deals.list({ after: page.next, limit: 1000 })) {
        for (const d of page.deals) deals.push(d);
        if (page.next === null) break;
      }
      dwellStats(deals, { now: LATER });
    }, warmOnce);
    bench('library: visits.list pages of 10,000 (the rows a visits-based metric reads)', async () => {
      let n = 0;
      for (let page = await repos!.visits.list({ limit: 10_000 }); ; page = await repos!.visits.list({ after: page.next, limit: 10_000 })) {
        n += page.visits.length;
        if (page.next === null) break;
      }
      if (n !== 8 * N) throw new Error(`read ${n} visits`);
    }, warmOnce);
    bench('baseline: SQL over the visits table (count, mean, median, p90, max per stage)', async () => {
      await pool!.query(
        `SELECT pipeline_id, stage_id, count(*), avg(exited_at - entered_at), percentile_cont(0.5) WITHIN GROUP (ORDER BY exited_at - entered_at),
                percentile_cont(0.9) WITHIN GROUP (ORDER BY exited_at - entered_at), max(exited_at - entered_at)
         FROM sp_stage_visits WHERE tenant_id = $1 AND exited_at IS NOT NULL GROUP BY pipeline_id, stage_id`, ['bench:one']);
    }, warmOnce);
  });

  // --- 100 tenants x 1,000 deals against 1 tenant x 100,000 in the same database --------------
  // Point operations only: a board summary reads every deal of a pipeline, so it grows with the tenant by definition.
  describe('postgres: tenants, one operation mix (updateDeal dispatch, get, a page of 100) per call', () => {
    const services = new Map<string, PipelineService>();
    const service = (tenantId: string) => services.get(tenantId) ?? services.set(tenantId, serviceOf(tenantId)).get(tenantId)!;
    let k = 0;
    const mix = async (tenantId: string, deals: number) => {
      k++;
      const s = service(tenantId);
      const repos = createPostgresRepositories(client!, { tenantId });
      await s.dispatch(`deal-${(k * 7919) % deals}`, { type: 'updateDeal', patch: { amount: 1000 + (k % 100) } });
      await repos.deals.list({ pipelineId: 'new-cars', stageId: 'negotiation', after: `deal-${(k * 104729) % deals}`, limit: 100 });
      await repos.deals.get(`deal-${(k * 15485863) % deals}`);
    };
    // Warm-up visits every tenant, so neither side pays for its first call to a tenant.
    const warm = { time: 3000, warmupIterations: 200 };
    bench('library: 100 tenants x 1,000 deals (a random tenant per call)', loud(() => mix(`bench:many:${k % 100}`, 1_000)), warm);
    bench('baseline: 1 tenant x 100,000 deals', loud(() => mix('bench:one', N)), warm);
  });
});
