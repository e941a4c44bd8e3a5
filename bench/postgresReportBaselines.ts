// The period reports a developer would write by hand in PostgreSQL on the schema of
// bench/storage.postgres.baseline.ts (typed deal columns, `dev_visits`, `dev_changes`, keyed by
// tenant), plus a `dev_stages` table holding their pipelines' configuration: the baselines of
// bench/storage.postgres.reports.bench.ts. The definitions are the library's, as in
// bench/reportBaselines.ts: the funnel GROUP BY per deal then per reach, the dwell figures by the
// server's aggregates, the waterfall as visits and changes read in key order and walked in JS.
import type pg from 'pg';
import type { Funnel, StageDwellStats, WaterfallCurrency, Workspace } from '../src/index.js';
import { funnelOf, stageTable, walk, type Change, type ReachRow, type StageRow, type Visit, type WaterfallOptions } from './reportBaselines.js';
import { copyToDev, createDevSchema } from './storage.postgres.baseline.js';

/**
 * The developer's tables for tenant `to`: the deals, visits and change log of the library's tenant
 * `from` (change values as plain text, as the developer stores them: no JSON), and the stages of
 * the workspace's pipelines (position, position among the open stages, name, outcome).
 */
export async function loadDevReports(pool: pg.Pool, from: string, to: string, ws: Workspace): Promise<void> {
  await createDevSchema(pool);
  await pool.query(`CREATE TABLE IF NOT EXISTS dev_stages (tenant_id text NOT NULL, pipeline_id text NOT NULL, stage_id text NOT NULL,
    position integer NOT NULL, open_position integer, name text NOT NULL, outcome text NOT NULL, PRIMARY KEY (tenant_id, pipeline_id, stage_id))`);
  await copyToDev(pool, from, to);
  await pool.query('DELETE FROM dev_changes WHERE tenant_id = $1', [to]);
  await pool.query(`INSERT INTO dev_changes SELECT $2, deal_id, at, "by", field, from_value::json #>> '{}', to_value::json #>> '{}'
    FROM sp_deal_changes WHERE tenant_id = $1`, [from, to]);
  await pool.query('DELETE FROM dev_stages WHERE tenant_id = $1', [to]);
  const rows = stageTable(ws);
  const column = (k: number) => rows.map((r) => r[k]);
  await pool.query(`INSERT INTO dev_stages SELECT $1, * FROM unnest($2::text[], $3::text[], $4::integer[], $5::integer[], $6::text[], $7::text[])`,
    [to, column(0), column(1), column(2), column(3), column(4), column(5)]);
}

/** Deletes what loadDevReports wrote for tenants whose id starts with `prefix`. */
export async function deleteDevReports(pool: pg.Pool, prefix: string): Promise<void> {
  for (const table of ['dev_stages', 'dev_visits', 'dev_changes', 'dev_deals']) {
    await pool.query(`DELETE FROM ${table} WHERE tenant_id LIKE $1`, [`${prefix}%`]).catch((e: { code?: string }) => {
      if (e.code !== '42P01') throw e; // a table never created has nothing to delete
    });
  }
}

const rowsOf = async <T>(pool: pg.Pool, text: string, values: unknown[]): Promise<T[]> => (await pool.query<T[]>({ text, values, rowMode: 'array' })).rows as T[];

/**
 * conversionFunnel: the cohort is the deals whose first visit to the pipeline began in `[from, to)`,
 * counting only its visits that began before `to`; a deal's reach is its furthest open stage by
 * position, or past the last once it entered a won stage: one GROUP BY per deal, one over reaches.
 */
export async function pgFunnel(pool: pg.Pool, tenantId: string, pipelineId: string, from: number, to: number): Promise<Funnel> {
  const stages = await rowsOf<StageRow>(pool, 'SELECT stage_id, name, outcome, open_position FROM dev_stages WHERE tenant_id = $1 AND pipeline_id = $2 ORDER BY position', [tenantId, pipelineId]);
  const openCount = stages.filter((s) => s[2] === 'open').length;
  const rows = await rowsOf<ReachRow>(pool, `WITH r AS (
      SELECT min(v.entered_at) AS first, max(CASE s.outcome WHEN 'open' THEN s.open_position WHEN 'won' THEN $4 ELSE -1 END) AS reach,
        bool_or(s.outcome = 'won') AS won, bool_or(s.outcome = 'lost') AS lost
      FROM dev_visits v LEFT JOIN dev_stages s ON s.tenant_id = v.tenant_id AND s.pipeline_id = v.pipeline_id AND s.stage_id = v.stage_id
      WHERE v.tenant_id = $1 AND v.pipeline_id = $2 AND v.entered_at < $3 GROUP BY v.deal_id)
    SELECT reach, won, lost, count(*)::integer FROM r WHERE first >= $5 GROUP BY 1, 2, 3`, [tenantId, pipelineId, to, openCount, from]);
  return funnelOf(pipelineId, stages, rows);
}

/**
 * dwellStats over a period: the completed visits that exited in `[from, to)`, per (pipeline, stage):
 * their number, the mean of their durations (negative ones count as 0), the median (the mean of the
 * two middle ones for an even count: percentile_cont(0.5)), p90 at rank ceil(0.9 n)
 * (percentile_disc(0.9)) and the max.
 */
export async function pgDwell(pool: pg.Pool, tenantId: string, from: number, to: number): Promise<StageDwellStats[]> {
  const rows = await rowsOf<[string | null, string, number, string, number, string, string]>(pool, `
    SELECT pipeline_id, stage_id, count(*)::integer, sum(d), percentile_cont(0.5) WITHIN GROUP (ORDER BY d),
      percentile_disc(0.9) WITHIN GROUP (ORDER BY d), max(d)
    FROM (SELECT pipeline_id, stage_id, greatest(0, exited_at - entered_at) AS d FROM dev_visits
          WHERE tenant_id = $1 AND exited_at >= $2 AND exited_at < $3) v
    GROUP BY 1, 2`, [tenantId, from, to]);
  return rows.map(([pipelineId, stageId, visits, sum, median, p90, max]) => ({
    pipelineId, stageId, visits, meanMs: Number(sum) / visits, medianMs: median, p90Ms: Number(p90), maxMs: Number(max),
  }));
}

/**
 * pipelineWaterfall: the visits begun before `to` (with their stage's outcome) and the changes of
 * amount, closing date and currency, each read once in (deal, time) order, and the deals' current
 * currency and closing date; walked as bench/reportBaselines.ts walks them. A visit's closing date
 * is the one in force when it began: the old value of the deal's first logged change of it, else
 * its current one (only visits before that first change are read for it).
 */
export async function pgWaterfall(pool: pg.Pool, tenantId: string, o: WaterfallOptions): Promise<Record<string, WaterfallCurrency>> {
  const [visits, changes, deals] = await Promise.all([
    rowsOf<Visit>(pool, `SELECT v.deal_id, v.entered_at::float8, v.pipeline_id, coalesce(s.outcome, 'open'), v.amount, NULL
      FROM dev_visits v LEFT JOIN dev_stages s ON s.tenant_id = v.tenant_id AND s.pipeline_id = v.pipeline_id AND s.stage_id = v.stage_id
      WHERE v.tenant_id = $1 AND v.entered_at < $2 ORDER BY v.deal_id, v.seq`, [tenantId, o.to]),
    rowsOf<Change>(pool, `SELECT deal_id, at::float8, field, from_value, to_value FROM dev_changes
      WHERE tenant_id = $1 AND field IN ('amount', 'closingDate', 'currency') ORDER BY deal_id, at`, [tenantId]),
    rowsOf<[string, string | null, string | null]>(pool, 'SELECT id, currency, closing_date FROM dev_deals WHERE tenant_id = $1 ORDER BY id', [tenantId]),
  ]);
  const firstClosing = new Map<string, string | null>();
  for (const c of changes) if (c[2] === 'closingDate' && !firstClosing.has(c[0])) firstClosing.set(c[0], c[3]);
  let d = 0;
  for (const v of visits) {
    while (deals[d]![0] !== v[0]) d++;
    v[5] = firstClosing.has(v[0]) ? firstClosing.get(v[0])! : deals[d]![2];
  }
  return walk(o, visits, changes, deals);
}
