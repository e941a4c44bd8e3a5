import { PipelineError } from '../../errors.js';
import type { SqliteDatabase } from './database.js';
import { toPipelineError } from './errors.js';
import { storedVersion, upgradeFromVersion1, upgradeToVersion4 } from './migrate.js';
import { checkMigrationOptions, type MigrationOptions } from '../migration.js';

/**
 * The schema version {@link migrateSqlite} creates, stored in `sp_schema`.
 *
 * @example
 * ```ts
 * migrateSqlite(db) === SCHEMA_VERSION; // true
 * ```
 * @category SQLite
 */
export const SCHEMA_VERSION = 6;

/**
 * The tenant of databases written before tenants existed, and of repositories made without `tenantId`.
 *
 * @example
 * ```ts
 * createSqliteRepositories(db); // the same rows as createSqliteRepositories(db, { tenantId: DEFAULT_TENANT })
 * ```
 * @category SQLite
 */
export const DEFAULT_TENANT = 'default';

// A claim reads events never tried (by seq) apart from events waiting for a retry (by due time):
// after an outage, the events not yet due are not read by every claim. Created by migrateSqlite
// on a version-4 database that lacks them too.
const OUTBOX_CLAIM_INDEXES = `
  CREATE INDEX IF NOT EXISTS sp_outbox_fresh ON sp_outbox (tenant_id, seq) WHERE delivered_at IS NULL AND parked_at IS NULL AND due_at IS NULL;
  CREATE INDEX IF NOT EXISTS sp_outbox_retry ON sp_outbox (tenant_id, due_at, seq) WHERE delivered_at IS NULL AND parked_at IS NULL AND due_at IS NOT NULL;
`;

// Every primary key and index starts with tenant_id. A deal is one row of typed columns (only the
// host's custom fields are JSON), its stage visits and change log are rows of their own tables.
// sp_outbox.seq is SQLite's AUTOINCREMENT rowid (rising in commit order across tenants).
export const TABLES = `
  CREATE TABLE IF NOT EXISTS sp_schema (version INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS sp_workspace (
    tenant_id TEXT    NOT NULL PRIMARY KEY,
    version   INTEGER NOT NULL,
    body      TEXT    NOT NULL
  ) WITHOUT ROWID;
  -- Every service call reads the workspace version: this index holds it in a small cell, so the
  -- read does not walk the workspace body's overflow pages.
  CREATE INDEX IF NOT EXISTS sp_workspace_by_version ON sp_workspace (tenant_id, version);
  CREATE TABLE IF NOT EXISTS sp_deals (
    tenant_id        TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    layout_id        TEXT    NOT NULL,
    pipeline_id      TEXT,
    stage_id         TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    name_key         TEXT    NOT NULL,
    amount           REAL,
    currency         TEXT,
    probability      REAL    NOT NULL,
    closing_date     TEXT,
    owner_id         TEXT,
    lost_reason      TEXT,
    outcome          TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    stage_entered_at INTEGER NOT NULL,
    version          INTEGER NOT NULL,
    visit_count      INTEGER NOT NULL,
    change_count     INTEGER,
    fields           TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS sp_deals_by_layout       ON sp_deals (tenant_id, layout_id, id);
  CREATE INDEX IF NOT EXISTS sp_deals_by_pipeline     ON sp_deals (tenant_id, pipeline_id, stage_id, id);
  -- A pipeline's deals in id order (a board, a bulk update by pipeline, page after page): without
  -- it a page is the pipeline's entries of the index above, sorted again for every page.
  CREATE INDEX IF NOT EXISTS sp_deals_by_pipeline_id  ON sp_deals (tenant_id, pipeline_id, id);
  -- An owner's deals in a period by amount (a rep's forecast) is sorted from this index alone: the
  -- amount at its end spares a read of the table for each match (only the page's rows are read).
  CREATE INDEX IF NOT EXISTS sp_deals_by_owner        ON sp_deals (tenant_id, owner_id, closing_date, id, amount);
  CREATE INDEX IF NOT EXISTS sp_deals_by_amount       ON sp_deals (tenant_id, amount, id);
  CREATE INDEX IF NOT EXISTS sp_deals_by_closing_date ON sp_deals (tenant_id, closing_date, id);
  -- No index by updated_at or stage_entered_at: every move changes both, so each would be
  -- rewritten by every dispatch and every deal of a bulk move (a third of a dispatch's time). A
  -- listing sorted by them is a top-N sort of the rows its filters select (docs/sqlite.md).
  CREATE INDEX IF NOT EXISTS sp_deals_by_name_key     ON sp_deals (tenant_id, name_key, id);
  CREATE TABLE IF NOT EXISTS sp_deal_changes (
    tenant_id  TEXT    NOT NULL,
    deal_id    TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    "by"       TEXT,
    field      TEXT    NOT NULL,
    from_value TEXT    NOT NULL,
    to_value   TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, deal_id, seq)
  ) WITHOUT ROWID;
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
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id     TEXT    NOT NULL,
    event_id      TEXT    NOT NULL,
    deal_id       TEXT,
    version       INTEGER NOT NULL,
    body          TEXT    NOT NULL,
    delivered_at  INTEGER,
    attempts      INTEGER NOT NULL DEFAULT 0,
    due_at        INTEGER,
    claimed_by    TEXT,
    claimed_until INTEGER,
    last_error    TEXT,
    parked_at     INTEGER,
    n             INTEGER NOT NULL DEFAULT 0
  );
  CREATE UNIQUE INDEX IF NOT EXISTS sp_outbox_by_tenant ON sp_outbox (tenant_id, seq);
  -- Pending rows only: reading and claiming them stays linear in the backlog, however many
  -- delivered rows are kept.
  CREATE INDEX IF NOT EXISTS sp_outbox_due ON sp_outbox (tenant_id, seq) WHERE delivered_at IS NULL AND parked_at IS NULL;
  ${OUTBOX_CLAIM_INDEXES}
  CREATE INDEX IF NOT EXISTS sp_outbox_streams ON sp_outbox (tenant_id, deal_id, version, n) WHERE delivered_at IS NULL AND parked_at IS NULL;
  CREATE INDEX IF NOT EXISTS sp_outbox_parked ON sp_outbox (tenant_id, seq) WHERE parked_at IS NOT NULL AND delivered_at IS NULL;
  CREATE INDEX IF NOT EXISTS sp_outbox_delivered ON sp_outbox (tenant_id, delivered_at) WHERE delivered_at IS NOT NULL;
  CREATE INDEX IF NOT EXISTS sp_outbox_by_deal ON sp_outbox (tenant_id, deal_id);
`;

/**
 * Creates the schema (version 6) on an empty database, or upgrades an older one in place, keeping
 * every row: a version-1 database (0.1's example adapter) moves under the tenant `'default'`; a
 * version-2 or version-3 database (deals stored as a JSON body) gets each deal split into typed
 * columns and change-log rows, and its outbox rows gain the delivery columns (attempts, due,
 * lease, last error, parked); a version-4 database gets the index of a pipeline's deals in id
 * order and the outbox's claim indexes; a version-4 or version-5 database gets the amount added
 * to the index of an owner's deals by closing date. Runs in one IMMEDIATE transaction; running it
 * again does nothing; a database of a newer version is refused with `storage_failed`, untouched.
 * Run it at startup: repositories refuse a database that is not at version 6. The upgrade is one
 * step: `options.onProgress` is told `{ done: 1, total: 1, version: 6 }` once it commits (not at all
 * when there was nothing to do); a `signal` already aborted leaves the database as it is and
 * returns its version.
 *
 * @param db - a better-sqlite3 `Database`
 * @param options - `onProgress`, `signal` (see {@link MigrationOptions})
 * @returns the schema version now stored (6, or the older one when `signal` stopped it)
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * const db = new Database('crm.db');
 * migrateSqlite(db); // 6
 * migrateSqlite(db, { onProgress: ({ done, total }) => console.log(`${done}/${total}`) });
 * ```
 * @category SQLite
 */
export function migrateSqlite(db: SqliteDatabase, options?: MigrationOptions): number {
  const { onProgress, signal } = checkMigrationOptions(options);
  try {
    // Every upgrade is one step (one transaction): a signal can only stop it before it starts.
    if (signal?.aborted) return storedVersion(db);
    let stepped = false;
    const run = db.transaction(() => {
      const version = storedVersion(db);
      if (version > SCHEMA_VERSION) {
        throw new PipelineError('storage_failed', `migrateSqlite: the database has schema version ${version}, newer than ${SCHEMA_VERSION} (this release of sales-pipelines is older than the database)`, { version });
      }
      if (version === SCHEMA_VERSION) return;
      // Version 2 is version 3 without the workspace version index; version 4 is version 5 without
      // the index of a pipeline's deals in id order and the outbox's claim indexes; version 5 is
      // version 6 with sp_deals_by_owner lacking the amount, made again: TABLES creates what is
      // missing.
      if (version === 1) upgradeFromVersion1(db, TABLES, DEFAULT_TENANT);
      else if (version === 2 || version === 3) upgradeToVersion4(db, TABLES);
      else {
        db.exec('DROP INDEX IF EXISTS sp_deals_by_owner');
        db.exec(TABLES);
      }
      db.exec('DELETE FROM sp_schema');
      db.prepare('INSERT INTO sp_schema (version) VALUES (?)').run(SCHEMA_VERSION);
      stepped = true;
    });
    run.immediate();
    if (stepped) onProgress?.({ done: 1, total: 1, version: SCHEMA_VERSION });
    return SCHEMA_VERSION;
  } catch (e) {
    throw toPipelineError(e, 'migrateSqlite');
  }
}

/** Refuses a database the repositories cannot use: not migrated, or of another schema version. */
export function checkSchema(db: SqliteDatabase): void {
  const version = storedVersion(db);
  if (version === SCHEMA_VERSION) return;
  const what = version === 0 ? 'has no sales-pipelines tables' : `has schema version ${version}`;
  const fix = version > SCHEMA_VERSION ? 'upgrade sales-pipelines' : 'run migrateSqlite(db) first';
  throw new PipelineError('storage_failed', `createSqliteRepositories: the database ${what}, this release needs ${SCHEMA_VERSION}: ${fix}`, { version, expected: SCHEMA_VERSION });
}

/**
 * Sets the pragmas a host should use with the adapter: `journal_mode = WAL` (readers do not block
 * the writer), `synchronous = NORMAL` (durable at each checkpoint, safe against corruption, far
 * fewer fsyncs than FULL in WAL mode), `busy_timeout` (wait for another connection's write
 * lock instead of failing at once; a save still busy after it is a `conflict` the service retries)
 * and `cache_size` (the connection's page cache: SQLite's default of 2 MiB holds the pages of a
 * few thousand deals, so a dispatch on any other deal reads its visits from the file again, about
 * half of its time at 20k deals; 64 MiB by default).
 *
 * @param db - a better-sqlite3 `Database`
 * @param options - `{ busyTimeoutMs, cacheMiB }`, 5000 ms and 64 MiB by default
 * @example
 * ```ts
 * const db = new Database('crm.db');
 * configureSqlite(db); // WAL, synchronous=NORMAL, busy_timeout=5000, a 64 MiB page cache
 * configureSqlite(db, { cacheMiB: 256 }); // a bigger cache for a big database
 * ```
 * @category SQLite
 */
export function configureSqlite(db: SqliteDatabase, options: { busyTimeoutMs?: number; cacheMiB?: number } = {}): void {
  if (typeof options !== 'object' || options === null) throw new PipelineError('invalid_input', 'options: expected an object', { path: 'options' });
  const timeout = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(timeout) || timeout < 0) {
    throw new PipelineError('invalid_input', 'options.busyTimeoutMs: expected a non-negative integer', { path: 'options.busyTimeoutMs' });
  }
  const cacheMiB = options.cacheMiB ?? 64;
  if (!Number.isInteger(cacheMiB) || cacheMiB < 1 || cacheMiB > 65_536) {
    throw new PipelineError('invalid_input', 'options.cacheMiB: expected an integer from 1 to 65536', { path: 'options.cacheMiB' });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${timeout}`);
    // A negative cache_size is in KiB.
    db.pragma(`cache_size = ${-cacheMiB * 1024}`);
  } catch (e) {
    throw toPipelineError(e, 'configureSqlite');
  }
}
