import { Deal, PipelineError, type DealEvent, type DealTail, type StageVisit, type WorkspaceEvent } from 'sales-pipelines';
import type { Context } from './context.js';
import { rememberRead, rememberTail, sameExceptExit } from '../storedRows.js';
import { storableJson, storableText } from './text.js';

/**
 * A chunk of deals as column arrays, one element per deal (unnest(...) on the server turns them
 * back into rows): one statement saves the whole chunk whatever its size.
 */
export interface DealColumns {
  readonly id: string[];
  readonly expected: (number | null)[];
  readonly layoutId: string[];
  readonly pipelineId: (string | null)[];
  readonly stageId: string[];
  readonly stageEnteredAt: number[];
  readonly currency: (string | null)[];
  readonly amount: (number | null)[];
  readonly probability: number[];
  readonly updatedAt: number[];
  readonly version: number[];
  readonly visitCount: number[];
  readonly body: string[];
}

/** Stage visits as column arrays, one element per visit, in (deal id, seq) order. */
export interface VisitColumns {
  readonly dealId: string[];
  readonly seq: number[];
  readonly layoutId: string[];
  readonly pipelineId: (string | null)[];
  readonly stageId: string[];
  readonly enteredAt: number[];
  readonly exitedAt: (number | null)[];
  readonly amount: (number | null)[];
  readonly probability: number[];
  readonly expectedRevenue: (number | null)[];
  readonly closingDate: (string | null)[];
  readonly forecastCategory: string[];
  readonly outcome: string[];
  readonly by: (string | null)[];
  readonly bypassedRules: boolean[];
}

/** Outbox rows as column arrays, in the order the events happened. */
export interface EventColumns {
  readonly eventId: string[];
  readonly dealId: (string | null)[];
  readonly version: number[];
  readonly body: string[];
}

function emptyDealColumns(): DealColumns {
  return { id: [], expected: [], layoutId: [], pipelineId: [], stageId: [], stageEnteredAt: [], currency: [], amount: [], probability: [], updatedAt: [], version: [], visitCount: [], body: [] };
}

function emptyVisitColumns(): VisitColumns {
  return { dealId: [], seq: [], layoutId: [], pipelineId: [], stageId: [], enteredAt: [], exitedAt: [], amount: [], probability: [], expectedRevenue: [], closingDate: [], forecastCategory: [], outcome: [], by: [], bypassedRules: [] };
}

function pushVisit(cols: VisitColumns, deal: Deal, seq: number, v: StageVisit, path: string): void {
  cols.dealId.push(deal.id);
  cols.seq.push(seq);
  cols.layoutId.push(deal.layoutId);
  cols.pipelineId.push(storableText(v.pipelineId, `${path}.pipelineId`));
  cols.stageId.push(storableText(v.stageId, `${path}.stageId`));
  cols.enteredAt.push(v.enteredAt);
  cols.exitedAt.push(v.exitedAt);
  cols.amount.push(v.amount);
  cols.probability.push(v.probability);
  cols.expectedRevenue.push(v.expectedRevenue);
  cols.closingDate.push(storableText(v.closingDate, `${path}.closingDate`));
  cols.forecastCategory.push(v.forecastCategory);
  cols.outcome.push(v.outcome);
  cols.by.push(storableText(v.by, `${path}.by`));
  cols.bypassedRules.push(v.bypassedRules === true);
}

/** Closed visits as column arrays: only their exited_at changed since they were read. */
export interface ExitColumns {
  readonly dealId: string[];
  readonly seq: number[];
  readonly exitedAt: (number | null)[];
}

/** Deals whose stored visits past their history's length are deleted. */
export interface TrimColumns {
  readonly dealId: string[];
  readonly visitCount: number[];
}

/** Deals saved from a tail whose stored visits before it take the deal's layout. */
export interface RelayoutColumns {
  readonly dealId: string[];
  readonly before: number[];
  readonly layoutId: string[];
}

/** Stored visits from position `from` on: `visits[k]` is the visit at `from + k`. */
export interface StoredVisits {
  readonly from: number;
  readonly visits: readonly StageVisit[];
}

/** One checked change of a save: where the deal's history starts, and what this object knows is stored. */
export interface CheckedChange {
  readonly deal: Deal;
  readonly expectedVersion: number | null;
  /** Its index in the save: `changes[index]`. */
  readonly index: number;
  /** The deal's path in errors: `changes[index].deal`. */
  readonly path: string;
  readonly start: number;
  readonly stored: StoredVisits | null;
}

/** What one save writes, as column arrays. */
export interface SaveColumns {
  readonly deals: DealColumns;
  /** Visit rows written whole (upserted): every visit of a deal not read here, new and changed ones otherwise. */
  readonly visits: VisitColumns;
  readonly exits: ExitColumns;
  readonly trims: TrimColumns;
  readonly relayouts: RelayoutColumns;
}

/**
 * Splits deals (sorted by id: the order row locks are taken in) into deal and visit columns.
 * The body is the deal without its history, which lives in the visits table. For a deal read
 * through these repositories at the version it is saved over (`stored`: its visits as read,
 * same layout), only what differs is sent: new visits, the exited_at of visits that only
 * closed, changed visits whole, and a trim when the history got shorter. The statement checks
 * that version before writing, so the stored rows are those visits. Any other deal sends every
 * visit (upserted where it differs) and a trim.
 */
export function saveColumns(changes: readonly CheckedChange[]): SaveColumns {
  const deals = emptyDealColumns();
  const visits = emptyVisitColumns();
  const exits: ExitColumns = { dealId: [], seq: [], exitedAt: [] };
  const trims: TrimColumns = { dealId: [], visitCount: [] };
  const relayouts: RelayoutColumns = { dealId: [], before: [], layoutId: [] };
  for (const { deal, expectedVersion, path, start, stored } of changes) {
    const { history, ...rest } = deal;
    const last = history[history.length - 1]!;
    deals.id.push(storableText(deal.id, `${path}.id`));
    deals.expected.push(expectedVersion);
    deals.layoutId.push(storableText(deal.layoutId, `${path}.layoutId`));
    deals.pipelineId.push(storableText(deal.pipelineId, `${path}.pipelineId`));
    deals.stageId.push(storableText(deal.stageId, `${path}.stageId`));
    deals.stageEnteredAt.push(last.enteredAt);
    deals.currency.push(storableText(deal.currency, `${path}.currency`));
    deals.amount.push(deal.amount);
    deals.probability.push(deal.probability);
    deals.updatedAt.push(deal.updatedAt);
    deals.version.push(deal.version);
    deals.visitCount.push(start + history.length);
    deals.body.push(storableJson(JSON.stringify(rest), path));
    if (stored === null) {
      for (let i = 0; i < history.length; i++) pushVisit(visits, deal, start + i, history[i]!, `${path}.history[${i}]`);
      if (expectedVersion !== null) {
        trims.dealId.push(deal.id);
        trims.visitCount.push(start + history.length);
      }
      if (start > 0) {
        relayouts.dealId.push(deal.id);
        relayouts.before.push(start);
        relayouts.layoutId.push(deal.layoutId);
      }
      continue;
    }
    for (let i = 0; i < history.length; i++) {
      const seq = start + i;
      const v = history[i]!;
      const old = stored.visits[seq - stored.from];
      if (old === v) continue;
      if (old !== undefined && sameExceptExit(old, v)) {
        if (old.exitedAt === v.exitedAt) continue;
        exits.dealId.push(deal.id);
        exits.seq.push(seq);
        exits.exitedAt.push(v.exitedAt);
      } else pushVisit(visits, deal, seq, v, `${path}.history[${i}]`);
    }
    if (start + history.length < stored.from + stored.visits.length) {
      trims.dealId.push(deal.id);
      trims.visitCount.push(start + history.length);
    }
  }
  return { deals, visits, exits, trims, relayouts };
}

/** Events as outbox columns; deal events carry their deal's id, workspace events none. */
export function eventColumns(events: readonly (DealEvent | WorkspaceEvent)[], path: string): EventColumns {
  const cols: EventColumns = { eventId: [], dealId: [], version: [], body: [] };
  events.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || typeof e.version !== 'number') {
      throw new PipelineError('invalid_input', `${path}[${i}]: expected an event with an id and a version`, { path: `${path}[${i}]` });
    }
    const dealId = 'dealId' in e && typeof e.dealId === 'string' ? e.dealId : null;
    cols.eventId.push(storableText(e.id, `${path}[${i}].id`));
    cols.dealId.push(dealId === null ? null : storableText(dealId, `${path}[${i}].dealId`));
    cols.version.push(e.version);
    cols.body.push(storableJson(JSON.stringify(e), `${path}[${i}]`));
  });
  return cols;
}

/** A visit as the server aggregates it: a JSON array in the column order below. */
type VisitTuple = [string | null, string, number, number | null, number | null, number, number | null, string | null, StageVisit['forecastCategory'], StageVisit['outcome'], string | null, boolean];

/** The SQL expression that builds a {@link VisitTuple} from a row of sp_stage_visits aliased `v`. */
export const VISIT_TUPLE = `json_build_array(v.pipeline_id, v.stage_id, v.entered_at, v.exited_at, v.amount, v.probability,
  v.expected_revenue, v.closing_date, v.forecast_category, v.outcome, v."by", v.bypassed_rules)`;

/** The SQL expression for a deal's history (as JSON text) beside a row of sp_deals aliased `d`. */
export const HISTORY = `(SELECT json_agg(${VISIT_TUPLE} ORDER BY v.seq) FROM sp_stage_visits v
  WHERE v.tenant_id = $1 AND v.tenant_id = d.tenant_id AND v.deal_id = d.id)::text`; // $1: the tenant

function visit(t: VisitTuple): StageVisit {
  return {
    pipelineId: t[0],
    stageId: t[1],
    enteredAt: t[2],
    exitedAt: t[3],
    amount: t[4],
    probability: t[5],
    expectedRevenue: t[6],
    closingDate: t[7],
    forecastCategory: t[8],
    outcome: t[9],
    by: t[10],
    bypassedRules: t[11],
  };
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
 * A deal from its body and history columns, fresh from JSON.parse; validated when asked. Its
 * visits are frozen and remembered as stored at its version (see `Context.known`).
 */
export function readDeal(ctx: Context, row: { body: string; history: string | null }): Deal {
  const deal = JSON.parse(row.body) as Deal;
  deal.history = row.history === null ? [] : (JSON.parse(row.history) as VisitTuple[]).map(visit);
  if (ctx.validate) checkRead(deal);
  rememberRead(ctx.known, deal);
  return deal;
}

/** The SQL for a deal's last visit (a {@link VisitTuple} as JSON text) beside a row of sp_deals aliased `d`. */
export const LAST_VISIT = `(SELECT ${VISIT_TUPLE} FROM sp_stage_visits v
  WHERE v.tenant_id = $1 AND v.tenant_id = d.tenant_id AND v.deal_id = d.id AND v.seq = d.visit_count - 1)::text`; // $1: the tenant

/**
 * A deal with only its last visit, and where that visit sits in the stored history; validated
 * when asked, its visit frozen and remembered as stored from that position (see `Context.known`).
 */
export function readTail(ctx: Context, row: { body: string; visit_count: number; last: string | null }): DealTail {
  const deal = JSON.parse(row.body) as Deal;
  if (row.last === null) {
    // A deal row without its last visit row was edited by hand: refused, not handed out without a visit.
    throw new PipelineError('storage_failed', `deal ${String(deal.id)}: the stored deal has no visit at position ${row.visit_count - 1} (visit_count ${row.visit_count})`, { dealId: deal.id });
  }
  deal.history = [visit(JSON.parse(row.last) as VisitTuple)];
  if (ctx.validate) checkRead(deal);
  const historyStart = row.visit_count - 1;
  rememberTail(ctx.tails, deal, historyStart);
  return { deal, historyStart };
}
