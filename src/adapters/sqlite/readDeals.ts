import { PipelineError } from '../../errors.js';
import { Deal, type FieldChange, type StageVisit } from '../../model/deal.js';
import { checkDealQuery, encodeCursor, sortValue, type CheckedDealQuery } from '../../ports/dealQuery.js';
import type { DealPage, DealTail, DealTailPage } from '../../ports/repositories.js';
import { freezeRead, rememberRead, rememberTail, type Context } from './context.js';
import { orderSql, SORT_COLUMN } from '../listingSql.js';
import { pageQuery } from './query.js';
import { changesFromJson, dealFromRow, visitFromRow, visitsFromJson, CHANGES_JSON, DEAL_SELECT, DEAL_SELECTED, VISIT_COLUMNS, VISITS_JSON, type DealRow } from './rows.js';

/** Re-validates a deal read from the database when the host asked for it (rows edited by hand). */
function validated(deal: Deal): Deal {
  const parsed = Deal.safeParse(deal);
  if (parsed.success) return parsed.data as Deal;
  const issue = parsed.error.issues[0];
  throw new PipelineError('storage_failed', `deal ${deal.id}: the stored deal is malformed at ${(issue?.path ?? []).join('.')}: ${issue?.message ?? ''}`, {
    dealId: deal.id,
    issues: parsed.error.issues.slice(0, 10),
  });
}

/** A whole deal from its row, its visits as JSON (read by column when a number needs it) and its change log as JSON. */
function wholeDeal(ctx: Context, row: DealRow, visits: string, changes: string | null, add: boolean, withChanges = true): Deal {
  const history = visitsFromJson(visits) ?? (ctx.sql.visitsOfDeal.all(ctx.tenantId, row[0]) as unknown[][]).map((r) => visitFromRow(r, 0));
  const deal = dealFromRow(row, history, withChanges ? changesFromJson(changes, row[16]) : undefined);
  if (ctx.validate) return validated(deal);
  // Only a deal read whole (visits and change log) stands for what is stored.
  if (withChanges) rememberRead(ctx, freezeRead(deal, 0), add);
  return deal;
}

/**
 * One deal with its history and change log, or null. When this object knows the deal's visits
 * and log at the version of its row (it read or saved the deal at that version), only the deal
 * row is read.
 */
export function getDeal(ctx: Context, id: string): Deal | null {
  const row = ctx.sql.dealRow.get(ctx.tenantId, id) as DealRow | undefined;
  if (row === undefined) return null;
  const read = ctx.validate ? undefined : ctx.recent.get(id);
  // Versions only rise, and every save of a deal raises its version: what was known at this version is stored.
  if (read !== undefined && read.version === row[14] && read.visits.length === row[15] && (read.changes?.length ?? null) === row[16]) {
    return dealFromRow(row, read.visits.slice(), read.changes?.slice());
  }
  // The visits and the change log by primary key, in order: no JSON built or sorted in SQL.
  const history = (ctx.sql.visitsOfDeal.all(ctx.tenantId, id) as unknown[][]).map((r) => visitFromRow(r, 0));
  const deal = dealFromRow(row, history, logOf(changeLogs(ctx, [row]), row));
  if (ctx.validate) return validated(deal);
  rememberRead(ctx, freezeRead(deal, 0), true);
  return deal;
}

const isText = (v: unknown) => typeof v === 'string';

function checkIds(ids: unknown): asserts ids is string[] {
  if (!Array.isArray(ids) || !ids.every(isText)) throw new PipelineError('invalid_input', 'ids: expected an array of strings', { path: 'ids' });
}

/** The deals with these ids that exist, in the order of `ids`: one statement. */
export function getMany(ctx: Context, ids: readonly string[]): Deal[] {
  checkIds(ids);
  const rows = ctx.sql.dealGetMany.all(ctx.tenantId, JSON.stringify(ids)) as DealRow[];
  const byId = new Map<string, Deal>();
  for (const r of rows) byId.set(r[0], wholeDeal(ctx, r, r[DEAL_SELECTED] as string, r[DEAL_SELECTED + 1] as string | null, false));
  const out: Deal[] = [];
  for (const id of ids) {
    const deal = byId.get(id);
    if (deal !== undefined) out.push(deal);
  }
  return out;
}

/** The last visit of deal row `d`, joined (its columns follow the deal's). */
const LAST_VISIT = `LEFT JOIN sp_stage_visits v ON v.tenant_id = d.tenant_id AND v.deal_id = d.id AND v.seq = d.visit_count - 1`;
/** The columns of a tail read: the deal, then the last visit's columns (the change logs follow in one read per page). */
const TAIL_SELECT = `SELECT ${DEAL_SELECT}, ${VISIT_COLUMNS} FROM sp_deals d ${LAST_VISIT}`;

/**
 * The change logs of a page of deal rows, by deal id: one SELECT for the page, in (deal, seq)
 * order, rather than a log built in SQL per row. Deals without entries are absent.
 */
function changeLogs(ctx: Context, rows: readonly DealRow[]): Map<string, FieldChange[]> {
  const out = new Map<string, FieldChange[]>();
  const ids: string[] = [];
  for (const r of rows) if (r[16] !== null && r[16] > 0) ids.push(r[0]);
  if (ids.length === 0) return out;
  const stmt = ctx.cached('changeLogs', () => 'SELECT deal_id, at, "by", field, from_value, to_value FROM sp_deal_changes WHERE tenant_id = ? AND deal_id IN (SELECT value FROM json_each(?)) ORDER BY deal_id, seq').raw();
  for (const [id, at, by, field, from, to] of stmt.all(ctx.tenantId, JSON.stringify(ids)) as [string, number, string | null, FieldChange['field'], string, string][]) {
    let log = out.get(id);
    if (!log) out.set(id, (log = []));
    log.push({ at, by, field, from: JSON.parse(from) as FieldChange['from'], to: JSON.parse(to) as FieldChange['to'] });
  }
  return out;
}

/** A deal row's change log from {@link changeLogs}: undefined when it has none (null count). */
const logOf = (logs: Map<string, FieldChange[]>, row: DealRow): FieldChange[] | undefined => (row[16] === null ? undefined : (logs.get(row[0]) ?? []));

function lastVisitMissing(id: string, visitCount: number): PipelineError {
  return new PipelineError('storage_failed', `deal ${id}: the stored deal has no visit at position ${visitCount - 1} (visit_count ${visitCount})`, { dealId: id });
}

/** The last visit of a row read with {@link LAST_VISIT}; a deal row without it was edited by hand: refused, not skipped. */
function lastVisit(row: DealRow, at: number): StageVisit {
  if (row[at + 1] === null) throw lastVisitMissing(row[0], row[15]);
  return visitFromRow(row, at);
}

/** A deal with only its last visit and its whole change log, remembered as a read from that position. */
function tailOf(ctx: Context, row: DealRow, logs: Map<string, FieldChange[]>): DealTail {
  const historyStart = row[15] - 1;
  const deal = dealFromRow(row, [lastVisit(row, DEAL_SELECTED)], logOf(logs, row));
  if (ctx.validate) return { deal: validated(deal), historyStart };
  rememberTail(ctx, freezeRead(deal, historyStart));
  return { deal, historyStart };
}

/** The tails of the deals with these ids that exist, in id order. */
export function getTails(ctx: Context, ids: readonly string[]): DealTail[] {
  checkIds(ids);
  const stmt = ctx.cached('tails', () => `${TAIL_SELECT} WHERE d.tenant_id = ? AND d.id IN (SELECT value FROM json_each(?)) ORDER BY d.id`).raw();
  const rows = stmt.all(ctx.tenantId, JSON.stringify(ids)) as DealRow[];
  const logs = changeLogs(ctx, rows);
  return rows.map((r) => tailOf(ctx, r, logs));
}

/** What a listing selects from its page of deal rows `d`: the deal, then its visits (all as JSON, or the last one by column), then its change log when asked. */
function listSelect(q: CheckedDealQuery): Select {
  const visits = q.history ? VISITS_JSON : VISIT_COLUMNS;
  const changes = q.changes ? `, ${CHANGES_JSON}` : '';
  return { columns: `${DEAL_SELECT}, ${visits}${changes}`, joins: q.history ? '' : LAST_VISIT };
}

/** A listed deal: lean (the current visit, no change log) unless the query includes them. */
function listedDeal(ctx: Context, q: CheckedDealQuery, row: DealRow): Deal {
  const changesAt = DEAL_SELECTED + (q.history ? 1 : 12);
  if (q.history) return wholeDeal(ctx, row, row[DEAL_SELECTED] as string, row[changesAt] as string | null, false, q.changes);
  const changes = q.changes ? changesFromJson(row[changesAt] as string | null, row[16]) : undefined;
  const deal = dealFromRow(row, [lastVisit(row, DEAL_SELECTED)], changes);
  return ctx.validate ? validated(deal) : deal;
}

/** The columns a page reads from its deal rows `d`, and what it joins to them. */
interface Select {
  readonly columns: string;
  readonly joins: string;
}

/**
 * The rows of one page. The deal rows are filtered, sorted and cut to the page first, carrying
 * only their id and sort key, and only then joined (by primary key) to their columns, visits and
 * change logs: a filter sorted by another column than its index's, as "an owner's deals closing
 * this month by amount", sorts every match, and a sort of narrow rows is far cheaper than one of
 * whole deal rows; when the index holds the sort key (sp_deals_by_owner holds the amount) the
 * matches are sorted without reading the table at all. The joins then run for the page's rows
 * only. The outer ORDER BY names the subquery's columns, so SQLite keeps the subquery's order
 * instead of sorting the page again.
 */
function rows(ctx: Context, select: Select, q: CheckedDealQuery): DealRow[] {
  const key = q.sort === 'id' ? '' : `, ${SORT_COLUMN[q.sort]} AS sort_key`;
  const page = pageQuery(`SELECT d.tenant_id, d.id${key} FROM sp_deals d`, q, ctx.tenantId);
  const sql = `SELECT ${select.columns} FROM (${page.sql}) page JOIN sp_deals d ON d.tenant_id = page.tenant_id AND d.id = page.id ${select.joins}
    ORDER BY ${orderSql(q, 'page.sort_key', 'page.id')}`;
  return ctx.cached(sql).raw().all(...page.params) as DealRow[];
}

function nextCursor(q: CheckedDealQuery, more: boolean, last: Deal | undefined): string | null {
  return more && last !== undefined ? encodeCursor(q.sort, q.order, sortValue(last, q.sort), last.id) : null;
}

/** One page of the tenant's deals matching the query, in its order, after its cursor (see `pageOfDeals`). */
export function listDeals(ctx: Context, query: unknown): DealPage {
  const q = checkDealQuery(query);
  const found = rows(ctx, listSelect(q), q);
  const more = found.length > q.limit;
  const deals: Deal[] = new Array(more ? q.limit : found.length);
  for (let i = 0; i < deals.length; i++) deals[i] = listedDeal(ctx, q, found[i]!);
  return { deals, next: nextCursor(q, more, deals[deals.length - 1]) };
}

/** One page of tails of the tenant's deals matching the query, in its order, after its cursor. */
export function listTails(ctx: Context, query: unknown): DealTailPage {
  const q = checkDealQuery(query);
  const found = rows(ctx, { columns: `${DEAL_SELECT}, ${VISIT_COLUMNS}`, joins: LAST_VISIT }, q);
  const more = found.length > q.limit;
  const tails: DealTail[] = new Array(more ? q.limit : found.length);
  const logs = changeLogs(ctx, tails.length === found.length ? found : found.slice(0, tails.length));
  for (let i = 0; i < tails.length; i++) tails[i] = tailOf(ctx, found[i]!, logs);
  return { tails, next: nextCursor(q, more, tails[tails.length - 1]?.deal) };
}
