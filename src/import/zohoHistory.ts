import { amountOf, currencyOf, dateOf, dealName, instantOf, probabilityOf, reasonOf } from './common.js';
import { MAX_AMOUNT } from '../model/primitives.js';
import type { DraftDeal, DraftVisit, Point, Warnings } from './draft.js';
import { id, isObj, keyed, looseNumber, obj, records, refId, refName, type Obj } from './read.js';
import { recordFields, ZOHO_DEAL_FIELDS as F } from './dealFields.js';
import { readCalendarDate, readInstant } from './time.js';
import { byTime, orderTies } from './tieOrder.js';
import { placeVisits, type PipelineIndex } from './visitPipelines.js';
import { isEmptyStage, type ZohoLayout } from './zohoLayouts.js';

// Zoho's stage history, read as the Stage_History related list of each deal (keyed by deal id)
// or as the DealHistory module through COQL or Bulk read (one flat list, each row naming its
// deal in the lookup Potential_Name). Either way a row is one stay: Stage entered at
// Modified_Time, left for Moved_To__s (null while the deal is there), Duration_Days long.

export interface HistoryRow {
  readonly row: Obj;
  readonly path: string;
}

/**
 * The rows of each deal. A flat DealHistory list (an array, or `{ data }`) is grouped by
 * `Potential_Name`; a row whose deal is empty (an orphan, left by a deleted deal) is left out
 * with a warning. `offset` numbers a page's flat rows after the earlier pages'.
 */
export function readStageHistory(v: unknown, offset: number, w: Warnings): { rowsOf: (dealId: string) => HistoryRow[]; count: number } {
  if (!(Array.isArray(v) || (isObj(v) && Array.isArray(v.data)))) {
    const histories = keyed(v, 'payload.stageHistory');
    return {
      count: 0,
      rowsOf(dealId) {
        if (!Object.hasOwn(histories, dealId)) return [];
        const { items, path } = records(histories[dealId], `payload.stageHistory.${dealId}`, 'data');
        return items.map((item, i) => ({ row: obj(item, `${path}[${i}]`), path: `${path}[${i}]` }));
      },
    };
  }
  const { items, path } = records(v, 'payload.stageHistory', 'data');
  const byDeal = new Map<string, HistoryRow[]>();
  items.forEach((item, i) => {
    const at = `${path}[${offset + i}]`;
    const row = obj(item, at);
    const dealId = refId(row.Potential_Name ?? null, `${at}.Potential_Name`);
    if (dealId === null) {
      w.add('row_skipped', at, 'DealHistory row whose deal (Potential_Name) is empty; left out');
      return;
    }
    const list = byDeal.get(dealId);
    if (list) list.push({ row, path: at });
    else byDeal.set(dealId, [{ row, path: at }]);
  });
  return { count: items.length, rowsOf: (dealId) => byDeal.get(dealId) ?? [] };
}

type FigureKey = 'Duration_Days' | 'Stage_Duration_Calendar_Days';

/** A figure Zoho reported: the days a stay that began at `at` lasted, in field `key` of the row at `path`. */
export interface ZohoFigure {
  readonly stageId: string;
  readonly at: number;
  readonly days: number;
  readonly path: string;
  readonly key: FigureKey;
}

/** What reading a deal of one layout needs. */
export interface ZohoLayoutContext {
  readonly layout: ZohoLayout;
  /** Stage name (actual or display value) → stage id. */
  readonly stageIds: ReadonlyMap<string, string>;
  /** Null for a layout without pipelines. */
  readonly index: PipelineIndex | null;
}

interface Row {
  readonly at: number;
  readonly stageId: string;
  readonly pipelineId?: string;
  /** Moved_To__s as a stage id: null while the deal is there, undefined when not exported. */
  readonly movedTo: string | null | undefined;
  readonly by: string | null;
  readonly row: Obj;
  readonly path: string;
}

/** A deal and its rows as a draft, with Zoho's dwell figures; null when the deal has no stage. */
export function readZohoDeal(d: Obj, path: string, rows: readonly HistoryRow[], ctx: ZohoLayoutContext, w: Warnings): { draft: DraftDeal; figures: ZohoFigure[] } | null {
  const at = recordFields(d, path);
  const dealId = id(at.value(F.id), at.path(F.id));
  const stage = at.value(F.stageId);
  const stagePath = at.path(F.stageId);
  if (isEmptyStage(stage)) {
    w.add('deal_skipped', stagePath, `deal ${dealId} has no stage (None); left out`);
    return null;
  }
  const stageId = stageIdOf(stage, stagePath, ctx.stageIds);
  const pipelineId = pipelineOf(at.value(F.pipelineId), at.path(F.pipelineId), ctx.layout, w);
  const read = ordered(readRows(rows, ctx, w));
  warnGaps(read, w);
  const placed = ctx.index && pipelineId !== null ? placeVisits(read, { id: dealId, pipelineId, stageId }, ctx.index, w) : null;
  const visits: DraftVisit[] = [];
  const amounts: Point<number | null>[] = [];
  const dates: Point<string | null>[] = [];
  const probabilities: Point<number>[] = [];
  const figures: ZohoFigure[] = [];
  read.forEach(({ row, path: at, at: time, by, stageId: s }, i) => {
    // The common forms are read in place; anything else goes through the readers that warn (and
    // name the field's path, built only then: a large import reads millions of these).
    const p = row.Probability;
    const probability = typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= 100 ? p : probabilityOf(p, `${at}.Probability`, w, 100);
    const visitPipeline = placed?.[i] ?? pipelineId;
    visits.push(probability === null ? { pipelineId: visitPipeline, stageId: s, at: time, by } : { pipelineId: visitPipeline, stageId: s, at: time, by, probability });
    if (probability !== null) probabilities.push({ at: time, by, to: probability });
    if ('Amount' in row) {
      const a = row.Amount;
      amounts.push({ at: time, by, to: typeof a === 'number' && Number.isFinite(a) && Math.abs(a) <= MAX_AMOUNT ? a : amountOf(a, `${at}.Amount`, w) });
    }
    const closeKey = 'Closing_Date' in row ? 'Closing_Date' : 'Close_Date' in row ? 'Close_Date' : null;
    if (closeKey) dates.push({ at: time, by, to: readCalendarDate(row[closeKey]) ?? dateOf(row[closeKey], `${at}.${closeKey}`, w) });
    const key = figureKey(row);
    const figure = key === null ? null : figureOf(row, key, at, w);
    if (figure !== null) figures.push({ stageId: s, at: time, days: figure, path: at, key: key! });
  });
  const draft: DraftDeal = {
    path,
    id: dealId,
    layoutId: ctx.layout.id,
    name: dealName(at.value(F.name), at.path(F.name), w, dealId),
    currency: currencyOf(at.value(F.currency), at.path(F.currency), w),
    ownerId: refId(at.value(F.ownerId), at.path(F.ownerId)),
    lostReason: reasonOf(at.value(F.lostReason), at.path(F.lostReason), w),
    fields: {},
    pipelineId,
    stageId,
    amount: amountOf(at.value(F.amount), at.path(F.amount), w),
    closingDate: dateOf(at.value(F.closingDate), at.path(F.closingDate), w),
    probability: probabilityOf(at.value(F.probability), at.path(F.probability), w, 100),
    createdAt: instantOf(at.value(F.createdAt), at.path(F.createdAt), w),
    updatedAt: instantOf(at.value(F.updatedAt), at.path(F.updatedAt), w),
    visits,
    amounts,
    closingDates: dates,
    probabilities,
  };
  return { draft, figures };
}

function readRows(rows: readonly HistoryRow[], ctx: ZohoLayoutContext, w: Warnings): Row[] {
  const out: Row[] = [];
  for (const { row, path } of rows) {
    const time = row.Modified_Time ?? row.Last_Modified_Time;
    const fast = typeof time === 'string' ? readInstant(time) : null;
    const at = fast !== null && !fast.zoneless ? fast.ms : instantOf(time, `${path}.Modified_Time`, w);
    if (at === null) {
      w.add('row_skipped', path, 'stage history row without a readable Modified_Time; left out');
      continue;
    }
    if (isEmptyStage(row.Stage)) {
      w.add('row_skipped', path, 'stage history row without a stage (None, before a first stage was set); left out');
      continue;
    }
    const explicit = row.Pipeline === undefined || row.Pipeline === null ? undefined : pipelineOf(row.Pipeline, `${path}.Pipeline`, ctx.layout, w);
    const moved = row.Moved_To__s;
    const read: Row = {
      at,
      stageId: (typeof row.Stage === 'string' ? ctx.stageIds.get(row.Stage) : undefined) ?? stageIdOf(row.Stage, `${path}.Stage`, ctx.stageIds),
      movedTo: moved === undefined ? undefined : isEmptyStage(moved) ? null : nameToId(refName(moved, `${path}.Moved_To__s`), ctx.stageIds),
      by: refId(row.Modified_By ?? row.Changed_By ?? null, `${path}.Modified_By`),
      row,
      path,
    };
    // Without a spread: a row is read a million times in a large import.
    out.push(explicit === undefined || explicit === null ? read : { ...read, pipelineId: explicit });
  }
  return out;
}

/**
 * Rows by Modified_Time; rows of one instant in the order their Moved_To__s chain them: the
 * first is the one the row before moved to (or that no row of the instant moved to).
 */
function ordered(rows: readonly Row[]): Row[] {
  return orderTies(byTime(rows), (r, previous, pending) =>
    previous ? previous.movedTo !== undefined && previous.movedTo === r.stageId : !pending.some((o) => o !== r && o.movedTo === r.stageId));
}

/** A row whose Moved_To__s names another stage than the next row enters: a stay is missing. */
function warnGaps(rows: readonly Row[], w: Warnings): void {
  rows.forEach((r, i) => {
    const next = rows[i + 1];
    if (!next || r.movedTo === undefined || r.movedTo === null || next.stageId === r.movedTo || next.stageId === r.stageId) return;
    w.add('history_approximated', `${r.path}.Moved_To__s`, `the row says the deal moved to ${r.movedTo}, but the next row enters ${next.stageId}; the stay in between is missing from the history`);
  });
}

/** Duration_Days (Stage_Duration_Calendar_Days in some orgs); none while the stay is open. */
function figureOf(row: Obj, key: FigureKey, path: string, w: Warnings): number | null {
  const days = looseNumber(row[key]);
  if (days === null) return null;
  if (days === undefined || days < 0) {
    w.add('value_dropped', `${path}.${key}`, `${JSON.stringify(row[key])?.slice(0, 60)} is not a number of days; left out`);
    return null;
  }
  return days;
}

/** Which field of a row holds Zoho's dwell figure. */
function figureKey(row: Obj): FigureKey | null {
  return 'Duration_Days' in row ? 'Duration_Days' : 'Stage_Duration_Calendar_Days' in row ? 'Stage_Duration_Calendar_Days' : null;
}

function nameToId(name: string | null, stageIds: ReadonlyMap<string, string>): string | null {
  return name === null ? null : (stageIds.get(name) ?? name);
}

export function stageIdOf(v: unknown, path: string, stageIds: ReadonlyMap<string, string>): string {
  const name = refName(v, path);
  if (name === null) return id(v, path);
  return stageIds.get(name) ?? id(name, path);
}

export function pipelineOf(v: unknown, path: string, layout: ZohoLayout, w: Warnings): string | null {
  if (layout.pipelines.length === 0) return null;
  const named = refName(v, path);
  const byId = isObj(v) ? refId(v, path) : null;
  const found = layout.pipelines.find((p) => p.id === byId || (named !== null && p.names.includes(named)));
  if (found) return found.id;
  const fallback = layout.pipelines.find((p) => p.isDefault) ?? layout.pipelines[0]!;
  w.add('pipeline_guessed', path, `${named === null ? 'no pipeline' : `pipeline "${named}"`} is not a pipeline of layout ${layout.id}; the default pipeline ${fallback.id} is used`);
  return fallback.id;
}
