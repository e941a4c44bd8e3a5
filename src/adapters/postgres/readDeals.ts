import { PipelineError, type Deal, type DealPage, type DealQuery, type DealTail, type DealTailPage, type StageSummaryRow, type SummaryQuery } from 'sales-pipelines';
import { named } from './client.js';
import type { Context } from './context.js';
import { guarded } from './driverErrors.js';
import { HISTORY, LAST_VISIT, readDeal, readTail } from './rows.js';
import { arrayLiteral } from './text.js';

type BodyRow = { id: string; body: string; history: string | null };
type TailRow = { id: string; body: string; visit_count: number; last: string | null };

const SELECT = `SELECT d.id, d.body::text AS body, ${HISTORY} AS history FROM sp_deals d`;
const TAIL_SELECT = `SELECT d.id, d.body::text AS body, d.visit_count, ${LAST_VISIT} AS last FROM sp_deals d`;
const GET = named('sp_deals_get', `${SELECT} WHERE d.tenant_id = $1 AND d.id = $2`);
const GET_MANY = named('sp_deals_get_many', `${SELECT} WHERE d.tenant_id = $1 AND d.id = ANY($2::text[])`);
const GET_TAILS = named('sp_deals_get_tails', `${TAIL_SELECT} WHERE d.tenant_id = $1 AND d.id = ANY($2::text[]) ORDER BY d.id`);

function text(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new PipelineError('invalid_input', `${path}: expected a string`, { path });
  return value;
}

/** One deal, or null. */
export async function getDeal(ctx: Context, id: string): Promise<Deal | null> {
  text(id, 'id');
  const { rows } = await guarded('deals.get', () => ctx.db.query<BodyRow>(GET, [ctx.tenantId, id]));
  return rows[0] ? readDeal(ctx, rows[0]) : null;
}

/** The deals with these ids that exist, in the order asked. */
export async function getDeals(ctx: Context, ids: readonly string[]): Promise<Deal[]> {
  if (!Array.isArray(ids)) throw new PipelineError('invalid_input', 'ids: expected an array of strings', { path: 'ids' });
  ids.forEach((id, i) => text(id, `ids[${i}]`));
  if (ids.length === 0) return [];
  const { rows } = await guarded('deals.getMany', () => ctx.db.query<BodyRow>(GET_MANY, [ctx.tenantId, arrayLiteral(ids)]));
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
  if (!Array.isArray(ids)) throw new PipelineError('invalid_input', 'ids: expected an array of strings', { path: 'ids' });
  ids.forEach((id, i) => text(id, `ids[${i}]`));
  if (ids.length === 0) return [];
  const { rows } = await guarded('deals.getTails', () => ctx.db.query<TailRow>(GET_TAILS, [ctx.tenantId, arrayLiteral(ids)]));
  return rows.map((r) => readTail(ctx, r));
}

function checkQuery(q: DealQuery): number {
  if (typeof q !== 'object' || q === null) throw new PipelineError('invalid_input', 'query: expected { limit, layoutId?, pipelineId?, stageId?, after? }', { path: 'query' });
  if (q.layoutId !== undefined) text(q.layoutId, 'query.layoutId');
  if (q.pipelineId !== undefined && q.pipelineId !== null) text(q.pipelineId, 'query.pipelineId');
  if (q.stageId !== undefined) text(q.stageId, 'query.stageId');
  if (q.after !== undefined && q.after !== null) text(q.after, 'query.after');
  if (typeof q.limit !== 'number' || !(q.limit >= 1)) throw new PipelineError('invalid_input', 'query.limit: expected a number of at least 1', { path: 'query.limit' });
  return Math.min(Math.floor(q.limit), 100_000);
}

const SUMMARIZE = named('sp_deals_summarize', `SELECT d.stage_id, d.currency, count(*)::integer AS count, coalesce(sum(d.amount), 0)::double precision AS amount,
              coalesce(sum(d.amount * d.probability / 100), 0)::double precision AS weighted,
              count(*) FILTER (WHERE d.stage_entered_at < r.before)::integer AS rotting
       FROM sp_deals d LEFT JOIN unnest($3::text[], $4::double precision[]) AS r(stage_id, before) ON r.stage_id = d.stage_id
       WHERE d.tenant_id = $1 AND d.pipeline_id = $2
       GROUP BY d.stage_id, d.currency ORDER BY d.stage_id, d.currency NULLS FIRST`);

const LISTS = new Map<string, string>();

/** The list statement for these filters: one fixed, named text per combination of filters and kind of read. */
function listStatement(select: string, where: readonly string[], limitParam: number): string {
  const key = `${where.join(' AND ')} ORDER BY d.id LIMIT $${limitParam}`;
  const tails = select === TAIL_SELECT;
  let sql = LISTS.get(`${+tails}${key}`);
  if (sql === undefined) LISTS.set(`${+tails}${key}`, (sql = named(`sp_deals_${tails ? 'tails' : 'list'}_${LISTS.size}`, `${select} WHERE ${key}`)));
  return sql;
}

/** The rows of one page by key (one more than `limit`): `id > after ORDER BY id`, on the (tenant, layout | pipeline, stage, id) indexes. */
async function pageRows<Row extends { id: string }>(ctx: Context, q: DealQuery, select: string, operation: string): Promise<{ rows: Row[]; next: string | null }> {
  const limit = checkQuery(q);
  const params: unknown[] = [ctx.tenantId];
  const where = ['d.tenant_id = $1'];
  const add = (column: string, value: unknown) => where.push(`${column} $${params.push(value)}`);
  if (q.layoutId !== undefined) add('d.layout_id =', q.layoutId);
  if (q.pipelineId === null) where.push('d.pipeline_id IS NULL');
  else if (q.pipelineId !== undefined) add('d.pipeline_id =', q.pipelineId);
  if (q.stageId !== undefined) add('d.stage_id =', q.stageId);
  if (q.after !== undefined && q.after !== null) add('d.id >', q.after);
  const sql = listStatement(select, where, params.push(limit + 1));
  const { rows } = await guarded(operation, () => ctx.db.query<Row>(sql, params));
  const page = rows.length > limit ? rows.slice(0, limit) : rows;
  return { rows: page, next: rows.length > limit ? page[page.length - 1]!.id : null };
}

/** One page of deals matching the filters, by id after the cursor. */
export async function listDeals(ctx: Context, q: DealQuery): Promise<DealPage> {
  const { rows, next } = await pageRows<BodyRow>(ctx, q, SELECT, 'deals.list');
  return { deals: rows.map((r) => readDeal(ctx, r)), next };
}

/** One page of tails of the deals matching the filters, by id after the cursor. */
export async function listTails(ctx: Context, q: DealQuery): Promise<DealTailPage> {
  const { rows, next } = await pageRows<TailRow>(ctx, q, TAIL_SELECT, 'deals.listTails');
  return { tails: rows.map((r) => readTail(ctx, r)), next };
}

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
