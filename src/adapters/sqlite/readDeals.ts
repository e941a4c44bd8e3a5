import { Deal, PipelineError, type DealPage, type DealQuery, type StageVisit } from '../../index.js';
import type { Context } from './context.js';
import { dealFrom, VISIT_COLUMNS, visitFromRow } from './rows.js';

/** Freezes the deal's visits and remembers them as stored at this version (see `Context.known`). */
function remember(ctx: Context, deal: Deal): void {
  const read = { id: deal.id, version: deal.version, visits: deal.history.slice() };
  for (const visit of deal.history) ctx.known.set(Object.freeze(visit), read);
}

/** Re-validates a deal read from the database when the host asked for it (rows edited by hand). */
function checked(ctx: Context, deal: Deal): Deal {
  if (!ctx.validate) {
    remember(ctx, deal);
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

/**
 * Deals from joined rows `[id, body on the first visit, ...visit columns]`, ordered by deal and seq.
 * Stops after `limit` deals; returns whether more followed.
 */
function assemble(ctx: Context, rows: readonly unknown[][], limit: number): { deals: Deal[]; more: boolean } {
  const deals: Deal[] = [];
  let body: string | null = null;
  let history: StageVisit[] = [];
  for (const r of rows) {
    if (r[1] !== null) {
      if (body !== null) deals.push(checked(ctx, dealFrom(body, history)));
      if (deals.length === limit) return { deals, more: true };
      body = r[1] as string;
      history = [];
    }
    history.push(visitFromRow(r, 2));
  }
  if (body !== null) deals.push(checked(ctx, dealFrom(body, history)));
  return { deals, more: false };
}

/** One deal with its history, or null. */
export function getDeal(ctx: Context, id: string): Deal | null {
  const rows = ctx.sql.dealGet.all(ctx.tenantId, id) as unknown[][];
  if (rows.length === 0) return null;
  const history: StageVisit[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) history[i] = visitFromRow(rows[i]!, 1);
  return checked(ctx, dealFrom(rows[0]![0] as string, history));
}

function listSql(q: DealQuery): string {
  const where = ['tenant_id = ?'];
  if (q.layoutId !== undefined) where.push('layout_id = ?');
  if (q.pipelineId === null) where.push('pipeline_id IS NULL');
  else if (q.pipelineId !== undefined) where.push('pipeline_id = ?');
  if (q.stageId !== undefined) where.push('stage_id = ?');
  if (q.after != null) where.push('id > ?');
  return `WITH page AS (SELECT tenant_id, id, body FROM sp_deals WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?)
    SELECT p.id, CASE WHEN v.seq = 0 THEN p.body END, ${VISIT_COLUMNS} FROM page p
    JOIN sp_stage_visits v ON v.tenant_id = p.tenant_id AND v.deal_id = p.id ORDER BY p.id, v.seq`;
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

/** One page of the tenant's deals matching the filters, by id after the cursor. */
export function listDeals(ctx: Context, q: DealQuery): DealPage {
  const limit = checkQuery(q);
  const key = `list:${q.layoutId !== undefined}:${q.pipelineId === null ? 'null' : q.pipelineId !== undefined}:${q.stageId !== undefined}:${q.after != null}`;
  const stmt = ctx.cached(key, () => listSql(q));
  const params: unknown[] = [ctx.tenantId];
  if (q.layoutId !== undefined) params.push(q.layoutId);
  if (q.pipelineId != null) params.push(q.pipelineId);
  if (q.stageId !== undefined) params.push(q.stageId);
  if (q.after != null) params.push(q.after);
  params.push(limit + 1);
  const { deals, more } = assemble(ctx, stmt.all(...params) as unknown[][], limit);
  return { deals, next: more ? deals[deals.length - 1]!.id : null };
}
