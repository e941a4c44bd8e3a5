import type { PostgresQueryable } from './client.js';

// Schema version 2 (0.2) kept each deal as a JSON body (without its history) beside a few
// columns. Version 3 keeps no body: its fields become typed columns, its change log rows of
// sp_deal_changes, and outbox rows gain the delivery columns. Done in SQL inside the migration's
// transaction; only `name_key` (JavaScript's lower-casing, which SQL `lower()` does not match for
// every script) is written from JavaScript afterwards, chunk by chunk (see `fillNameKeys`).

/**
 * The indexes that serve deal listings: one per filter shape and one per sort key that a move
 * leaves alone, each ending in id. None by updated_at or stage_entered_at: every move changes
 * both, so each would be rewritten by every dispatch and bulk move; a listing sorted by them is a
 * top-N sort of the rows its filters select (docs/postgres.md).
 */
export const DEAL_INDEXES: readonly string[] = [
  `CREATE INDEX IF NOT EXISTS sp_deals_by_layout ON sp_deals (tenant_id, layout_id, id)`,
  `CREATE INDEX IF NOT EXISTS sp_deals_by_stage ON sp_deals (tenant_id, pipeline_id, stage_id, id)`,
  `CREATE INDEX IF NOT EXISTS sp_deals_by_owner ON sp_deals (tenant_id, owner_id, closing_date, id)`,
  `CREATE INDEX IF NOT EXISTS sp_deals_by_amount ON sp_deals (tenant_id, amount, id)`,
  `CREATE INDEX IF NOT EXISTS sp_deals_by_closing_date ON sp_deals (tenant_id, closing_date, id)`,
  `CREATE INDEX IF NOT EXISTS sp_deals_by_name ON sp_deals (tenant_id, name_key, id)`,
];

/**
 * What a claim reads: events never tried by seq, events waiting for a retry by due time (so that a
 * backlog not yet due is not read by every claim). migratePostgres creates them on a database of
 * the current version that lacks them too.
 */
export const OUTBOX_CLAIM_INDEXES: readonly string[] = [
  `CREATE INDEX IF NOT EXISTS sp_outbox_fresh ON sp_outbox (tenant_id, seq) WHERE delivered_at IS NULL AND parked_at IS NULL AND due_at IS NULL`,
  `CREATE INDEX IF NOT EXISTS sp_outbox_retry ON sp_outbox (tenant_id, due_at, seq) WHERE delivered_at IS NULL AND parked_at IS NULL AND due_at IS NOT NULL`,
];

/**
 * The outbox's partial indexes: due rows by seq (what `pending` and claims scan, so a read costs
 * the rows it returns, not the delivered history), each stream's undelivered rows in (version, n)
 * order, delivered rows by delivery time (purge), parked rows by seq.
 */
export const OUTBOX_INDEXES: readonly string[] = [
  `CREATE INDEX IF NOT EXISTS sp_outbox_due ON sp_outbox (tenant_id, seq) WHERE delivered_at IS NULL AND parked_at IS NULL`,
  ...OUTBOX_CLAIM_INDEXES,
  `CREATE INDEX IF NOT EXISTS sp_outbox_streams ON sp_outbox (tenant_id, deal_id, version, n) WHERE delivered_at IS NULL AND parked_at IS NULL`,
  `CREATE INDEX IF NOT EXISTS sp_outbox_delivered ON sp_outbox (tenant_id, delivered_at) WHERE delivered_at IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS sp_outbox_parked ON sp_outbox (tenant_id, seq) WHERE parked_at IS NOT NULL AND delivered_at IS NULL`,
];

export const UPGRADE_FROM_V2: readonly string[] = [
  `ALTER TABLE sp_deals ADD COLUMN name text, ADD COLUMN name_key text COLLATE "C", ADD COLUMN closing_date text COLLATE "C",
     ADD COLUMN owner_id text COLLATE "C", ADD COLUMN lost_reason text, ADD COLUMN outcome text, ADD COLUMN created_at bigint,
     ADD COLUMN change_count integer, ADD COLUMN fields jsonb`,
  `UPDATE sp_deals SET name = body->>'name', name_key = body->>'name', closing_date = body->>'closingDate',
     owner_id = body->>'ownerId', lost_reason = body->>'lostReason', created_at = (body->>'createdAt')::bigint,
     change_count = CASE WHEN body ? 'changes' THEN jsonb_array_length(body->'changes') END,
     fields = coalesce(body->'fields', '{}'::jsonb)`,
  `UPDATE sp_deals d SET outcome = v.outcome FROM sp_stage_visits v
     WHERE v.tenant_id = d.tenant_id AND v.deal_id = d.id AND v.seq = d.visit_count - 1`,
  // A deal row whose last visit is missing (edited by hand) keeps an open outcome rather than failing the upgrade.
  `UPDATE sp_deals SET outcome = 'open' WHERE outcome IS NULL`,
  `CREATE TABLE sp_deal_changes (
     tenant_id text COLLATE "C" NOT NULL, deal_id text COLLATE "C" NOT NULL, seq integer NOT NULL, at bigint NOT NULL, "by" text,
     field text NOT NULL, from_value text NOT NULL, to_value text NOT NULL,
     PRIMARY KEY (tenant_id, deal_id, seq))`,
  `INSERT INTO sp_deal_changes (tenant_id, deal_id, seq, at, "by", field, from_value, to_value)
     SELECT d.tenant_id, d.id, (c.n - 1)::integer, (c.v->>'at')::bigint, c.v->>'by', c.v->>'field',
            coalesce(c.v->'from', 'null'::jsonb)::text, coalesce(c.v->'to', 'null'::jsonb)::text
     FROM sp_deals d, jsonb_array_elements(CASE WHEN d.body ? 'changes' THEN d.body->'changes' ELSE '[]'::jsonb END) WITH ORDINALITY AS c(v, n)`,
  `ALTER TABLE sp_deals ALTER COLUMN name SET NOT NULL, ALTER COLUMN name_key SET NOT NULL, ALTER COLUMN outcome SET NOT NULL,
     ALTER COLUMN created_at SET NOT NULL, ALTER COLUMN fields SET NOT NULL, DROP COLUMN body`,
  ...DEAL_INDEXES,
  `ALTER TABLE sp_outbox ADD COLUMN n integer NOT NULL DEFAULT 0, ADD COLUMN attempts integer NOT NULL DEFAULT 0,
     ADD COLUMN due_at bigint, ADD COLUMN claimed_by text, ADD COLUMN claimed_until bigint, ADD COLUMN last_error text,
     ADD COLUMN parked_at bigint`,
  // Events of one save share a version: their place in it was their seq order.
  `UPDATE sp_outbox o SET n = r.n FROM (
     SELECT tenant_id, seq, (row_number() OVER (PARTITION BY tenant_id, deal_id, version ORDER BY seq) - 1)::integer AS n FROM sp_outbox
   ) r WHERE o.tenant_id = r.tenant_id AND o.seq = r.seq AND r.n > 0`,
  `DROP INDEX IF EXISTS sp_outbox_pending`,
  ...OUTBOX_INDEXES,
];

/** Writes `name_key` (the name lower-cased by JavaScript, as listings compare it) for every deal, 1000 at a time. */
export async function fillNameKeys(tx: PostgresQueryable): Promise<void> {
  let after: [string, string] = ['', ''];
  for (;;) {
    const { rows } = await tx.query<{ tenant_id: string; id: string; name: string }>(
      `SELECT tenant_id, id, name FROM sp_deals WHERE (tenant_id, id) > ($1, $2) ORDER BY tenant_id, id LIMIT 1000`,
      after,
    );
    if (rows.length === 0) return;
    const changed = rows.filter((r) => r.name.toLowerCase() !== r.name);
    if (changed.length > 0) {
      await tx.query(
        `UPDATE sp_deals d SET name_key = k.name_key FROM unnest($1::text[], $2::text[], $3::text[]) AS k(tenant_id, id, name_key)
         WHERE d.tenant_id = k.tenant_id AND d.id = k.id`,
        [changed.map((r) => r.tenant_id), changed.map((r) => r.id), changed.map((r) => r.name.toLowerCase())],
      );
    }
    const last = rows[rows.length - 1]!;
    after = [last.tenant_id, last.id];
  }
}
