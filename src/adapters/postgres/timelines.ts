import type { TimelinePage, TimelineQuery } from '../../ports/repositories.js';
import { checkTimelineQuery, timelinePage, TIMELINE_FIELDS, type TimelineChangeRow, type TimelineVisitRow } from '../timelineRows.js';
import { named } from './client.js';
import type { Context } from './context.js';
import { guarded } from './driverErrors.js';

// A page of deals by id, then their visits and changes by the primary keys' ranges from the first
// id to the last (one index range scan each, in key order): three statements a page, no JSON built.
const DEALS_FIRST = named('sp_timelines_deals_first', 'SELECT id, currency FROM sp_deals WHERE tenant_id = $1 ORDER BY id LIMIT $2');
const DEALS_AFTER = named('sp_timelines_deals_after', 'SELECT id, currency FROM sp_deals WHERE tenant_id = $1 AND id > $3 ORDER BY id LIMIT $2');
// Instants as float8 (exact below 2^53), so the driver hands numbers, not strings to convert.
const VISITS = named('sp_timelines_visits', `SELECT deal_id, pipeline_id, entered_at::float8 AS entered_at, exited_at::float8 AS exited_at, outcome, amount, probability, closing_date FROM sp_stage_visits
  WHERE tenant_id = $1 AND deal_id >= $2 AND deal_id <= $3 AND ($4::bigint IS NULL OR entered_at < $4::bigint) ORDER BY deal_id, seq`);
const CHANGES = named('sp_timelines_changes', `SELECT deal_id, at::float8 AS at, "by", field, from_value, to_value FROM sp_deal_changes
  WHERE tenant_id = $1 AND deal_id >= $2 AND deal_id <= $3 AND field IN (${TIMELINE_FIELDS.map((f) => `'${f}'`).join(', ')}) ORDER BY deal_id, seq`);

type VisitRow = { deal_id: string; pipeline_id: string | null; entered_at: number; exited_at: number | null; outcome: string; amount: number | null; probability: number; closing_date: string | null };
type ChangeRow = { deal_id: string; at: number; by: string | null; field: string; from_value: string; to_value: string };

/** One page of the tenant's deals as timelines (see `DealRepository.timelines`). */
export async function timelines(ctx: Context, query: TimelineQuery): Promise<TimelinePage> {
  const q = checkTimelineQuery(query);
  return guarded('deals.timelines', async () => {
    const { rows: deals } = await ctx.db.query<{ id: string; currency: string | null }>(
      q.after === null ? DEALS_FIRST : DEALS_AFTER,
      q.after === null ? [ctx.tenantId, q.limit + 1] : [ctx.tenantId, q.limit + 1, q.after],
    );
    if (deals.length === 0) return { deals: [], next: null };
    const range = [ctx.tenantId, deals[0]!.id, deals[Math.min(deals.length, q.limit) - 1]!.id];
    const [visits, changes] = await Promise.all([
      ctx.db.query<VisitRow>(VISITS, [...range, q.before]),
      ctx.db.query<ChangeRow>(CHANGES, range),
    ]);
    return timelinePage(
      deals.map((d) => [d.id, d.currency]),
      q.limit,
      visits.rows.map((r): TimelineVisitRow => [r.deal_id, r.pipeline_id, r.entered_at, r.exited_at, r.outcome, r.amount, r.probability, r.closing_date]),
      changes.rows.map((r): TimelineChangeRow => [r.deal_id, r.at, r.by, r.field, r.from_value, r.to_value]),
    );
  });
}
