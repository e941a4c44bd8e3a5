// What a developer writes by hand without the library: a schema of their own (one column per deal
// field, a visits table, a change-log table; no JSON document of the deal) and set-based SQL.
import type pg from 'pg';
import { PROBABILITY } from './sqliteBaselines.js';

export async function createDevSchema(pool: pg.Pool): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS dev_deals (
    tenant_id text NOT NULL, id text NOT NULL, layout_id text NOT NULL, pipeline_id text, stage_id text NOT NULL, name text NOT NULL,
    amount double precision, currency text, probability double precision NOT NULL, closing_date text, owner_id text, lost_reason text,
    created_at bigint NOT NULL, updated_at bigint NOT NULL, stage_entered_at bigint NOT NULL, version integer NOT NULL, fields jsonb NOT NULL,
    PRIMARY KEY (tenant_id, id))`);
  await pool.query(`CREATE INDEX IF NOT EXISTS dev_deals_stage ON dev_deals (tenant_id, pipeline_id, stage_id)`);
  await pool.query(`CREATE INDEX IF NOT EXISTS dev_deals_owner ON dev_deals (tenant_id, owner_id, closing_date)`);
  await pool.query(`CREATE TABLE IF NOT EXISTS dev_visits (
    tenant_id text NOT NULL, deal_id text NOT NULL, seq integer NOT NULL, pipeline_id text, stage_id text NOT NULL, entered_at bigint NOT NULL,
    exited_at bigint, amount double precision, probability double precision NOT NULL, "by" text, PRIMARY KEY (tenant_id, deal_id, seq))`);
  await pool.query(`CREATE TABLE IF NOT EXISTS dev_changes (
    tenant_id text NOT NULL, deal_id text NOT NULL, at bigint NOT NULL, "by" text, field text NOT NULL, from_value text, to_value text)`);
  await pool.query(`CREATE INDEX IF NOT EXISTS dev_changes_deal ON dev_changes (tenant_id, deal_id)`);
}

/** The same data on the developer's schema: copied from the library's tables of tenant `from`. */
export async function copyToDev(pool: pg.Pool, from: string, to: string): Promise<void> {
  for (const table of ['dev_visits', 'dev_changes', 'dev_deals']) await pool.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [to]);
  await pool.query(`INSERT INTO dev_deals SELECT $2, id, layout_id, pipeline_id, stage_id, name, amount, currency, probability, closing_date, owner_id,
    lost_reason, created_at, updated_at, stage_entered_at, version, fields FROM sp_deals WHERE tenant_id = $1`, [from, to]);
  await pool.query(`INSERT INTO dev_visits SELECT $2, deal_id, seq, pipeline_id, stage_id, entered_at, exited_at, amount, probability, "by"
    FROM sp_stage_visits WHERE tenant_id = $1`, [from, to]);
  await pool.query(`INSERT INTO dev_changes SELECT $2, deal_id, at, "by", field, from_value, to_value FROM sp_deal_changes WHERE tenant_id = $1`, [from, to]);
}

/** Runs `fn` on one connection between BEGIN and COMMIT (ROLLBACK when it throws). */
async function inTransaction(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<void>): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await fn(c);
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK');
    throw e;
  } finally {
    c.release();
  }
}

/** Moves every deal of pipeline `from` to `to` with a stage map, in one transaction of four set-based statements. */
export async function devBulkMove(pool: pg.Pool, tenantId: string, from: string, to: string, stageMap: Readonly<Record<string, string>>, at: number): Promise<void> {
  const mapped = `coalesce('${JSON.stringify(stageMap)}'::jsonb->>d.stage_id, d.stage_id)`;
  const probability = `(${`'${JSON.stringify(PROBABILITY[to])}'`}::jsonb->>${mapped})::float8`;
  await inTransaction(pool, async (c) => {
    await c.query(`UPDATE dev_visits v SET exited_at = $3 FROM dev_deals d
      WHERE d.tenant_id = $1 AND d.pipeline_id = $2 AND v.tenant_id = $1 AND v.deal_id = d.id AND v.exited_at IS NULL`, [tenantId, from, at]);
    await c.query(`INSERT INTO dev_changes SELECT $1, d.id, $3, 'bench', 'probability', d.probability::text, ${probability}::text FROM dev_deals d
      WHERE d.tenant_id = $1 AND d.pipeline_id = $2 AND d.probability <> ${probability}`, [tenantId, from, at]);
    await c.query(`INSERT INTO dev_visits SELECT $1, d.id, (SELECT max(seq) + 1 FROM dev_visits v WHERE v.tenant_id = $1 AND v.deal_id = d.id), $4,
        ${mapped}, $3, NULL, d.amount, ${probability}, 'bench'
      FROM dev_deals d WHERE d.tenant_id = $1 AND d.pipeline_id = $2`, [tenantId, from, at, to]);
    await c.query(`UPDATE dev_deals d SET pipeline_id = $4, stage_id = ${mapped}, probability = ${probability}, version = d.version + 1,
        updated_at = $3, stage_entered_at = $3 WHERE d.tenant_id = $1 AND d.pipeline_id = $2`, [tenantId, from, at, to]);
  });
}

/** One move by hand: lock and read the deal (and the workspace version), check, update the deal, close its visit, open one, log the change. */
export async function devDispatch(pool: pg.Pool, tenantId: string, id: string, to: string, at: number): Promise<void> {
  await inTransaction(pool, async (c) => {
    const { rows } = await c.query<{ version: number; stage_id: string; amount: number | null; probability: number; seq: number; ws: number }>(
      `SELECT d.version, d.stage_id, d.amount, d.probability, (SELECT max(seq) FROM dev_visits v WHERE v.tenant_id = $1 AND v.deal_id = $2) AS seq,
              (SELECT version FROM sp_workspace WHERE tenant_id = 'bench:dispatch:lib') AS ws
       FROM dev_deals d WHERE d.tenant_id = $1 AND d.id = $2 FOR UPDATE OF d`, [tenantId, id]);
    const row = rows[0];
    if (!row || row.stage_id === to) throw new Error(`unexpected state of ${id}`);
    const probability = to === 'quote' ? 60 : 80;
    await c.query(`UPDATE dev_deals SET stage_id = $3, probability = $4, version = version + 1, updated_at = $5, stage_entered_at = $5
      WHERE tenant_id = $1 AND id = $2`, [tenantId, id, to, probability, at]);
    await c.query('UPDATE dev_visits SET exited_at = $4 WHERE tenant_id = $1 AND deal_id = $2 AND seq = $3', [tenantId, id, row.seq, at]);
    await c.query(`INSERT INTO dev_visits VALUES ($1, $2, $3, 'new-cars', $4, $5, NULL, $6, $7, 'bench')`, [tenantId, id, row.seq + 1, to, at, row.amount, probability]);
    if (row.probability !== probability) {
      await c.query(`INSERT INTO dev_changes VALUES ($1, $2, $3, 'bench', 'probability', $4, $5)`, [tenantId, id, at, String(row.probability), String(probability)]);
    }
  });
}

/** A page of 100 by hand: the owner's deals closing in the month, biggest first, each with its current visit. */
export async function devPage(pool: pg.Pool, tenantId: string, owner: string, fromDate: string, toDate: string): Promise<number> {
  const { rows } = await pool.query(
    `SELECT d.*, v.entered_at, v.exited_at, v.amount AS visit_amount, v.probability AS visit_probability, v."by"
     FROM dev_deals d JOIN LATERAL (SELECT * FROM dev_visits v WHERE v.tenant_id = d.tenant_id AND v.deal_id = d.id ORDER BY seq DESC LIMIT 1) v ON true
     WHERE d.tenant_id = $1 AND d.owner_id = $2 AND d.closing_date BETWEEN $3 AND $4
     ORDER BY d.amount DESC NULLS LAST, d.id LIMIT 101`, [tenantId, owner, fromDate, toDate]);
  return rows.length;
}
