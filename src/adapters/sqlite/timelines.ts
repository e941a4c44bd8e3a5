import type { TimelinePage, TimelineQuery } from '../../ports/repositories.js';
import { checkTimelineQuery, timelinePage, TIMELINE_FIELDS, TUPLES, type TimelineChangeRow, type TimelineVisitRow } from '../timelineRows.js';
import type { Context } from './context.js';

// A page of deals by id, then their visits and changes by the primary keys' ranges from the first
// id to the last (one range scan each, in key order): three statements a page, no JSON built.
const DEALS = (after: boolean) => `SELECT id, currency FROM sp_deals WHERE tenant_id = ?${after ? ' AND id > ?' : ''} ORDER BY id LIMIT ?`;
const VISITS = (before: boolean) => `SELECT deal_id, pipeline_id, entered_at, outcome, amount, closing_date FROM sp_stage_visits
  WHERE tenant_id = ? AND deal_id >= ? AND deal_id <= ?${before ? ' AND entered_at < ?' : ''} ORDER BY deal_id, seq`;
const CHANGES = `SELECT deal_id, at, "by", field, from_value, to_value FROM sp_deal_changes
  WHERE tenant_id = ? AND deal_id >= ? AND deal_id <= ? AND field IN (${TIMELINE_FIELDS.map((f) => `'${f}'`).join(', ')}) ORDER BY deal_id, seq`;

/** One page of the tenant's deals as timelines (see `DealRepository.timelines`). */
export function timelines(ctx: Context, query: TimelineQuery): TimelinePage {
  const q = checkTimelineQuery(query);
  const params: unknown[] = [ctx.tenantId];
  if (q.after !== null) params.push(q.after);
  params.push(q.limit + 1);
  const deals = ctx.cached(`timelines:deals:${q.after !== null}`, () => DEALS(q.after !== null)).raw().all(...params) as [string, string | null][];
  if (deals.length === 0) return { deals: [], next: null };
  const first = deals[0]![0];
  const last = deals[Math.min(deals.length, q.limit) - 1]![0];
  const range: unknown[] = [ctx.tenantId, first, last];
  const visits = ctx.cached(`timelines:visits:${q.before !== null}`, () => VISITS(q.before !== null)).raw().all(...range, ...(q.before === null ? [] : [q.before])) as TimelineVisitRow[];
  const changes = ctx.cached('timelines:changes', () => CHANGES).raw().all(...range) as TimelineChangeRow[];
  return timelinePage(deals, q.limit, visits, changes, TUPLES);
}
