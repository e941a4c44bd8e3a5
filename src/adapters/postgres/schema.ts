import { PipelineError } from '../../errors.js';
import type { PostgresClient, PostgresQueryable } from './client.js';
import { guarded } from './driverErrors.js';
import { DEAL_INDEXES, fillNameKeys, OUTBOX_CLAIM_INDEXES, OUTBOX_INDEXES, UPGRADE_FROM_V2 } from './upgradeV2.js';
import { checkMigrationOptions, type MigrationOptions } from '../migration.js';

/** The schema version this adapter reads and writes. */
export const SCHEMA_VERSION = 3;

// Ids and keys compare byte by byte (collation "C"): the order listings page in, on every server locale.
const ID = 'text COLLATE "C"';

/** The tables of version 3 (every one distributed by tenant_id on a sharded server; see the README). */
export const CREATE: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS sp_schema (version integer NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS sp_workspace (
     tenant_id ${ID} NOT NULL, version integer NOT NULL, body jsonb NOT NULL,
     PRIMARY KEY (tenant_id))`,
  `CREATE TABLE IF NOT EXISTS sp_deals (
     tenant_id ${ID} NOT NULL, id ${ID} NOT NULL, layout_id ${ID} NOT NULL, pipeline_id ${ID}, stage_id ${ID} NOT NULL,
     name text NOT NULL, name_key ${ID} NOT NULL, amount double precision, currency text, probability double precision NOT NULL,
     closing_date ${ID}, owner_id ${ID}, lost_reason text, outcome text NOT NULL, created_at bigint NOT NULL,
     updated_at bigint NOT NULL, stage_entered_at bigint NOT NULL, version integer NOT NULL, visit_count integer NOT NULL,
     change_count integer, fields jsonb NOT NULL,
     PRIMARY KEY (tenant_id, id))`,
  ...DEAL_INDEXES,
  `CREATE TABLE IF NOT EXISTS sp_deal_changes (
     tenant_id ${ID} NOT NULL, deal_id ${ID} NOT NULL, seq integer NOT NULL, at bigint NOT NULL, "by" text,
     field text NOT NULL, from_value text NOT NULL, to_value text NOT NULL,
     PRIMARY KEY (tenant_id, deal_id, seq))`,
  `CREATE TABLE IF NOT EXISTS sp_stage_visits (
     tenant_id ${ID} NOT NULL, deal_id ${ID} NOT NULL, seq integer NOT NULL, layout_id ${ID} NOT NULL, pipeline_id ${ID},
     stage_id ${ID} NOT NULL, entered_at bigint NOT NULL, exited_at bigint, amount double precision,
     probability double precision NOT NULL, expected_revenue double precision, closing_date text,
     forecast_category text NOT NULL, outcome text NOT NULL, "by" text, bypassed_rules boolean NOT NULL,
     PRIMARY KEY (tenant_id, deal_id, seq))`,
  `CREATE INDEX IF NOT EXISTS sp_stage_visits_by_stage ON sp_stage_visits (tenant_id, pipeline_id, stage_id)`,
  `CREATE TABLE IF NOT EXISTS sp_outbox (
     tenant_id ${ID} NOT NULL, seq bigint GENERATED ALWAYS AS IDENTITY, event_id text NOT NULL, deal_id ${ID},
     version integer NOT NULL, n integer NOT NULL DEFAULT 0, body jsonb NOT NULL, delivered_at bigint,
     attempts integer NOT NULL DEFAULT 0, due_at bigint, claimed_by text, claimed_until bigint, last_error text, parked_at bigint,
     PRIMARY KEY (tenant_id, seq))`,
  ...OUTBOX_INDEXES,
];


// Version 1: one workspace row (id = 1) and one row per deal with its whole history in `body`;
// brought to version 2's shape here, then on through the version-2 upgrade.
const UPGRADE_FROM_V1: readonly string[] = [
  `DROP INDEX IF EXISTS sp_deals_layout`,
  `DROP INDEX IF EXISTS sp_deals_pipeline`,
  `DROP INDEX IF EXISTS sp_deals_stage`,
  `ALTER TABLE sp_workspace RENAME TO sp_workspace_v1`,
  `ALTER TABLE sp_deals RENAME TO sp_deals_v1`,
  `CREATE TABLE sp_schema (version integer NOT NULL)`,
  `CREATE TABLE sp_workspace (tenant_id ${ID} NOT NULL, version integer NOT NULL, body jsonb NOT NULL, PRIMARY KEY (tenant_id))`,
  `CREATE TABLE sp_deals (
     tenant_id ${ID} NOT NULL, id ${ID} NOT NULL, layout_id ${ID} NOT NULL, pipeline_id ${ID}, stage_id ${ID} NOT NULL,
     stage_entered_at bigint NOT NULL, currency text, amount double precision, probability double precision NOT NULL,
     updated_at bigint NOT NULL, version integer NOT NULL, visit_count integer NOT NULL, body jsonb NOT NULL,
     PRIMARY KEY (tenant_id, id))`,
  `CREATE TABLE sp_stage_visits (
     tenant_id ${ID} NOT NULL, deal_id ${ID} NOT NULL, seq integer NOT NULL, layout_id ${ID} NOT NULL, pipeline_id ${ID},
     stage_id ${ID} NOT NULL, entered_at bigint NOT NULL, exited_at bigint, amount double precision,
     probability double precision NOT NULL, expected_revenue double precision, closing_date text,
     forecast_category text NOT NULL, outcome text NOT NULL, "by" text, bypassed_rules boolean NOT NULL,
     PRIMARY KEY (tenant_id, deal_id, seq))`,
  `CREATE TABLE sp_outbox (
     tenant_id ${ID} NOT NULL, seq bigint GENERATED ALWAYS AS IDENTITY, event_id text NOT NULL, deal_id ${ID},
     version integer NOT NULL, body jsonb NOT NULL, delivered_at bigint, PRIMARY KEY (tenant_id, seq))`,
  `INSERT INTO sp_workspace (tenant_id, version, body) SELECT 'default', version, body FROM sp_workspace_v1`,
  `INSERT INTO sp_deals (tenant_id, id, layout_id, pipeline_id, stage_id, stage_entered_at, currency, amount, probability,
                         updated_at, version, visit_count, body)
     SELECT 'default', id, layout_id, pipeline_id, stage_id, (body->'history'->-1->>'enteredAt')::bigint, body->>'currency',
            (body->>'amount')::double precision, (body->>'probability')::double precision, (body->>'updatedAt')::bigint,
            version, jsonb_array_length(body->'history'), body - 'history'
     FROM sp_deals_v1`,
  `INSERT INTO sp_stage_visits (tenant_id, deal_id, seq, layout_id, pipeline_id, stage_id, entered_at, exited_at, amount,
                                probability, expected_revenue, closing_date, forecast_category, outcome, "by", bypassed_rules)
     SELECT 'default', d.id, (h.n - 1)::integer, d.layout_id, h.v->>'pipelineId', h.v->>'stageId', (h.v->>'enteredAt')::bigint,
            (h.v->>'exitedAt')::bigint, (h.v->>'amount')::double precision, (h.v->>'probability')::double precision,
            (h.v->>'expectedRevenue')::double precision, h.v->>'closingDate', h.v->>'forecastCategory', h.v->>'outcome',
            h.v->>'by', coalesce((h.v->>'bypassedRules')::boolean, false)
     FROM sp_deals_v1 d, jsonb_array_elements(d.body->'history') WITH ORDINALITY AS h(v, n)`,
  `DROP TABLE sp_deals_v1`,
  `DROP TABLE sp_workspace_v1`,
];

/** One step of a migration: one transaction that brings the database to version `to`. */
interface Step {
  readonly to: number;
  readonly statements: readonly string[];
  /** Whether `name_key` is filled from JavaScript after the statements. */
  readonly nameKeys: boolean;
}

/** The steps from a stored version (null: an empty database) to this adapter's. */
function stepsFrom(version: number | null): Step[] {
  const toV3: Step = { to: 3, statements: UPGRADE_FROM_V2, nameKeys: true };
  if (version === null) return [{ to: SCHEMA_VERSION, statements: CREATE, nameKeys: false }];
  if (version === 1) return [{ to: 2, statements: UPGRADE_FROM_V1, nameKeys: false }, toV3];
  if (version === 2) return [toV3];
  return [];
}

/** The claim indexes on a database of the current version made before they existed (see OUTBOX_CLAIM_INDEXES). */
async function addClaimIndexes(tx: PostgresQueryable): Promise<void> {
  // Looked up first: CREATE INDEX locks the table against writes even when the index exists.
  const { rows } = await tx.query<{ missing: boolean }>(`SELECT to_regclass('sp_outbox_fresh') IS NULL OR to_regclass('sp_outbox_retry') IS NULL AS missing`);
  if (rows[0]?.missing) for (const statement of OUTBOX_CLAIM_INDEXES) await tx.query(statement);
}

async function storedVersion(tx: PostgresQueryable): Promise<number | null> {
  const { rows } = await tx.query<{ schema: boolean; v1: boolean }>(
    `SELECT to_regclass('sp_schema') IS NOT NULL AS schema,
            EXISTS (SELECT 1 FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = 'sp_workspace' AND column_name = 'id') AS v1`,
  );
  if (rows[0]?.schema) {
    const { rows: versions } = await tx.query<{ version: number }>('SELECT max(version) AS version FROM sp_schema');
    return versions[0]?.version ?? null;
  }
  return rows[0]?.v1 ? 1 : null;
}

/**
 * Creates the adapter's tables (schema version 3) on an empty database, or upgrades one written
 * by an earlier release in place: version 2 (0.2: deals as JSON bodies) has each body split into
 * typed columns and change-log rows and its outbox rows gain the delivery columns; version 1 (the
 * 0.1 example adapter) is carried under the tenant `'default'`. Every deal, visit, change and
 * outbox row is kept. Idempotent; concurrent calls wait for each other (an advisory lock); a
 * database of a newer version is refused with `storage_failed`. Each step is one transaction
 * (creating the tables; version 1 → 2; version 2 → 3): `options.onProgress` is told after each
 * commits, and `options.signal` stops between steps, leaving the committed ones (the call returns
 * the version reached; running it again goes on from there).
 *
 * @param client - a {@link PostgresClient} (PGlite, or `fromPgPool(pool)`)
 * @param options - `onProgress`, `signal` (see {@link MigrationOptions})
 * @returns the schema version now stored (3, or an older one when `signal` stopped it; 0 for a
 *   database still empty)
 * @example
 * ```ts
 * const db = new PGlite();
 * await migratePostgres(db); // 3
 * await migratePostgres(db, { onProgress: ({ done, total, version }) => console.log(`${done}/${total} (version ${version})`) });
 * ```
 * @category PostgreSQL
 */
export async function migratePostgres(client: PostgresClient, options?: MigrationOptions): Promise<number> {
  const { onProgress, signal } = checkMigrationOptions(options);
  return guarded('migratePostgres', async () => {
    let done = 0;
    let total: number | null = null;
    for (;;) {
      // One transaction per step, each reading the version again: concurrent calls wait for
      // each other (the lock), and a call stopped between steps is continued by the next one.
      const { version, stepped } = await client.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sales-pipelines schema'))`);
        const stored = await storedVersion(tx);
        if (stored !== null && stored > SCHEMA_VERSION) {
          throw new PipelineError('storage_failed', `migratePostgres: the database holds schema version ${stored}, newer than this adapter's ${SCHEMA_VERSION}: upgrade sales-pipelines`, { version: stored });
        }
        const steps = stepsFrom(stored);
        total ??= steps.length;
        const step = steps[0];
        if (step === undefined && stored === SCHEMA_VERSION) await addClaimIndexes(tx);
        if (step === undefined || signal?.aborted) return { version: stored ?? 0, stepped: false };
        for (const statement of step.statements) await tx.query(statement);
        if (step.nameKeys) await fillNameKeys(tx);
        await tx.query('DELETE FROM sp_schema');
        await tx.query('INSERT INTO sp_schema (version) VALUES ($1)', [step.to]);
        return { version: step.to, stepped: true };
      });
      if (!stepped) return version;
      done++;
      onProgress?.({ done, total: Math.max(total ?? done, done), version });
    }
  });
}
