import type { StageVisit, Workspace } from '../../index.js';
import type { SqliteDatabase, SqliteStatement } from './database.js';
import type { DealRead } from '../storedRows.js';
import { DEAL_INSERT, VISIT_INSERT, VISIT_UPSERT } from './schema.js';
import { VISIT_COLUMNS, VISITS_JSON } from './rows.js';

/** Visit rows per multi-row INSERT (16 parameters each). */
export const VISIT_BATCH = 32;

/** What the repositories of one tenant share: the database, the tenant, and prepared statements. */
export interface Context {
  readonly db: SqliteDatabase;
  readonly tenantId: string;
  readonly validate: boolean;
  readonly sql: Statements;
  /**
   * The deal reads this object handed out (visits frozen), by the first visit of each. A save
   * whose history still holds those visits at the same places, over the version they were read
   * at, knows those rows are stored unchanged without reading or checking them again.
   */
  readonly known: WeakMap<StageVisit, DealRead>;
  /**
   * The stored visits of recently read or saved deals, by id (at most {@link RECENT_DEALS},
   * oldest out first; empty when `validate` is on). A read whose deal row is at the version of an
   * entry takes the visits from it instead of reading the visits table.
   */
  readonly recent: Map<string, DealRead>;
  /** The tails this object handed out, by deal id (at most `TAIL_READS`; see `rememberTail`). */
  readonly tails: Map<string, DealRead>;
  /** The workspace last parsed, deep-frozen, with the version and body it was parsed from. */
  readonly workspace: { current: { readonly version: number; readonly body: string; readonly ws: Workspace } | null };
  /** Prepares a statement once per repositories object (variants of list queries). */
  cached(key: string, sql: () => string): SqliteStatement;
}

export type Statements = ReturnType<typeof prepareStatements>;

/** How many deals {@link Context.recent} remembers the stored visits of. */
export const RECENT_DEALS = 4096;

export type { DealRead };

/** Remembers a deal's stored visits in {@link Context.recent}, dropping the oldest entry when full. */
export function rememberRecent(ctx: Context, read: DealRead, add: boolean): void {
  const recent = ctx.recent;
  // Only whole histories: a read of this map stands for every stored visit.
  if (read.start !== 0) return;
  if (recent.has(read.id)) recent.set(read.id, read);
  else if (add && !ctx.validate) {
    if (recent.size >= RECENT_DEALS) recent.delete(recent.keys().next().value!);
    recent.set(read.id, read);
  }
}

/** Every fixed statement of the adapter; each filters by tenant_id (its first parameter). */
function prepareStatements(db: SqliteDatabase) {
  // A version-2 database (migrateSqlite not run since the upgrade) works, reading the version from the table.
  const versionIndex = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'sp_workspace_by_version'").get() !== undefined;
  return {
    workspace: db.prepare('SELECT version, body FROM sp_workspace WHERE tenant_id = ?').raw(),
    // The index holds the version in a small cell; the table's row spills its body to overflow pages.
    workspaceVersion: db.prepare(`SELECT version FROM sp_workspace ${versionIndex ? 'INDEXED BY sp_workspace_by_version' : ''} WHERE tenant_id = ?`).raw(),
    workspaceUpsert: db.prepare(
      'INSERT INTO sp_workspace (tenant_id, version, body) VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version, body = excluded.body',
    ),
    dealHead: db.prepare('SELECT version, visit_count, layout_id FROM sp_deals WHERE tenant_id = ? AND id = ?').raw(),
    dealHeads: db.prepare('SELECT id, version, visit_count, layout_id FROM sp_deals WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))').raw(),
    dealInsert: db.prepare(DEAL_INSERT),
    // Both updates check the version they expect: a save that did not read the head first learns a conflict from `changes`.
    dealUpdateSameLayout: db.prepare(
      `UPDATE sp_deals SET pipeline_id = ?, stage_id = ?, stage_entered_at = ?, currency = ?, amount = ?, probability = ?,
         updated_at = ?, version = ?, visit_count = ?, body = ? WHERE tenant_id = ? AND id = ? AND version = ?`,
    ),
    dealUpdate: db.prepare(
      `UPDATE sp_deals SET layout_id = ?, pipeline_id = ?, stage_id = ?, stage_entered_at = ?, currency = ?, amount = ?, probability = ?,
         updated_at = ?, version = ?, visit_count = ?, body = ? WHERE tenant_id = ? AND id = ? AND version = ?`,
    ),
    dealGet: db.prepare(`SELECT d.body, ${VISITS_JSON} FROM sp_deals d WHERE d.tenant_id = ? AND d.id = ?`).raw(),
    dealRow: db.prepare('SELECT body, version, visit_count FROM sp_deals WHERE tenant_id = ? AND id = ?').raw(),
    visitsOfDeal: db.prepare(`SELECT ${VISIT_COLUMNS} FROM sp_stage_visits v WHERE v.tenant_id = ? AND v.deal_id = ? ORDER BY v.seq`).raw(),
    visitsOfDealFrom: db.prepare(`SELECT ${VISIT_COLUMNS} FROM sp_stage_visits v WHERE v.tenant_id = ? AND v.deal_id = ? AND v.seq >= ? ORDER BY v.seq`).raw(),
    visitUpsert: db.prepare(VISIT_UPSERT),
    visitInsert: db.prepare(VISIT_INSERT),
    visitExit: db.prepare('UPDATE sp_stage_visits SET exited_at = ? WHERE tenant_id = ? AND deal_id = ? AND seq = ?'),
    visitExits: db.prepare('UPDATE sp_stage_visits SET exited_at = ? WHERE tenant_id = ? AND (deal_id, seq) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))'),
    visitInsertMany: db.prepare(`${VISIT_INSERT}${', (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'.repeat(VISIT_BATCH - 1)}`),
    visitsTrim: db.prepare('DELETE FROM sp_stage_visits WHERE tenant_id = ? AND deal_id = ? AND seq >= ?'),
    visitsRelayout: db.prepare('UPDATE sp_stage_visits SET layout_id = ? WHERE tenant_id = ? AND deal_id = ?'),
    outboxInsert: db.prepare('INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, body) VALUES (?, ?, ?, ?, ?)'),
    outboxPending: db.prepare('SELECT seq, body FROM sp_outbox WHERE tenant_id = ? AND delivered_at IS NULL ORDER BY seq LIMIT ?').raw(),
    outboxMark: db.prepare('UPDATE sp_outbox SET delivered_at = ? WHERE tenant_id = ? AND seq = ? AND delivered_at IS NULL'),
  };
}

export function createContext(db: SqliteDatabase, tenantId: string, validate: boolean): Context {
  const cache = new Map<string, SqliteStatement>();
  return {
    db,
    tenantId,
    validate,
    sql: prepareStatements(db),
    known: new WeakMap(),
    recent: new Map(),
    tails: new Map(),
    workspace: { current: null },
    cached(key, sql) {
      let stmt = cache.get(key);
      if (!stmt) cache.set(key, (stmt = db.prepare(sql()).raw()));
      return stmt;
    },
  };
}
