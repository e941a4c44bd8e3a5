import type { Deal, FieldChange, StageVisit } from '../../model/deal.js';
import type { Workspace } from '../../model/layout.js';
import type { SqliteDatabase, SqliteStatement } from './database.js';
import type { DealRead } from '../storedRows.js';
import { dealParams, CHANGES_JSON, DEAL_SELECT, VISIT_COLUMNS, VISITS_JSON } from './rows.js';

/**
 * One read of a deal as this object handed it out: its visits from `start` on (see `DealRead`)
 * and its whole change log (undefined when the deal has none), all frozen.
 */
export interface StoredRead extends DealRead {
  readonly changes: readonly FieldChange[] | undefined;
  /** The deal row's values as stored (`dealParams` order), so that a save sets only the columns that changed. */
  readonly row: readonly unknown[];
}

/** The stored head of a deal: version, number of visits, layout, number of change-log entries (null: no log). */
export type Head = [version: number, visitCount: number, layoutId: string, changeCount: number | null];

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
  readonly known: WeakMap<StageVisit, StoredRead>;
  /**
   * The stored visits and change log of recently read or saved deals, by id (at most
   * {@link RECENT_DEALS}, oldest out first; empty when `validate` is on). A read whose deal row
   * is at the version of an entry takes them from it instead of reading the other tables.
   */
  readonly recent: Map<string, StoredRead>;
  /** The tails this object handed out, by deal id (at most {@link TAIL_READS}). */
  readonly tails: Map<string, StoredRead>;
  /** The workspace last parsed, deep-frozen, with the version and body it was parsed from. */
  readonly workspace: { current: { readonly version: number; readonly body: string; readonly ws: Workspace } | null };
  /** Prepares a statement once per repositories object, by key (the statement's text when `sql` is absent). */
  cached(key: string, sql?: () => string): SqliteStatement;
}

export type Statements = ReturnType<typeof prepareStatements>;

/** How many deals {@link Context.recent} remembers the stored visits of. */
export const RECENT_DEALS = 4096;
/** How many tail reads a repositories object remembers by deal id (oldest out first). */
export const TAIL_READS = 16_384;

/** Freezes what a read hands out (visits and change-log entries) and makes the read of `deal` (its history from `start` on). */
export function freezeRead(deal: Deal, start: number): StoredRead {
  const { history, changes } = deal;
  for (let i = 0; i < history.length; i++) Object.freeze(history[i]);
  if (changes !== undefined) for (let i = 0; i < changes.length; i++) Object.freeze(changes[i]);
  return { id: deal.id, version: deal.version, layoutId: deal.layoutId, start, visits: history.slice(), changes: changes?.slice(), row: dealParams(deal, start + history.length) };
}

/** Remembers a whole read in {@link Context.known} and (when there already, or `add`) in {@link Context.recent}. */
export function rememberRead(ctx: Context, read: StoredRead, add: boolean): void {
  if (read.start !== 0 || read.visits.length === 0) return;
  ctx.known.set(read.visits[0]!, read);
  const recent = ctx.recent;
  if (recent.has(read.id)) recent.set(read.id, read);
  else if (add && !ctx.validate) {
    if (recent.size >= RECENT_DEALS) recent.delete(recent.keys().next().value!);
    recent.set(read.id, read);
  }
}

/** Remembers a tail read by deal id (a move closes the tail's first visit, so saves find it by id). */
export function rememberTail(ctx: Context, read: StoredRead): void {
  const tails = ctx.tails;
  if (tails.has(read.id)) tails.delete(read.id);
  else if (tails.size >= TAIL_READS) tails.delete(tails.keys().next().value!);
  tails.set(read.id, read);
}

/** Every fixed statement of the adapter; each filters by tenant_id (its first parameter). */
function prepareStatements(db: SqliteDatabase) {
  return {
    workspace: db.prepare('SELECT version, body FROM sp_workspace WHERE tenant_id = ?').raw(),
    // The index holds the version in a small cell; the table's row spills its body to overflow pages.
    workspaceVersion: db.prepare('SELECT version FROM sp_workspace INDEXED BY sp_workspace_by_version WHERE tenant_id = ?').raw(),
    workspaceUpsert: db.prepare(
      'INSERT INTO sp_workspace (tenant_id, version, body) VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version, body = excluded.body',
    ),
    dealHead: db.prepare('SELECT version, visit_count, layout_id, change_count FROM sp_deals WHERE tenant_id = ? AND id = ?').raw(),
    dealHeads: db.prepare('SELECT id, version, visit_count, layout_id, change_count FROM sp_deals WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))').raw(),
    dealRow: db.prepare(`SELECT ${DEAL_SELECT} FROM sp_deals d WHERE d.tenant_id = ? AND d.id = ?`).raw(),
    dealGetMany: db.prepare(`SELECT ${DEAL_SELECT}, ${VISITS_JSON}, ${CHANGES_JSON} FROM sp_deals d WHERE d.tenant_id = ? AND d.id IN (SELECT value FROM json_each(?))`).raw(),
    visitsOfDeal: db.prepare(`SELECT ${VISIT_COLUMNS} FROM sp_stage_visits v WHERE v.tenant_id = ? AND v.deal_id = ? ORDER BY v.seq`).raw(),
    // The stored visits of several deals, each from its own position on: [[id, from], ...].
    visitsFrom: db.prepare(`SELECT v.deal_id, v.seq, ${VISIT_COLUMNS} FROM sp_stage_visits v, json_each(?) j
      WHERE v.tenant_id = ? AND v.deal_id = j.value ->> 0 AND v.seq >= j.value ->> 1 ORDER BY v.deal_id, v.seq`).raw(),
    visitExits: db.prepare('UPDATE sp_stage_visits SET exited_at = ? WHERE tenant_id = ? AND (deal_id, seq) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))'),
    // One visit closed (a dispatch): by primary key, without building and parsing a JSON list.
    visitExit: db.prepare('UPDATE sp_stage_visits SET exited_at = ? WHERE tenant_id = ? AND deal_id = ? AND seq = ?'),
    visitsTrim: db.prepare('DELETE FROM sp_stage_visits WHERE tenant_id = ? AND deal_id = ? AND seq >= ?'),
    visitsRelayout: db.prepare('UPDATE sp_stage_visits SET layout_id = ? WHERE tenant_id = ? AND deal_id = ?'),
    changesDelete: db.prepare('DELETE FROM sp_deal_changes WHERE tenant_id = ? AND deal_id IN (SELECT value FROM json_each(?))'),
  };
}

/** Statement text per number of rows, for the multi-row statements (see `runRows`). */
const MAX_BATCH_ROWS = 512;

/**
 * Runs a multi-row statement over `params` (rows of `width` parameters, flat): batches of
 * {@link MAX_BATCH_ROWS} rows, the rest in power-of-two batches, so a save of n rows is at most
 * n / 512 + 9 statements and each statement text is prepared once. Returns the rows changed.
 */
export function runRows(ctx: Context, name: string, build: (rows: number) => string, width: number, params: readonly unknown[], extra: readonly unknown[] = []): number {
  let changed = 0;
  let rows = params.length / width;
  let at = 0;
  while (rows > 0) {
    let n = MAX_BATCH_ROWS;
    while (n > rows) n >>= 1;
    const size = n;
    const stmt = ctx.cached(`${name}:${n}`, () => build(size));
    changed += stmt.run(...params.slice(at, at + n * width), ...extra).changes;
    at += n * width;
    rows -= n;
  }
  return changed;
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
      if (!stmt) cache.set(key, (stmt = db.prepare(sql ? sql() : key)));
      return stmt;
    },
  };
}
