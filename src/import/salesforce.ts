import { assemble } from './assemble.js';
import { amountOf, currencyOf, dateOf, dealName, forecastOf, guarded, instantOf, probabilityOf, reasonOf } from './common.js';
import { Warnings, type DraftDeal, type DraftLayout, type DraftPipeline, type DraftStage, type DraftVisit, type Point } from './draft.js';
import { arr, cleanName, id, isObj, obj, optBool, optId, records, type Obj } from './read.js';
import type { ImportResult } from './types.js';

/**
 * The SOQL query results a host fetched from Salesforce (pages concatenated), each
 * `{ records }` or the bare array:
 * - `stages`: `SELECT ApiName, MasterLabel, SortOrder, IsActive, IsClosed, IsWon, DefaultProbability, ForecastCategoryName FROM OpportunityStage`;
 * - `opportunities`: `SELECT Id, Name, StageName, Amount, Probability, CloseDate, RecordTypeId, OwnerId, CreatedDate, LastModifiedDate FROM Opportunity`
 *   (add `CurrencyIsoCode` in multi-currency orgs);
 * - `history`: `SELECT OpportunityId, StageName, Amount, Probability, CloseDate, PrevAmount, PrevCloseDate, CreatedDate, CreatedById FROM OpportunityHistory`;
 * - `businessProcesses` (optional): sales processes, from the Tooling API
 *   (`SELECT Id, Name, IsActive, TableEnumOrId, Metadata FROM BusinessProcess`) or the Metadata
 *   API (`{ fullName, isActive, values: [{ fullName }] }`);
 * - `recordTypes` (optional): `SELECT Id, Name, BusinessProcessId, SobjectType FROM RecordType`.
 *
 * @example
 * ```ts
 * const payload: SalesforcePayload = { stages: { records: [] }, opportunities: { records: [] }, history: { records: [] } };
 * ```
 */
export interface SalesforcePayload {
  readonly stages: unknown;
  readonly opportunities: unknown;
  readonly history: unknown;
  readonly businessProcesses?: unknown;
  readonly recordTypes?: unknown;
}

/**
 * Salesforce opportunities all belong to this layout.
 *
 * @example
 * ```ts
 * fromSalesforce(payload).workspace.layouts[0].id === SALESFORCE_LAYOUT_ID; // true
 * ```
 */
export const SALESFORCE_LAYOUT_ID = 'Opportunity';
/**
 * The standard pipeline: every active stage of the `StageName` picklist.
 *
 * @example
 * ```ts
 * dwellStats(deals, { now: Date.now(), pipelineId: SALESFORCE_STANDARD_PIPELINE_ID });
 * ```
 */
export const SALESFORCE_STANDARD_PIPELINE_ID = 'Opportunity:standard';

/**
 * Imports Salesforce opportunity stages, sales processes, opportunities and `OpportunityHistory`.
 *
 * - One layout `Opportunity`; its picklist is every `OpportunityStage` by `SortOrder` (stage id =
 *   `ApiName`, the value `StageName` holds). `IsClosed`/`IsWon` give the outcome,
 *   `DefaultProbability` the probability, `ForecastCategoryName` the forecast category (Best Case
 *   and Most Likely → `best_case`, Commit/Forecast → `commit`). Inactive stages are kept only
 *   where history names them.
 * - The standard pipeline `Opportunity:standard` holds every active stage and is the default.
 *   Each active sales process of opportunities becomes a pipeline of its values (in picklist
 *   order); an opportunity is in the process of its record type, or in the standard pipeline
 *   without one. Without business processes there is just the standard pipeline.
 * - History: the rows of each opportunity by `CreatedDate`. A row whose `StageName` is the
 *   stage the opportunity is already in (written because Amount, Probability or CloseDate changed)
 *   adds no visit: its values go to the change log, `PrevCloseDate` → `CloseDate` as a
 *   `closingDate` change (a push or a pull-in). Rows carry no record type, so every visit is in the
 *   opportunity's current pipeline. Deleted rows (`IsDeleted`) are left out.
 * - Instants are read with their offset (`2024-04-01T08:00:00.000+0000`); `CloseDate` is a date.
 *
 * @param payload - `{ stages, opportunities, history, businessProcesses?, recordTypes? }`
 * @returns `{ workspace, deals, warnings }`
 * @throws PipelineError `invalid_input` naming the JSON path of what cannot be read
 * @example
 * ```ts
 * const { workspace, deals } = fromSalesforce({ stages, opportunities, history });
 * dwellStats(deals, { now: Date.now(), pipelineId: 'Opportunity:standard' });
 * ```
 */
export function fromSalesforce(payload: SalesforcePayload): ImportResult {
  return guarded(() => {
    const w = new Warnings();
    const p = obj(payload, 'payload');
    const stages = readStages(p.stages, w);
    const processes = readProcesses(p.businessProcesses, stages, w);
    const recordTypes = readRecordTypes(p.recordTypes);
    const pipelines: DraftPipeline[] = [
      {
        id: SALESFORCE_STANDARD_PIPELINE_ID,
        name: 'All stages',
        stages: stages.filter((s) => !s.deleted).map((s) => ({ stageId: s.id })),
        standard: true,
        isDefault: true,
        deleted: false,
        path: 'payload.stages',
      },
      ...processes,
    ];
    const layout: DraftLayout = { id: SALESFORCE_LAYOUT_ID, name: 'Opportunities', stages, pipelines };
    const rows = readHistory(p.history, w);
    const { items, path } = records(p.opportunities, 'payload.opportunities', 'records');
    const known = new Set(processes.map((x) => x.id));
    const drafts: DraftDeal[] = [];
    items.forEach((item, i) => {
      const draft = readOpportunity(item, `${path}[${i}]`, { recordTypes, known, rows, hasProcesses: processes.length > 0 }, w);
      if (draft) drafts.push(draft);
    });
    const { workspace, deals } = assemble([layout], drafts, w);
    return { workspace, deals, warnings: w.list };
  });
}

function readStages(v: unknown, w: Warnings): DraftStage[] {
  const { items, path } = records(v, 'payload.stages', 'records');
  const read = items.map((item, i) => {
    const at = `${path}[${i}]`;
    const s = obj(item, at);
    const stageId = id(s.ApiName ?? s.MasterLabel, `${at}.ApiName`);
    const closed = optBool(s.IsClosed, `${at}.IsClosed`) === true;
    const won = optBool(s.IsWon, `${at}.IsWon`) === true;
    const outcome: DraftStage['outcome'] = closed ? (won ? 'won' : 'lost') : 'open';
    let probability = probabilityOf(s.DefaultProbability, `${at}.DefaultProbability`, w, 100);
    if (probability === null) {
      probability = outcome === 'won' ? 100 : 0;
      w.add('probability_guessed', `${at}.DefaultProbability`, `stage ${stageId} has no DefaultProbability; ${probability} is used`);
    }
    const category = forecastOf(s.ForecastCategoryName ?? s.ForecastCategory, `${at}.ForecastCategoryName`) ?? (outcome === 'won' ? 'closed' : outcome === 'lost' ? 'omitted' : 'pipeline');
    const stage: DraftStage = { id: stageId, name: cleanName(s.MasterLabel, stageId), probability, outcome, forecastCategory: category, deleted: optBool(s.IsActive, `${at}.IsActive`) === false, path: at };
    return { stage, order: typeof s.SortOrder === 'number' ? s.SortOrder : Number.MAX_SAFE_INTEGER };
  });
  return read.sort((a, b) => a.order - b.order).map((r) => r.stage);
}

function readProcesses(v: unknown, stages: readonly DraftStage[], w: Warnings): DraftPipeline[] {
  const { items, path } = records(v, 'payload.businessProcesses', 'records');
  const known = new Map(stages.map((s, i) => [s.id, i]));
  const out: DraftPipeline[] = [];
  items.forEach((item, i) => {
    const at = `${path}[${i}]`;
    const b = obj(item, at);
    const table = b.TableEnumOrId ?? (typeof b.fullName === 'string' ? b.fullName.split('.')[0] : 'Opportunity');
    if (table !== 'Opportunity') return;
    const processId = id(b.Id ?? b.fullName, `${at}.Id`);
    const meta = isObj(b.Metadata) ? obj(b.Metadata, `${at}.Metadata`) : b;
    const valuesPath = isObj(b.Metadata) ? `${at}.Metadata.values` : `${at}.values`;
    const values = meta.values === undefined || meta.values === null ? [] : arr(meta.values, valuesPath);
    const ids: string[] = [];
    values.forEach((value, j) => {
      const raw = isObj(value) ? value.fullName : value;
      let stageId = id(raw, `${valuesPath}[${j}]${isObj(value) ? '.fullName' : ''}`);
      if (!known.has(stageId) && /%[0-9A-Fa-f]{2}/.test(stageId)) {
        const decoded = safeDecode(stageId);
        if (decoded !== null && known.has(decoded)) stageId = decoded;
      }
      if (!known.has(stageId)) {
        w.add('value_dropped', `${valuesPath}[${j}]`, `sales process ${processId} lists ${stageId}, which is not an OpportunityStage; left out`);
        return;
      }
      ids.push(stageId);
    });
    ids.sort((a, c) => known.get(a)! - known.get(c)!);
    const name = cleanName(b.Name ?? (typeof b.fullName === 'string' ? b.fullName.split('.').pop() : null), processId);
    const inactive = optBool(b.IsActive ?? b.isActive, `${at}.IsActive`) === false;
    out.push({ id: processId, name, stages: ids.map((stageId) => ({ stageId })), standard: false, isDefault: false, deleted: inactive, path: at });
  });
  return out;
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function readRecordTypes(v: unknown): Map<string, string | null> {
  const { items, path } = records(v, 'payload.recordTypes', 'records');
  const out = new Map<string, string | null>();
  items.forEach((item, i) => {
    const r = obj(item, `${path}[${i}]`);
    out.set(id(r.Id, `${path}[${i}].Id`), optId(r.BusinessProcessId, `${path}[${i}].BusinessProcessId`));
  });
  return out;
}

interface Row {
  readonly stageId: string;
  readonly at: number;
  readonly by: string | null;
  readonly row: Obj;
  readonly path: string;
}

function readHistory(v: unknown, w: Warnings): Map<string, Row[]> {
  const { items, path } = records(v, 'payload.history', 'records');
  const out = new Map<string, Row[]>();
  items.forEach((item, i) => {
    const at = `${path}[${i}]`;
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
    const list = out.get(oppId) ?? [];
    list.push({ stageId: id(r.StageName, `${at}.StageName`), at: time, by: optId(r.CreatedById, `${at}.CreatedById`), row: r, path: at });
    out.set(oppId, list);
  });
  return out;
}

interface Context {
  readonly recordTypes: ReadonlyMap<string, string | null>;
  readonly known: ReadonlySet<string>;
  readonly rows: ReadonlyMap<string, Row[]>;
  readonly hasProcesses: boolean;
}

function readOpportunity(item: unknown, path: string, ctx: Context, w: Warnings): DraftDeal | null {
  const o = obj(item, path);
  const oppId = id(o.Id, `${path}.Id`);
  if (optBool(o.IsDeleted, `${path}.IsDeleted`) === true) {
    w.add('deal_skipped', path, `opportunity ${oppId} is deleted; left out`);
    return null;
  }
  const pipelineId = pipelineOf(o, path, ctx, w);
  const rows = [...(ctx.rows.get(oppId) ?? [])].sort((a, b) => a.at - b.at);
  const visits: DraftVisit[] = [];
  const probabilities: Point<number>[] = [];
  const amounts: Point<number | null>[] = [];
  const dates: Point<string | null>[] = [];
  for (const r of rows) {
    const probability = probabilityOf(r.row.Probability, `${r.path}.Probability`, w, 100);
    visits.push({ pipelineId, stageId: r.stageId, at: r.at, by: r.by, ...(probability === null ? {} : { probability }) });
    if (probability !== null) probabilities.push({ at: r.at, by: r.by, to: probability });
    if ('Amount' in r.row) amounts.push({ at: r.at, by: r.by, to: amountOf(r.row.Amount, `${r.path}.Amount`, w), ...('PrevAmount' in r.row ? { from: amountOf(r.row.PrevAmount, `${r.path}.PrevAmount`, w) } : {}) });
    if ('CloseDate' in r.row) dates.push({ at: r.at, by: r.by, to: dateOf(r.row.CloseDate, `${r.path}.CloseDate`, w), ...('PrevCloseDate' in r.row ? { from: dateOf(r.row.PrevCloseDate, `${r.path}.PrevCloseDate`, w) } : {}) });
  }
  return {
    path,
    id: oppId,
    layoutId: SALESFORCE_LAYOUT_ID,
    name: dealName(o.Name, oppId, `${path}.Name`, w),
    currency: currencyOf(o.CurrencyIsoCode, `${path}.CurrencyIsoCode`, w),
    ownerId: optId(o.OwnerId, `${path}.OwnerId`),
    lostReason: reasonOf(o.Loss_Reason__c ?? null, `${path}.Loss_Reason__c`, w),
    fields: {},
    pipelineId,
    stageId: id(o.StageName, `${path}.StageName`),
    amount: amountOf(o.Amount, `${path}.Amount`, w),
    closingDate: dateOf(o.CloseDate, `${path}.CloseDate`, w),
    probability: probabilityOf(o.Probability, `${path}.Probability`, w, 100),
    createdAt: instantOf(o.CreatedDate, `${path}.CreatedDate`, w),
    updatedAt: instantOf(o.LastModifiedDate ?? o.SystemModstamp, `${path}.LastModifiedDate`, w),
    visits,
    amounts,
    closingDates: dates,
    probabilities,
  };
}

function pipelineOf(o: Obj, path: string, ctx: Context, w: Warnings): string {
  const recordType = optId(o.RecordTypeId, `${path}.RecordTypeId`);
  if (!ctx.hasProcesses || recordType === null) return SALESFORCE_STANDARD_PIPELINE_ID;
  const process = ctx.recordTypes.get(recordType);
  if (process && ctx.known.has(process)) return process;
  w.add('pipeline_guessed', `${path}.RecordTypeId`, `record type ${recordType} names no known sales process; the opportunity is placed in the standard pipeline`);
  return SALESFORCE_STANDARD_PIPELINE_ID;
}
