import { amountOf, currencyOf, dateOf, dealName, instantOf, probabilityOf, reasonOf } from './common.js';
import type { DraftDeal, DraftVisit, Point, Warnings } from './draft.js';
import { id, obj, optBool, optId, optStr, records, type Obj } from './read.js';
import { recordFields, SALESFORCE_DEAL_FIELDS as F } from './dealFields.js';
import { LAYOUT_ID, STANDARD_ID, type SalesforceSetup } from './salesforceSetup.js';
import { byTime, orderTies } from './tieOrder.js';
import { placeVisits } from './visitPipelines.js';

// Opportunities and their OpportunityHistory rows, read into drafts.

interface Row {
  readonly stageId: string;
  readonly at: number;
  readonly by: string | null;
  readonly row: Obj;
  readonly path: string;
  /** FromOpportunityStageName: the stage before the change (null on the first row); undefined when not exported. */
  readonly from: string | null | undefined;
  readonly forecast: string | undefined;
  readonly fromForecast: string | null | undefined;
  /** ValidThroughDate: when the row stopped being the opportunity's state (null: still is). */
  readonly validThrough: number | null;
  /** PrevOpportunityStageUpdate: when the stage before this row was set. */
  readonly prevStageUpdate: number | null;
}

/** Where the page's records sit in the payload the pages make up together. */
export interface Offsets {
  readonly opportunities: number;
  readonly history: number;
}

/** The drafts of one page `{ opportunities, history }`; `offsets` number its records after earlier pages'. */
export function readSalesforcePage(setup: SalesforceSetup, page: Obj, offsets: Offsets, w: Warnings): { drafts: DraftDeal[]; counts: Offsets } {
  const history = readHistory(page.history, offsets.history, w);
  const { items, path } = records(page.opportunities, 'payload.opportunities', 'records');
  const drafts: DraftDeal[] = [];
  items.forEach((item, i) => {
    const draft = readOpportunity(item, `${path}[${offsets.opportunities + i}]`, setup, history.rows, w);
    if (draft) drafts.push(draft);
  });
  return { drafts, counts: { opportunities: items.length, history: history.count } };
}

function readHistory(v: unknown, offset: number, w: Warnings): { rows: Map<string, Row[]>; count: number } {
  const { items, path } = records(v, 'payload.history', 'records');
  const out = new Map<string, Row[]>();
  items.forEach((item, i) => {
    const at = `${path}[${offset + i}]`;
    const r = obj(item, at);
    const oppId = id(r.OpportunityId, `${at}.OpportunityId`);
    if (optBool(r.IsDeleted, `${at}.IsDeleted`) === true) {
      w.add('row_skipped', at, 'deleted history row; left out');
      return;
    }
    const time = instantOf(r.CreatedDate, `${at}.CreatedDate`, w);
    if (time === null) {
      w.add('row_skipped', at, 'history row without a readable CreatedDate; left out');
      return;
    }
    const row: Row = {
      stageId: id(r.StageName, `${at}.StageName`),
      at: time,
      by: optId(r.CreatedById, `${at}.CreatedById`),
      row: r,
      path: at,
      from: r.FromOpportunityStageName === undefined ? undefined : optStr(r.FromOpportunityStageName, `${at}.FromOpportunityStageName`),
      forecast: typeof r.ForecastCategory === 'string' ? r.ForecastCategory : undefined,
      fromForecast: r.FromForecastCategory === undefined ? undefined : optStr(r.FromForecastCategory, `${at}.FromForecastCategory`),
      validThrough: r.ValidThroughDate === undefined ? null : instantOf(r.ValidThroughDate, `${at}.ValidThroughDate`, w),
      prevStageUpdate: r.PrevOpportunityStageUpdate === undefined ? null : instantOf(r.PrevOpportunityStageUpdate, `${at}.PrevOpportunityStageUpdate`, w),
    };
    const list = out.get(oppId);
    if (list) list.push(row);
    else out.set(oppId, [row]);
  });
  return { rows: out, count: items.length };
}

/**
 * Rows by CreatedDate. Rows of one transaction share it; among them a row valid through an
 * earlier instant (ValidThroughDate) or following an earlier stage update
 * (PrevOpportunityStageUpdate) comes first, and each row follows the one whose stage (or
 * forecast category) it names as its From value.
 */
function ordered(rows: readonly Row[]): Row[] {
  if (!rows.some((r) => r.validThrough !== null || r.prevStageUpdate !== null)) return orderTies(byTime(rows), follows);
  const sorted = rows.map((r, i) => [r, i] as const).sort(([a, i], [b, j]) =>
    a.at - b.at || (a.validThrough ?? Infinity) - (b.validThrough ?? Infinity) || (a.prevStageUpdate ?? -Infinity) - (b.prevStageUpdate ?? -Infinity) || i - j);
  return orderTies(sorted.map(([r]) => r), follows);
}

function follows(r: Row, previous: Row | null): boolean {
  const byStage = r.from === undefined ? null : r.from === (previous?.stageId ?? null);
  const byForecast = r.fromForecast === undefined || previous?.forecast === undefined ? null : r.fromForecast === previous.forecast;
  if (byStage === null && byForecast === null) return false;
  return byStage !== false && byForecast !== false;
}

function readOpportunity(item: unknown, path: string, setup: SalesforceSetup, history: ReadonlyMap<string, Row[]>, w: Warnings): DraftDeal | null {
  const o = obj(item, path);
  const at = recordFields(o, path);
  const oppId = id(at.value(F.id), at.path(F.id));
  if (optBool(o.IsDeleted, `${path}.IsDeleted`) === true) {
    w.add('deal_skipped', path, `opportunity ${oppId} is deleted; left out`);
    return null;
  }
  const pipelineId = pipelineOf(o, path, setup, w);
  const stageId = id(at.value(F.stageId), at.path(F.stageId));
  const rows = ordered(history.get(oppId) ?? []);
  const placed = setup.hasProcesses ? placeVisits(rows, { id: oppId, pipelineId, stageId }, setup.index, w) : null;
  const visits: DraftVisit[] = [];
  const probabilities: Point<number>[] = [];
  const amounts: Point<number | null>[] = [];
  const dates: Point<string | null>[] = [];
  rows.forEach((r, i) => {
    const probability = probabilityOf(r.row.Probability, `${r.path}.Probability`, w, 100);
    visits.push({ pipelineId: placed?.[i] ?? pipelineId, stageId: r.stageId, at: r.at, by: r.by, ...(probability === null ? {} : { probability }) });
    if (probability !== null) probabilities.push({ at: r.at, by: r.by, to: probability });
    if ('Amount' in r.row) amounts.push({ at: r.at, by: r.by, to: amountOf(r.row.Amount, `${r.path}.Amount`, w), ...('PrevAmount' in r.row ? { from: amountOf(r.row.PrevAmount, `${r.path}.PrevAmount`, w) } : {}) });
    if ('CloseDate' in r.row) dates.push({ at: r.at, by: r.by, to: dateOf(r.row.CloseDate, `${r.path}.CloseDate`, w), ...('PrevCloseDate' in r.row ? { from: dateOf(r.row.PrevCloseDate, `${r.path}.PrevCloseDate`, w) } : {}) });
  });
  return {
    path,
    id: oppId,
    layoutId: LAYOUT_ID,
    name: dealName(at.value(F.name), at.path(F.name), w, oppId),
    currency: currencyOf(at.value(F.currency), at.path(F.currency), w),
    ownerId: optId(at.value(F.ownerId), at.path(F.ownerId)),
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
}

function pipelineOf(o: Obj, path: string, setup: SalesforceSetup, w: Warnings): string {
  const fields = recordFields(o, path);
  const at = fields.path(F.pipelineId);
  const recordType = optId(fields.value(F.pipelineId), at);
  if (!setup.hasProcesses || recordType === null) return STANDARD_ID;
  const ref = setup.recordTypes.get(recordType);
  const process = ref === undefined || ref === null ? undefined : setup.processes.get(ref);
  if (process !== undefined) return process;
  w.add('pipeline_guessed', at, `record type ${recordType} names no known sales process; the opportunity is placed in the standard pipeline`);
  return STANDARD_ID;
}
