import { PipelineError } from '../../errors.js';
import type { Deal } from '../../model/deal.js';
import { checkDealQuery, encodeCursor, type CheckedDealQuery } from '../../ports/dealQuery.js';
import type { DealPage, DealQuery, DealTail, DealTailPage, StageSummaryRow, SummaryQuery } from '../../ports/repositories.js';
import { named } from './client.js';
import type { Context } from './context.js';
import { guarded } from './driverErrors.js';
import { afterSql, filterSql, orderSql, SORT_COLUMN, Where } from './dealFilters.js';
import { CHANGES, DEAL_COLUMNS, HISTORY, LAST_VISIT, readDeal, readLean, readTail, type DealRow } from './readRows.js';
import { arrayLiteral } from './text.js';

const SELECT = `SELECT ${DEAL_COLUMNS}, ${HISTORY}, ${CHANGES} FROM sp_deals d`;
const TAIL_SELECT = `SELECT ${DEAL_COLUMNS}, ${LAST_VISIT}, ${CHANGES} FROM sp_deals d`;
const GET: string = named('sp_deals_get', `${SELECT} WHERE d.tenant_id = $1 AND d.id = $2`);
const GET_MANY = named('sp_deals_get_many', `${SELECT} WHERE d.tenant_id = $1 AND d.id = ANY($2::text[])`);
const GET_TAILS = named('sp_deals_get_tails', `${TAIL_SELECT} WHERE d.tenant_id = $1 AND d.id = ANY($2::text[]) ORDER BY d.id`);

/** The SELECT of one deal (for a read-decide-write transaction, after its row lock). */
export const GET_DEAL = GET;

function text(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new PipelineError('invalid_input', `${path}: expected a string`, { path });
  return value;
}

/** One deal, or null. */
export async function getDeal(ctx: Context, id: string): Promise<Deal | null> {
  text(id, 'id');
  const { rows } = await guarded('deals.get', () => ctx.db.query<DealRow>(GET, [ctx.tenantId, id]));
  return rows[0] ? readDeal(ctx, rows[0]) : null;
}

function checkIds(ids: readonly string[]): void {
  if (!Array.isArray(ids)) throw new PipelineError('invalid_input', 'ids: expected an array of strings', { path: 'ids' });
  ids.forEach((id, i) => text(id, `ids[${i}]`));
}

/** The deals with these ids that exist, in the order asked. */
export async function getDeals(ctx: Context, ids: readonly string[]): Promise<Deal[]> {
  checkIds(ids);
  if (ids.length === 0) return [];
  const { rows } = await guarded('deals.getMany', () => ctx.db.query<DealRow>(GET_MANY, [ctx.tenantId, arrayLiteral(ids)]));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: Deal[] = [];
  for (const id of ids) {
    const row = byId.get(id);
    if (row) out.push(readDeal(ctx, row));
  }
  return out;
}

/** The tails of the deals with these ids that exist, in id order. */
export async function getTails(ctx: Context, ids: readonly string[]): Promise<DealTail[]> {
  checkIds(ids);
  if (ids.length === 0) return [];
  const { rows } = await guarded('deals.getTails', () => ctx.db.query<DealRow>(GET_TAILS, [ctx.tenantId, arrayLiteral(ids)]));
  return rows.map((r) => readTail(ctx, r));
}

/** What a listing selects beside the deal's columns. */
type Shape = 'lean' | 'history' | 'tails';

function selectOf(shape: Shape, q: CheckedDealQuery): string {
  const changes = shape === 'tails' || q.changes ? `, ${CHANGES}` : '';
  return `SELECT ${DEAL_COLUMNS}, ${SORT_COLUMN[q.sort]} AS sort_value, ${shape === 'history' ? HISTORY : LAST_VISIT}${changes} FROM sp_deals d`;
}

/**
 * The list statement, sent unprepared: the server plans it with its values each time. A prepared
 * statement's plan for any values assumes the average tenant's share of rows, and with many small
 * tenants that plan read every deal of a large tenant's pipeline and sorted it for each page: a
 * page of 100 of a pipeline of 100k deals in id order took 95 ms prepared against 1.6 ms planned
 * with its values, a bulk update's page of 1,000 tails 130 ms against 14 ms (and a bulk update
 * grew with the square of the pipeline's size). Planning costs about 0.3 ms a page.
 */
function listStatement(select: string, where: string, order: string, limitParam: number): string {
  return `${select} WHERE ${where} ORDER BY ${order} LIMIT $${limitParam}`;
}

/** The rows of one page (one more than `limit` is asked, to know whether a next page exists) and its cursor. */
async function pageRows(ctx: Context, q: CheckedDealQuery, shape: Shape, operation: string): Promise<{ rows: (DealRow & { sort_value: unknown })[]; next: string | null }> {
  const w = new Where(ctx.tenantId);
  const filters = filterSql(w, q);
  if (filters !== 'true') w.add(filters);
  const after = afterSql(w, q);
  if (after !== null) w.add(after);
  const sql = listStatement(selectOf(shape, q), w.text(), orderSql(q), w.params.push(q.limit + 1));
  const { rows } = await guarded(operation, () => ctx.db.query<DealRow & { sort_value: unknown }>(sql, w.params));
  const page = rows.length > q.limit ? rows.slice(0, q.limit) : rows;
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > q.limit && last !== undefined ? encodeCursor(q.sort, q.order, sortValue(last.sort_value, q), last.id) : null };
}

/** A sort value as the cursor carries it: numbers as numbers (bigint columns arrive as strings from some drivers). */
function sortValue(value: unknown, q: CheckedDealQuery): string | number | null {
  if (value === null || value === undefined) return null;
  return q.sort === 'updatedAt' || q.sort === 'stageEnteredAt' || q.sort === 'amount' ? Number(value) : String(value);
}

/** One page of deals matching the filters, in the query's order, lean unless `include` asks for more. */
export async function listDeals(ctx: Context, query: DealQuery): Promise<DealPage> {
  const q = checkDealQuery(query);
  const { rows, next } = await pageRows(ctx, q, q.history ? 'history' : 'lean', 'deals.list');
  return { deals: rows.map((r) => (q.history ? withoutChanges(readDeal(ctx, r), q) : readLean(ctx, r))), next };
}

/** A whole deal of a listing that asked for its history but not its change log. */
function withoutChanges(deal: Deal, q: CheckedDealQuery): Deal {
  if (!q.changes) delete deal.changes;
  return deal;
}

/** One page of tails of the deals matching the filters, in the query's order. */
export async function listTails(ctx: Context, query: DealQuery): Promise<DealTailPage> {
  const q = checkDealQuery(query);
  const { rows, next } = await pageRows(ctx, q, 'tails', 'deals.listTails');
  return { tails: rows.map((r) => readTail(ctx, r)), next };
}

// Unprepared, like the listings: from its sixth run the prepared plan assumed the average tenant's
// share of rows, and a pipeline of 100k deals took 154 ms to summarize against 66 ms planned with
// its values (a tenant of a few deals pays about 0.3 ms more for the planning).
const SUMMARIZE = `SELECT d.stage_id, d.currency, count(*)::integer AS count, coalesce(sum(d.amount), 0)::double precision AS amount,
              coalesce(sum(d.amount * d.probability / 100), 0)::double precision AS weighted,
              count(*) FILTER (WHERE d.stage_entered_at < r.before)::integer AS rotting
       FROM sp_deals d LEFT JOIN unnest($3::text[], $4::double precision[]) AS r(stage_id, before) ON r.stage_id = d.stage_id
       WHERE d.tenant_id = $1 AND d.pipeline_id = $2
       GROUP BY d.stage_id, d.currency ORDER BY d.stage_id, d.currency NULLS FIRST`;

/** Per stage and currency of one pipeline: count, amounts, weighted amounts, rotting deals. */
export async function summarizeDeals(ctx: Context, q: SummaryQuery): Promise<StageSummaryRow[]> {
  if (typeof q !== 'object' || q === null) throw new PipelineError('invalid_input', 'query: expected { pipelineId, rottingBefore }', { path: 'query' });
  text(q.pipelineId, 'query.pipelineId');
  const rotting = q.rottingBefore ?? {};
  if (typeof rotting !== 'object' || rotting === null) throw new PipelineError('invalid_input', 'query.rottingBefore: expected a record of instants', { path: 'query.rottingBefore' });
  const stages = Object.keys(rotting);
  const before = stages.map((s) => {
    const t = rotting[s];
    if (typeof t !== 'number' || !Number.isFinite(t)) throw new PipelineError('invalid_input', `query.rottingBefore.${s}: expected epoch milliseconds`, { path: `query.rottingBefore.${s}` });
    return t;
  });
  const { rows } = await guarded('deals.summarize', () =>
    ctx.db.query<{ stage_id: string; currency: string | null; count: number; amount: number; weighted: number; rotting: number }>(
      SUMMARIZE,
      [ctx.tenantId, q.pipelineId, stages, before],
    ),
  );
  return rows.map((r) => ({ stageId: r.stage_id, currency: r.currency, count: r.count, amount: r.amount, weighted: r.weighted, rotting: r.rotting }));
}
