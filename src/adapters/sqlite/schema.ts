import { PipelineError, type Deal } from '../../index.js';
import type { SqliteDatabase } from './database.js';
import { toPipelineError } from './errors.js';
import { dealColumns, visitParams } from './rows.js';

/**
 * The schema version {@link migrateSqlite} creates, stored in `sp_schema`.
 *
 * @example
 * ```ts
 * migrateSqlite(db) === SCHEMA_VERSION; // true
 * ```
 */
export const SCHEMA_VERSION = 3;

/**
 * The tenant of databases written before tenants existed, and of repositories made without `tenantId`.
 *
 * @example
 * ```ts
 * createSqliteRepositories(db); // the same rows as createSqliteRepositories(db, { tenantId: DEFAULT_TENANT })
 * ```
 */
export const DEFAULT_TENANT = 'default';

// Every primary key and index starts with tenant_id. sp_outbox.seq is SQLite's AUTOINCREMENT
// rowid (rising in commit order across tenants); the unique index gives the (tenant_id, seq) key.
const TABLES = `
  CREATE TABLE IF NOT EXISTS sp_schema (version INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS sp_workspace (
    tenant_id TEXT    NOT NULL PRIMARY KEY,
    version   INTEGER NOT NULL,
    body      TEXT    NOT NULL
  ) WITHOUT ROWID;
  -- Version 3: every service call reads the workspace version; this index holds it in a small
  -- cell, so the read does not walk the workspace body's overflow pages.
  CREATE INDEX IF NOT EXISTS sp_workspace_by_version ON sp_workspace (tenant_id, version);
  CREATE TABLE IF NOT EXISTS sp_deals (
    tenant_id        TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    layout_id        TEXT    NOT NULL,
    pipeline_id      TEXT,
    stage_id         TEXT    NOT NULL,
    stage_entered_at INTEGER NOT NULL,
    currency         TEXT,
    amount           REAL,
    probability      REAL    NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL,
    visit_count      INTEGER NOT NULL,
    body             TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS sp_deals_by_layout   ON sp_deals (tenant_id, layout_id, id);
  CREATE INDEX IF NOT EXISTS sp_deals_by_pipeline ON sp_deals (tenant_id, pipeline_id, stage_id, id);
  CREATE TABLE IF NOT EXISTS sp_stage_visits (
    tenant_id         TEXT    NOT NULL,
    deal_id           TEXT    NOT NULL,
    seq               INTEGER NOT NULL,
    layout_id         TEXT    NOT NULL,
    pipeline_id       TEXT,
    stage_id          TEXT    NOT NULL,
    entered_at        INTEGER NOT NULL,
    exited_at         INTEGER,
    amount            REAL,
    probability       REAL    NOT NULL,
    expected_revenue  REAL,
    closing_date      TEXT,
    forecast_category TEXT    NOT NULL,
    outcome           TEXT    NOT NULL,
    "by"              TEXT,
    bypassed_rules    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, deal_id, seq)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS sp_stage_visits_by_stage ON sp_stage_visits (tenant_id, pipeline_id, stage_id);
  CREATE TABLE IF NOT EXISTS sp_outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id    TEXT    NOT NULL,
    event_id     TEXT    NOT NULL,
    deal_id      TEXT,
    version      INTEGER NOT NULL,
    body         TEXT    NOT NULL,
    delivered_at INTEGER
  );
  CREATE UNIQUE INDEX IF NOT EXISTS sp_outbox_by_tenant ON sp_outbox (tenant_id, seq);
  CREATE INDEX IF NOT EXISTS sp_outbox_pending ON sp_outbox (tenant_id, seq) WHERE delivered_at IS NULL;
`;

const DEAL_INSERT = `INSERT INTO sp_deals (tenant_id, id, layout_id, pipeline_id, stage_id, stage_entered_at, currency, amount, probability, updated_at, version, visit_count, body)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const VISIT_UPSERT = `INSERT INTO sp_stage_visits (tenant_id, deal_id, seq, layout_id, pipeline_id, stage_id, entered_at, exited_at, amount, probability, expected_revenue, closing_date, forecast_category, outcome, "by", bypassed_rules)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (tenant_id, deal_id, seq) DO UPDATE SET layout_id = excluded.layout_id, pipeline_id = excluded.pipeline_id,
    stage_id = excluded.stage_id, entered_at = excluded.entered_at, exited_at = excluded.exited_at, amount = excluded.amount,
    probability = excluded.probability, expected_revenue = excluded.expected_revenue, closing_date = excluded.closing_date,
    forecast_category = excluded.forecast_category, outcome = excluded.outcome, "by" = excluded."by", bypassed_rules = excluded.bypassed_rules`;
const VISIT_INSERT = VISIT_UPSERT.slice(0, VISIT_UPSERT.indexOf(' ON CONFLICT'));
export { DEAL_INSERT, VISIT_INSERT, VISIT_UPSERT };

function tableExists(db: SqliteDatabase, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function storedVersion(db: SqliteDatabase): number {
  if (tableExists(db, 'sp_schema')) {
    const row = db.prepare('SELECT max(version) AS version FROM sp_schema').get() as { version: number | null };
    if (row.version !== null) return row.version;
  }
  // Version 1 (0.1's example adapter): sp_deals without tenant_id, history inside the body.
  if (tableExists(db, 'sp_deals') || tableExists(db, 'sp_workspace')) return 1;
  return 0;
}

/** Moves a version-1 database (one workspace row, whole deals as JSON) into the current version, tenant 'default'. */
function upgradeFromVersion1(db: SqliteDatabase): void {
  db.exec(`
    ALTER TABLE sp_workspace RENAME TO sp_workspace_v1;
    ALTER TABLE sp_deals RENAME TO sp_deals_v1;
    DROP INDEX IF EXISTS sp_deals_layout;
    DROP INDEX IF EXISTS sp_deals_pipeline;
    DROP INDEX IF EXISTS sp_deals_stage;
  `);
  db.exec(TABLES);
  db.prepare('INSERT INTO sp_workspace (tenant_id, version, body) SELECT ?, version, body FROM sp_workspace_v1').run(DEFAULT_TENANT);
  const insertDeal = db.prepare(DEAL_INSERT);
  const insertVisit = db.prepare(VISIT_UPSERT);
  const rows = db.prepare('SELECT body FROM sp_deals_v1 ORDER BY id').raw().all() as [string][];
  for (const [body] of rows) {
    const deal = JSON.parse(body) as Deal;
    insertDeal.run(DEFAULT_TENANT, deal.id, ...dealColumns(deal));
    deal.history.forEach((v, seq) => insertVisit.run(...visitParams(DEFAULT_TENANT, deal, seq, v)));
  }
  db.exec('DROP TABLE sp_deals_v1; DROP TABLE sp_workspace_v1;');
}

/**
 * Creates the schema (version 3) on an empty database, or upgrades an older one in place: a
 * version-1 database (the layout of 0.1's example adapter) keeps every deal and stage visit under
 * the tenant `'default'`; a version-2 database gets the index `sp_workspace_by_version`. Runs in
 * one transaction; running it again does nothing. Run it at startup, so that an upgrade of the
 * library finds its schema (repositories on a version-2 database still work, without the index).
 *
 * @param db - a better-sqlite3 `Database`
 * @returns the schema version now stored (3)
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * const db = new Database('crm.db');
 * migrateSqlite(db); // 3
 * ```
 */
export function migrateSqlite(db: SqliteDatabase): number {
  try {
    const run = db.transaction(() => {
      const version = storedVersion(db);
      if (version > SCHEMA_VERSION) {
        throw new PipelineError('storage_failed', `migrateSqlite: the database has schema version ${version}, newer than ${SCHEMA_VERSION}`, { version });
      }
      if (version === SCHEMA_VERSION) return;
      if (version === 1) upgradeFromVersion1(db);
      // Version 2 differs from 3 by one index; every statement of TABLES is IF NOT EXISTS.
      else db.exec(TABLES);
      db.exec('DELETE FROM sp_schema');
      db.prepare('INSERT INTO sp_schema (version) VALUES (?)').run(SCHEMA_VERSION);
    });
    run.immediate();
    return SCHEMA_VERSION;
  } catch (e) {
    throw toPipelineError(e, 'migrateSqlite');
  }
}

/**
 * Sets the pragmas a host should use with the adapter: `journal_mode = WAL` (readers do not block
 * the writer), `synchronous = NORMAL` (durable at each checkpoint, safe against corruption, far
 * fewer fsyncs than FULL in WAL mode) and `busy_timeout` (wait for another connection's write
 * lock instead of failing at once; a save still busy after it is a `conflict` the service retries).
 *
 * @param db - a better-sqlite3 `Database`
 * @param options - `{ busyTimeoutMs }`, 5000 by default
 * @example
 * ```ts
 * const db = new Database('crm.db');
 * configureSqlite(db); // WAL, synchronous=NORMAL, busy_timeout=5000
 * ```
 */
export function configureSqlite(db: SqliteDatabase, options: { busyTimeoutMs?: number } = {}): void {
  const timeout = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(timeout) || timeout < 0) {
    throw new PipelineError('invalid_input', 'options.busyTimeoutMs: expected a non-negative integer', { path: 'options.busyTimeoutMs' });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${timeout}`);
  } catch (e) {
    throw toPipelineError(e, 'configureSqlite');
  }
}
