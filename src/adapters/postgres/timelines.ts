import type { TimelinePage, TimelineQuery } from '../../ports/repositories.js';
import { checkTimelineQuery, timelinePage, TIMELINE_FIELDS, TUPLES, type TimelineChangeRow, type TimelineRowReader, type TimelineVisitRow } from '../timelineRows.js';
import type { PostgresQueryOptions } from './client.js';
import type { FieldChange, StageVisit } from '../../model/deal.js';
import { named } from './client.js';
import type { Context } from './context.js';
import { guarded } from './driverErrors.js';

// A page of deals by id, then their visits and changes by the primary keys' ranges from the first
// id to the last (one index range scan each, in key order): three statements a page, no JSON built.
const DEALS_FIRST = named('sp_timelines_deals_first', 'SELECT id, currency FROM sp_deals WHERE tenant_id = $1 ORDER BY id LIMIT $2');
const DEALS_AFTER = named('sp_timelines_deals_after', 'SELECT id, currency FROM sp_deals WHERE tenant_id = $1 AND id > $3 ORDER BY id LIMIT $2');
// Instants as float8 (exact below 2^53), so the driver hands numbers, not strings to convert.
// Only the visit fields a timeline holds: every value a row carries is a string the driver builds.
const VISITS = named('sp_timelines_visits', `SELECT deal_id, pipeline_id, entered_at::float8 AS entered_at, outcome, amount, closing_date FROM sp_stage_visits
  WHERE tenant_id = $1 AND deal_id >= $2 AND deal_id <= $3 AND ($4::bigint IS NULL OR entered_at < $4::bigint) ORDER BY deal_id, seq`);
const CHANGES = named('sp_timelines_changes', `SELECT deal_id, at::float8 AS at, "by", field, from_value, to_value FROM sp_deal_changes
  WHERE tenant_id = $1 AND deal_id >= $2 AND deal_id <= $3 AND field IN (${TIMELINE_FIELDS.map((f) => `'${f}'`).join(', ')}) ORDER BY deal_id, seq`);

type VisitRow = { deal_id: string; pipeline_id: string | null; entered_at: number; outcome: string; amount: number | null; closing_date: string | null };
type ChangeRow = { deal_id: string; at: number; by: string | null; field: string; from_value: string; to_value: string };

const ARRAYS: PostgresQueryOptions = { rowMode: 'array' };

/** The driver's rows as objects, read in place (instants and amounts already numbers). */
const ROWS: TimelineRowReader<VisitRow, ChangeRow> = {
  visitDeal: (r) => r.deal_id,
  visit: (r) => ({ pipelineId: r.pipeline_id, enteredAt: r.entered_at, outcome: r.outcome as StageVisit['outcome'], amount: r.amount, closingDate: r.closing_date }),
  changeDeal: (r) => r.deal_id,
  change: (r) => ({ at: r.at, by: r.by, field: r.field as FieldChange['field'], from: JSON.parse(r.from_value) as FieldChange['from'], to: JSON.parse(r.to_value) as FieldChange['to'] }),
};

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
    // Rows as arrays when the client gives them (no object per row), else as objects.
    const [visits, changes] = await Promise.all([
      ctx.db.query<VisitRow | TimelineVisitRow>(VISITS, [...range, q.before], ARRAYS),
      ctx.db.query<ChangeRow | TimelineChangeRow>(CHANGES, range, ARRAYS),
    ]);
    const page = deals.map((d) => [d.id, d.currency] as const);
    const arrays = Array.isArray(visits.rows[0] ?? changes.rows[0]);
    return arrays
      ? timelinePage(page, q.limit, visits.rows as TimelineVisitRow[], changes.rows as TimelineChangeRow[], TUPLES)
      : timelinePage(page, q.limit, visits.rows as VisitRow[], changes.rows as ChangeRow[], ROWS);
  });
}
