// Upgrades of databases written by earlier releases, run by migrateSqlite inside its transaction.
import type { Deal, StageVisit } from '../../model/deal.js';
import type { SqliteDatabase } from './database.js';
import { changeParams, dealParams, visitParams, DEAL_INSERT, CHANGE_INSERT, VISIT_INSERT } from './rows.js';

function tableExists(db: SqliteDatabase, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** The schema version of the database: 0 when empty, 1 for 0.1's example adapter (no sp_schema). */
export function storedVersion(db: SqliteDatabase): number {
  if (tableExists(db, 'sp_schema')) {
    const row = db.prepare('SELECT max(version) AS version FROM sp_schema').get() as { version: number | null };
    if (row.version !== null) return row.version;
  }
  if (tableExists(db, 'sp_deals') || tableExists(db, 'sp_workspace')) return 1;
  return 0;
}

/** Writes one whole deal (row, visits, change log) in the current layout. */
function insertDeal(db: SqliteDatabase, tenantId: string, deal: Deal, current: Pick<StageVisit, 'enteredAt' | 'outcome'>, visitCount: number): void {
  db.prepare(DEAL_INSERT).run(tenantId, ...dealParams(deal, visitCount, current));
  const changes = deal.changes ?? [];
  for (let seq = 0; seq < changes.length; seq++) db.prepare(CHANGE_INSERT).run(...changeParams(tenantId, deal.id, seq, changes[seq]!));
}

/** Deals per step of the version-4 upgrade: memory stays bounded by the step, not the table. */
const STEP = 1000;

/**
 * Version 3 → 4: each deal's JSON body is split into typed columns and change-log rows (in JS,
 * chunk by chunk, so that `name_key` is JavaScript's lower case, as listings compare it), the
 * outbox gains its delivery columns, and the listing indexes are made. Visits stay as they are.
 */
export function upgradeToVersion4(db: SqliteDatabase, tables: string): void {
  db.exec(`
    ALTER TABLE sp_deals RENAME TO sp_deals_v3;
    DROP INDEX IF EXISTS sp_deals_by_layout;
    DROP INDEX IF EXISTS sp_deals_by_pipeline;
    DROP INDEX IF EXISTS sp_outbox_pending;
    ALTER TABLE sp_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sp_outbox ADD COLUMN due_at INTEGER;
    ALTER TABLE sp_outbox ADD COLUMN claimed_by TEXT;
    ALTER TABLE sp_outbox ADD COLUMN claimed_until INTEGER;
    ALTER TABLE sp_outbox ADD COLUMN last_error TEXT;
    ALTER TABLE sp_outbox ADD COLUMN parked_at INTEGER;
    ALTER TABLE sp_outbox ADD COLUMN n INTEGER NOT NULL DEFAULT 0;
  `);
  db.exec(tables);
  // The outcome of the current stage is the last visit's.
  const page = db.prepare(`SELECT d.tenant_id, d.id, d.body, d.visit_count, d.stage_entered_at, coalesce(v.outcome, 'open') FROM sp_deals_v3 d
    LEFT JOIN sp_stage_visits v ON v.tenant_id = d.tenant_id AND v.deal_id = d.id AND v.seq = d.visit_count - 1
    WHERE (d.tenant_id, d.id) > (?, ?) ORDER BY d.tenant_id, d.id LIMIT ${STEP}`).raw();
  let after: [string, string] = ['', ''];
  for (;;) {
    const rows = page.all(...after) as [string, string, string, number, number, StageVisit['outcome']][];
    for (const [tenantId, , body, visitCount, enteredAt, outcome] of rows) insertDeal(db, tenantId, JSON.parse(body) as Deal, { enteredAt, outcome }, visitCount);
    if (rows.length < STEP) break;
    const last = rows[rows.length - 1]!;
    after = [last[0], last[1]];
  }
  db.exec('DROP TABLE sp_deals_v3');
}

/** Version 1 → 4 without a stop at 3: the bodies of version 1 hold whole deals. */
export function upgradeFromVersion1(db: SqliteDatabase, tables: string, tenantId: string): void {
  db.exec(`
    ALTER TABLE sp_workspace RENAME TO sp_workspace_v1;
    ALTER TABLE sp_deals RENAME TO sp_deals_v1;
    DROP INDEX IF EXISTS sp_deals_layout;
    DROP INDEX IF EXISTS sp_deals_pipeline;
    DROP INDEX IF EXISTS sp_deals_stage;
  `);
  db.exec(tables);
  db.prepare('INSERT INTO sp_workspace (tenant_id, version, body) SELECT ?, version, body FROM sp_workspace_v1').run(tenantId);
  const rows = db.prepare('SELECT body FROM sp_deals_v1 ORDER BY id').raw().all() as [string][];
  for (const [body] of rows) {
    const deal = JSON.parse(body) as Deal;
    insertDeal(db, tenantId, deal, deal.history[deal.history.length - 1]!, deal.history.length);
    deal.history.forEach((v, seq) => db.prepare(VISIT_INSERT).run(...visitParams(tenantId, deal.id, deal.layoutId, seq, v)));
  }
  db.exec('DROP TABLE sp_deals_v1; DROP TABLE sp_workspace_v1;');
}
