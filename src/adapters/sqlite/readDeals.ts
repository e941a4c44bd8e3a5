import { Deal, PipelineError, type DealPage, type DealQuery, type DealTail, type DealTailPage } from '../../index.js';
import { rememberRecent, type Context } from './context.js';
import { dealFrom, visitFromRow, visitsFromJson, VISIT_COLUMNS, VISITS_JSON } from './rows.js';
import { rememberRead, rememberTail } from '../storedRows.js';

/**
 * Freezes the deal's visits and remembers them as stored at this version (see `Context.known`
 * and `Context.recent`; `add` puts the deal in `recent` when it is not there yet).
 */
function remember(ctx: Context, deal: Deal, add: boolean): void {
  // Saves look a deal's read up by its id, or by its first visit (see storedVisits in saveDeals).
  const read = rememberRead(ctx.known, deal);
  if (read !== undefined) rememberRecent(ctx, read, add);
}

/** Re-validates a deal read from the database when the host asked for it (rows edited by hand). */
function checked(ctx: Context, deal: Deal, add: boolean): Deal {
  if (!ctx.validate) {
    remember(ctx, deal, add);
    return deal;
  }
  const parsed = Deal.safeParse(deal);
  if (parsed.success) return parsed.data as Deal;
  const issue = parsed.error.issues[0];
  throw new PipelineError('storage_failed', `deal ${deal.id}: the stored deal is malformed at ${(issue?.path ?? []).join('.')}: ${issue?.message ?? ''}`, {
    dealId: deal.id,
    issues: parsed.error.issues.slice(0, 10),
  });
}

/** A deal from its body and its visits as JSON (read by column when a number needs it). */
function dealOf(ctx: Context, id: string, body: string, visits: string, add: boolean): Deal {
  const history = visitsFromJson(visits) ?? (ctx.sql.visitsOfDeal.all(ctx.tenantId, id) as unknown[][]).map((r) => visitFromRow(r, 0));
  return checked(ctx, dealFrom(body, history), add);
}

/**
 * One deal with its history, or null. When this object knows the deal's visits at the version of
 * its row (it read or saved the deal at that version), only the deal row is read.
 */
export function getDeal(ctx: Context, id: string): Deal | null {
  if (!ctx.validate) {
    const head = ctx.sql.dealRow.get(ctx.tenantId, id) as [body: string, version: number, visitCount: number] | undefined;
    if (head === undefined) return null;
    const read = ctx.recent.get(id);
    // Versions only rise, and every save of a deal raises its version: the visits known at this version are the stored ones.
    if (read !== undefined && read.version === head[1] && read.visits.length === head[2]) return dealFrom(head[0], read.visits.slice());
  }
  const row = ctx.sql.dealGet.get(ctx.tenantId, id) as [string, string] | undefined;
  return row === undefined ? null : dealOf(ctx, id, row[0], row[1], true);
}

/** The columns of a tail read: id, body, visit count, then the last visit's columns. */
const TAIL_SELECT = `SELECT d.id, d.body, d.visit_count, ${VISIT_COLUMNS} FROM sp_deals d
  LEFT JOIN sp_stage_visits v ON v.tenant_id = d.tenant_id AND v.deal_id = d.id AND v.seq = d.visit_count - 1`;

type TailRow = [id: string, body: string, visitCount: number, ...visit: unknown[]];

/** A deal with only its last visit, read by column (numbers exact), remembered as a read from that position. */
function tailOf(ctx: Context, row: TailRow): DealTail {
  // A deal row without its last visit row was edited by hand: refused, not skipped.
  if (row[4] === null) throw lastVisitMissing(row[0], row[2]);
  const historyStart = row[2] - 1;
  const deal = dealFrom(row[1], [visitFromRow(row, 3)]);
  if (ctx.validate) return { deal: checked(ctx, deal, false), historyStart };
  rememberTail(ctx.tails, deal, historyStart);
  return { deal, historyStart };
}

function lastVisitMissing(id: string, visitCount: number): PipelineError {
  return new PipelineError('storage_failed', `deal ${id}: the stored deal has no visit at position ${visitCount - 1} (visit_count ${visitCount})`, { dealId: id });
}

/** The tails of the deals with these ids that exist, in id order. */
export function getTails(ctx: Context, ids: readonly string[]): DealTail[] {
  if (!Array.isArray(ids) || !ids.every(isText)) throw new PipelineError('invalid_input', 'ids: expected an array of strings', { path: 'ids' });
  const stmt = ctx.cached('tails', () => `${TAIL_SELECT} WHERE d.tenant_id = ? AND d.id IN (SELECT value FROM json_each(?)) ORDER BY d.id`);
  const rows = stmt.all(ctx.tenantId, JSON.stringify(ids)) as TailRow[];
  return rows.map((r) => tailOf(ctx, r));
}

/** The WHERE clause of a page over `sp_deals d` (its parameters are bound by `pageRows`). */
function pageWhere(q: DealQuery): string {
  const where = ['tenant_id = ?'];
  if (q.layoutId !== undefined) where.push('layout_id = ?');
  if (q.pipelineId === null) where.push('pipeline_id IS NULL');
  else if (q.pipelineId !== undefined) where.push('pipeline_id = ?');
  if (q.stageId !== undefined) where.push('stage_id = ?');
  if (q.after != null) where.push('id > ?');
  return `WHERE ${where.map((w) => `d.${w}`).join(' AND ')} ORDER BY d.id LIMIT ?`;
}

const isText = (v: unknown) => typeof v === 'string';

function checkQuery(q: DealQuery): number {
  if (typeof q !== 'object' || q === null) throw new PipelineError('invalid_input', 'q: expected a query object', { path: 'q' });
  for (const key of ['layoutId', 'stageId'] as const) {
    if (q[key] !== undefined && !isText(q[key])) throw new PipelineError('invalid_input', `q.${key}: expected a string`, { path: `q.${key}` });
  }
  if (q.pipelineId !== undefined && q.pipelineId !== null && !isText(q.pipelineId)) throw new PipelineError('invalid_input', 'q.pipelineId: expected a string or null', { path: 'q.pipelineId' });
  if (q.after != null && !isText(q.after)) throw new PipelineError('invalid_input', 'q.after: expected a string or null', { path: 'q.after' });
  if (typeof q.limit !== 'number' || !(q.limit >= 1)) throw new PipelineError('invalid_input', 'q.limit: expected a positive number', { path: 'q.limit' });
  return Math.min(Math.floor(q.limit), 1_000_000);
}

/** The rows of one page (one more than `limit`, to tell whether another follows), whole deals or tails. */
function pageRows<Row>(ctx: Context, q: DealQuery, limit: number, tails: boolean): Row[] {
  const key = `${tails ? 'tails' : 'list'}:${q.layoutId !== undefined}:${q.pipelineId === null ? 'null' : q.pipelineId !== undefined}:${q.stageId !== undefined}:${q.after != null}`;
  const stmt = ctx.cached(key, () => `${tails ? TAIL_SELECT : `SELECT d.id, d.body, ${VISITS_JSON} FROM sp_deals d`} ${pageWhere(q)}`);
  const params: unknown[] = [ctx.tenantId];
  if (q.layoutId !== undefined) params.push(q.layoutId);
  if (q.pipelineId != null) params.push(q.pipelineId);
  if (q.stageId !== undefined) params.push(q.stageId);
  if (q.after != null) params.push(q.after);
  params.push(limit + 1);
  return stmt.all(...params) as Row[];
}

/** One page of the tenant's deals matching the filters, by id after the cursor. */
export function listDeals(ctx: Context, q: DealQuery): DealPage {
  const limit = checkQuery(q);
  const rows = pageRows<[string, string, string]>(ctx, q, limit, false);
  const more = rows.length > limit;
  const deals: Deal[] = new Array(more ? limit : rows.length);
  for (let i = 0; i < deals.length; i++) deals[i] = dealOf(ctx, rows[i]![0], rows[i]![1], rows[i]![2], false);
  return { deals, next: more ? deals[deals.length - 1]!.id : null };
}

/** One page of tails of the tenant's deals matching the filters, by id after the cursor. */
export function listTails(ctx: Context, q: DealQuery): DealTailPage {
  const limit = checkQuery(q);
  const rows = pageRows<TailRow>(ctx, q, limit, true);
  const more = rows.length > limit;
  const tails: DealTail[] = new Array(more ? limit : rows.length);
  for (let i = 0; i < tails.length; i++) tails[i] = tailOf(ctx, rows[i]!);
  return { tails, next: more ? tails[tails.length - 1]!.deal.id : null };
}
