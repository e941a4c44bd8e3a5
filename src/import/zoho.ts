import { assemble } from './assemble.js';
import { amountOf, currencyOf, dateOf, dealName, guarded, instantOf, probabilityOf, reasonOf } from './common.js';
import { Warnings, type DraftDeal, type DraftLayout, type DraftVisit, type Point } from './draft.js';
import { id, isObj, keyed, obj, records, refId, refName, refuse, type Obj } from './read.js';
import type { ImportResult } from './types.js';
import { historyOf, layoutDraft, readLayouts, readProbabilities, type ZohoLayout } from './zohoLayouts.js';

/**
 * The responses a host fetched from Zoho CRM (pages concatenated):
 * - `layouts`: the Deals layouts, `{ id, name }[]` (or the `{ layouts }` body of
 *   `GET /crm/v8/settings/layouts?module=Deals`);
 * - `pipelines`: per layout id, the body of `GET /crm/v8/settings/pipeline?layout_id=…`
 *   (`{ pipeline }`, the bare array, or null for a layout without pipelines, HTTP 204);
 * - `deals`: `GET /crm/v8/Deals?fields=Deal_Name,Stage,Pipeline,Amount,Closing_Date,Probability,Layout,Owner,Currency,Created_Time,Modified_Time`;
 * - `stageHistory`: per deal id, the body of `GET /crm/v8/Deals/{id}/Stage_History?fields=Stage,Modified_Time,Modified_By,Amount,Probability,Closing_Date`;
 * - `stageProbabilities` (optional): stage name → probability in percent, from the Stage
 *   field's `pick_list_values` (`GET /crm/v8/settings/fields?module=Deals`).
 *
 * @example
 * ```ts
 * const payload: ZohoPayload = { layouts: [{ id: '1', name: 'Standard' }], pipelines: { 1: { pipeline: [] } }, deals: { data: [] }, stageHistory: {} };
 * ```
 */
export interface ZohoPayload {
  readonly layouts: unknown;
  readonly pipelines: unknown;
  readonly deals: unknown;
  readonly stageHistory?: unknown;
  readonly stageProbabilities?: unknown;
}

/**
 * Imports Zoho CRM layouts, their pipelines, deals and each deal's `Stage_History`.
 *
 * - One layout per Zoho layout. Its picklist is every stage id in its pipelines' `maps` (the
 *   standard pipeline's order first); `forecast_type` (Open / Closed Won / Closed Lost) gives the
 *   outcome, `forecast_category.name` the forecast category. A pipeline is the ordered subset its
 *   `maps` list by `sequence_number`; `default: true` marks the default pipeline.
 * - The standard pipeline is the one Zoho names "Standard" (else the one with most stages, with
 *   a warning). A layout without pipelines keeps its deals outside pipelines, its picklist made of
 *   the stage names its deals and history use.
 * - Probabilities come from `stageProbabilities` (Zoho keeps them on the Stage field's picklist,
 *   not in the pipeline); without them a won stage is 100, a lost one 0 and an open one the
 *   probability deals most often report there, with a `probability_guessed` warning.
 * - Deals name their stage and pipeline by name; `Layout` (`{ id }`) names the layout (a single
 *   layout is used when missing). History: `Stage_History` rows by `Modified_Time`, each entering
 *   its `Stage`; rows that repeat the stage (written for amount, probability or closing-date
 *   changes) add to the change log. Rows carry no pipeline, so each visit is in the deal's current
 *   pipeline unless the row has a `Pipeline` field.
 * - Instants keep their offset (`2024-05-02T10:11:12+05:30`); `Closing_Date` is a date.
 *
 * @param payload - `{ layouts, pipelines, deals, stageHistory, stageProbabilities? }`
 * @returns `{ workspace, deals, warnings }`
 * @throws PipelineError `invalid_input` naming the JSON path of what cannot be read
 * @example
 * ```ts
 * const { workspace, deals } = fromZoho({ layouts, pipelines: { [layoutId]: pipelineBody }, deals: dealsBody, stageHistory });
 * dwellStats(deals, { now: Date.now() });
 * ```
 */
export function fromZoho(payload: ZohoPayload): ImportResult {
  return guarded(() => {
    const w = new Warnings();
    const p = obj(payload, 'payload');
    const probabilities = readProbabilities(p.stageProbabilities);
    const histories = keyed(p.stageHistory, 'payload.stageHistory');
    const { items: dealItems, path: dealsPath } = records(p.deals, 'payload.deals', 'data');
    const layouts = readLayouts(p, w);
    const firstLayout = layouts[0];
    const drafts: DraftDeal[] = [];
    const raw = dealItems.map((item, i) => ({ d: obj(item, `${dealsPath}[${i}]`), path: `${dealsPath}[${i}]` }));
    const byLayout = new Map<ZohoLayout, { d: Obj; path: string }[]>();
    for (const r of raw) {
      const named = refId(r.d.Layout, `${r.path}.Layout`);
      let layout = layouts.find((l) => l.id === named);
      if (!layout) {
        if (!firstLayout) refuse('payload.layouts', 'expected at least one layout for the deals');
        layout = firstLayout;
        if (named !== null || layouts.length > 1) w.add('layout_guessed', `${r.path}.Layout`, `deal ${String(r.d.id)} names ${named === null ? 'no layout' : `layout ${named}, which is not in the payload`}; layout ${layout.id} is used`);
      }
      const list = byLayout.get(layout);
      if (list) list.push(r);
      else byLayout.set(layout, [r]);
    }
    const drafted: DraftLayout[] = [];
    for (const layout of layouts) {
      const deals = (byLayout.get(layout) ?? []).map((r) => ({ ...r, rows: historyOf(histories, r.d, r.path) }));
      const draft = layoutDraft(layout, deals, probabilities, w);
      drafted.push(draft.layout);
      for (const r of deals) drafts.push(readDeal(r.d, r.path, r.rows, layout, draft.stageIds, w));
    }
    const { workspace, deals } = assemble(drafted, drafts, w);
    return { workspace, deals, warnings: w.list };
  });
}

function pipelineOf(v: unknown, path: string, layout: ZohoLayout, w: Warnings): string | null {
  if (layout.pipelines.length === 0) return null;
  const named = refName(v, path);
  const byId = isObj(v) ? refId(v, path) : null;
  const found = layout.pipelines.find((p) => p.id === byId || (named !== null && p.names.includes(named)));
  if (found) return found.id;
  const fallback = layout.pipelines.find((p) => p.isDefault) ?? layout.pipelines[0]!;
  w.add('pipeline_guessed', path, `${named === null ? 'no pipeline' : `pipeline "${named}"`} is not a pipeline of layout ${layout.id}; the default pipeline ${fallback.id} is used`);
  return fallback.id;
}

function stageIdOf(v: unknown, path: string, stageIds: ReadonlyMap<string, string>): string {
  const name = refName(v, path);
  if (name === null) return id(v, path);
  return stageIds.get(name) ?? id(name, path);
}

function readDeal(d: Obj, path: string, rows: readonly { row: Obj; path: string }[], layout: ZohoLayout, stageIds: ReadonlyMap<string, string>, w: Warnings): DraftDeal {
  const dealId = id(d.id, `${path}.id`);
  const pipelineId = pipelineOf(d.Pipeline, `${path}.Pipeline`, layout, w);
  const visits: DraftVisit[] = [];
  const amounts: Point<number | null>[] = [];
  const dates: Point<string | null>[] = [];
  const probabilities: Point<number>[] = [];
  for (const { row, path: at } of rows) {
    const time = instantOf(row.Modified_Time ?? row.Last_Modified_Time, `${at}.Modified_Time`, w);
    if (time === null) {
      w.add('row_skipped', at, 'stage history row without a readable Modified_Time; left out');
      continue;
    }
    const by = refId(row.Modified_By ?? row.Changed_By ?? null, `${at}.Modified_By`);
    const rowPipeline = row.Pipeline === undefined || row.Pipeline === null ? pipelineId : pipelineOf(row.Pipeline, `${at}.Pipeline`, layout, w);
    const probability = probabilityOf(row.Probability, `${at}.Probability`, w, 100);
    visits.push({ pipelineId: rowPipeline, stageId: stageIdOf(row.Stage, `${at}.Stage`, stageIds), at: time, by, ...(probability === null ? {} : { probability }) });
    if (probability !== null) probabilities.push({ at: time, by, to: probability });
    if ('Amount' in row) amounts.push({ at: time, by, to: amountOf(row.Amount, `${at}.Amount`, w) });
    const closeKey = 'Closing_Date' in row ? 'Closing_Date' : 'Close_Date' in row ? 'Close_Date' : null;
    if (closeKey) dates.push({ at: time, by, to: dateOf(row[closeKey], `${at}.${closeKey}`, w) });
  }
  return {
    path,
    id: dealId,
    layoutId: layout.id,
    name: dealName(d.Deal_Name, dealId, `${path}.Deal_Name`, w),
    currency: currencyOf(d.Currency, `${path}.Currency`, w),
    ownerId: refId(d.Owner ?? null, `${path}.Owner`),
    lostReason: reasonOf(d.Reason_For_Loss__s ?? d.Reason_For_Loss ?? null, `${path}.Reason_For_Loss__s`, w),
    fields: {},
    pipelineId,
    stageId: stageIdOf(d.Stage, `${path}.Stage`, stageIds),
    amount: amountOf(d.Amount, `${path}.Amount`, w),
    closingDate: dateOf(d.Closing_Date, `${path}.Closing_Date`, w),
    probability: probabilityOf(d.Probability, `${path}.Probability`, w, 100),
    createdAt: instantOf(d.Created_Time, `${path}.Created_Time`, w),
    updatedAt: instantOf(d.Modified_Time, `${path}.Modified_Time`, w),
    visits,
    amounts,
    closingDates: dates,
    probabilities,
  };
}
