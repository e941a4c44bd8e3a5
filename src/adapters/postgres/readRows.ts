import { PipelineError } from '../../errors.js';
import { Deal, type FieldChange, type StageVisit } from '../../model/deal.js';
import type { DealTail } from '../../ports/repositories.js';
import type { Context } from './context.js';
import { rememberRead, rememberTail } from '../storedRows.js';

// Reading deals: the columns of sp_deals, and beside them the history and the change log, each
// aggregated by the server into one JSON text per deal (one round trip for a page of deals).

/** A visit as the server aggregates it: a JSON array in the column order below. */
type VisitTuple = [string | null, string, number, number | null, number | null, number, number | null, string | null, StageVisit['forecastCategory'], StageVisit['outcome'], string | null, boolean];

/** A change as the server aggregates it: [at, by, field, from, to]. */
type ChangeTuple = [number, string | null, FieldChange['field'], FieldChange['from'], FieldChange['to']];

/** The SQL expression that builds a {@link VisitTuple} from a row of sp_stage_visits aliased `v`. */
const VISIT_TUPLE = `json_build_array(v.pipeline_id, v.stage_id, v.entered_at, v.exited_at, v.amount, v.probability,
  v.expected_revenue, v.closing_date, v.forecast_category, v.outcome, v."by", v.bypassed_rules)`;

/** The deal's own columns, as a row of sp_deals aliased `d`. */
export const DEAL_COLUMNS = `d.id, d.layout_id, d.pipeline_id, d.stage_id, d.name, d.amount, d.currency, d.probability, d.closing_date,
  d.owner_id, d.lost_reason, d.fields::text AS fields, d.created_at, d.updated_at, d.version, d.visit_count, d.change_count`;

/** The SQL expression for a deal's history (as JSON text) beside a row of sp_deals aliased `d`; $1 is the tenant. */
export const HISTORY = `(SELECT json_agg(${VISIT_TUPLE} ORDER BY v.seq) FROM sp_stage_visits v
  WHERE v.tenant_id = $1 AND v.deal_id = d.id)::text AS history`;

/** The SQL for a deal's last visit (a {@link VisitTuple} as JSON text) beside a row of sp_deals aliased `d`; $1 is the tenant. */
export const LAST_VISIT = `(SELECT ${VISIT_TUPLE} FROM sp_stage_visits v
  WHERE v.tenant_id = $1 AND v.deal_id = d.id AND v.seq = d.visit_count - 1)::text AS last`;

/** The SQL expression for a deal's change log (as JSON text) beside a row of sp_deals aliased `d`; $1 is the tenant. */
export const CHANGES = `CASE WHEN d.change_count IS NOT NULL THEN coalesce((SELECT json_agg(json_build_array(c.at, c."by", c.field,
  c.from_value::json, c.to_value::json) ORDER BY c.seq) FROM sp_deal_changes c WHERE c.tenant_id = $1 AND c.deal_id = d.id), '[]')::text END AS changes`;

/** A row of sp_deals as read, with the aggregates asked for. */
export interface DealRow {
  id: string;
  layout_id: string;
  pipeline_id: string | null;
  stage_id: string;
  name: string;
  amount: number | null;
  currency: string | null;
  probability: number;
  closing_date: string | null;
  owner_id: string | null;
  lost_reason: string | null;
  fields: string;
  created_at: string | number;
  updated_at: string | number;
  version: number;
  visit_count: number;
  change_count: number | null;
  history?: string | null;
  last?: string | null;
  changes?: string | null;
}

function visit(t: VisitTuple): StageVisit {
  return {
    pipelineId: t[0], stageId: t[1], enteredAt: t[2], exitedAt: t[3], amount: t[4], probability: t[5], expectedRevenue: t[6],
    closingDate: t[7], forecastCategory: t[8], outcome: t[9], by: t[10], bypassedRules: t[11],
  };
}

function change(t: ChangeTuple): FieldChange {
  return { at: t[0], by: t[1], field: t[2], from: t[3], to: t[4] };
}

/** The deal of a row, with the history given (and the change log when the row carries it). */
function dealOf(row: DealRow, history: StageVisit[]): Deal {
  const deal: Deal = {
    id: row.id, layoutId: row.layout_id, pipelineId: row.pipeline_id, stageId: row.stage_id, name: row.name, amount: row.amount,
    currency: row.currency, probability: row.probability, closingDate: row.closing_date, ownerId: row.owner_id, lostReason: row.lost_reason,
    fields: JSON.parse(row.fields) as Deal['fields'], createdAt: Number(row.created_at), updatedAt: Number(row.updated_at), version: row.version, history,
  };
  if (typeof row.changes === 'string') deal.changes = (JSON.parse(row.changes) as ChangeTuple[]).map(change);
  return deal;
}

/** Refuses a stored deal that is not a valid deal (rows edited by hand), when the host asked for validation. */
function checkRead(deal: Deal): void {
  const parsed = Deal.safeParse(deal);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? issue.path.join('.') : '';
    throw new PipelineError('storage_failed', `stored deal ${String(deal.id)} is not a valid deal: ${path} ${issue?.message ?? ''}`.trim(), { dealId: deal.id, path });
  }
}

/**
 * A whole deal (history and change log); validated when asked. Its visits are frozen and
 * remembered as stored at its version (see `Context.known`).
 */
export function readDeal(ctx: Context, row: DealRow): Deal {
  const deal = dealOf(row, typeof row.history === 'string' ? (JSON.parse(row.history) as VisitTuple[]).map(visit) : []);
  if (ctx.validate) checkRead(deal);
  rememberRead(ctx.known, deal);
  return deal;
}

function lastVisit(row: DealRow): StageVisit {
  if (typeof row.last !== 'string') {
    // A deal row without its last visit row was edited by hand: refused, not handed out without a visit.
    throw new PipelineError('storage_failed', `deal ${row.id}: the stored deal has no visit at position ${row.visit_count - 1} (visit_count ${row.visit_count})`, { dealId: row.id });
  }
  return visit(JSON.parse(row.last) as VisitTuple);
}

/** A lean deal of a listing: its current visit only (frozen, as every visit handed out), the change log only when the row carries it. Not remembered for saves. */
export function readLean(ctx: Context, row: DealRow): Deal {
  const deal = dealOf(row, [Object.freeze(lastVisit(row))]);
  if (ctx.validate) checkRead(deal);
  return deal;
}

/**
 * A deal with only its last visit (and its whole change log), and where that visit sits in the
 * stored history; validated when asked, its visit frozen and remembered as stored from that
 * position (see `Context.tails`).
 */
export function readTail(ctx: Context, row: DealRow): DealTail {
  const deal = dealOf(row, [lastVisit(row)]);
  if (ctx.validate) checkRead(deal);
  const historyStart = row.visit_count - 1;
  rememberTail(ctx.tails, deal, historyStart);
  return { deal, historyStart };
}
