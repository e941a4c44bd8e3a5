import { assemble, Assembly } from './assemble.js';
import { guarded } from './common.js';
import { recordFields, ZOHO_DEAL_FIELDS as F } from './dealFields.js';
import { Warnings, type DraftDeal, type DraftLayout } from './draft.js';
import { id, obj, records, refId, refuse, type Obj } from './read.js';
import { pageImporter, streamPages, type Pages } from './stream.js';
import type { ImportBatch, ImportResult } from './types.js';
import { indexPipelines } from './visitPipelines.js';
import { compareZohoFigures } from './zohoFigures.js';
import { readStageHistory, readZohoDeal, type HistoryRow, type ZohoFigure, type ZohoLayoutContext } from './zohoHistory.js';
import { layoutDraft, readLayouts, readProbabilities, type ZohoLayout } from './zohoLayouts.js';

/**
 * The responses a host fetched from Zoho CRM (pages concatenated):
 * - `layouts`: the Deals layouts, `{ id, name }[]` (or the `{ layouts }` body of
 *   `GET /crm/v8/settings/layouts?module=Deals`);
 * - `pipelines`: per layout id, the body of `GET /crm/v8/settings/pipeline?layout_id=…`
 *   (`{ pipeline }`, the bare array, or null for a layout without pipelines, HTTP 204);
 * - `deals`: `GET /crm/v8/Deals?fields=Deal_Name,Stage,Pipeline,Amount,Closing_Date,Probability,Layout,Owner,Currency,Created_Time,Modified_Time`;
 * - `stageHistory`: per deal id, the body of `GET /crm/v8/Deals/{id}/Stage_History?fields=Stage,Modified_Time,Modified_By,Amount,Probability,Closing_Date,Moved_To__s,Duration_Days`;
 *   or the DealHistory module as one flat list (`{ data }` or the bare array) from COQL
 *   (`select Potential_Name, Stage, Modified_Time, Moved_To__s, Duration_Days, … from DealHistory`)
 *   or Bulk read, each row naming its deal in `Potential_Name` (`{ id }` or the id);
 * - `stageProbabilities` (optional): stage name → probability in percent, from the Stage
 *   field's `pick_list_values` (`GET /crm/v8/settings/fields?module=Deals`).
 *
 * @example
 * ```ts
 * const payload: ZohoPayload = { layouts: [{ id: '1', name: 'Standard' }], pipelines: { 1: { pipeline: [] } }, deals: { data: [] }, stageHistory: {} };
 * ```
 * @category Importers
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
 * Which field of a record becomes which deal field: {@link ZOHO_DEAL_FIELDS}, the table the
 * importer reads records through. How stages, pipelines, history, time zones and warnings are
 * read is told once, in the [importers guide](../../docs/importers.md) (section Zoho CRM).
 *
 * @param payload - `{ layouts, pipelines, deals, stageHistory, stageProbabilities? }`
 * @returns `{ workspace, deals, warnings }`
 * @throws PipelineError `invalid_input` naming the JSON path of what cannot be read
 * @example
 * ```ts
 * const { workspace, deals } = fromZoho({ layouts, pipelines: { [layoutId]: pipelineBody }, deals: dealsBody, stageHistory });
 * dwellStats(deals, { now: Date.now() });
 * ```
 * @category Importers
 */
export function fromZoho(payload: ZohoPayload): ImportResult {
  return guarded(() => {
    const w = new Warnings();
    const p = obj(payload, 'payload');
    const probabilities = readProbabilities(p.stageProbabilities);
    const history = readStageHistory(p.stageHistory, 0, w);
    const { items, path } = records(p.deals, 'payload.deals', 'data');
    const layouts = readLayouts(p, w);
    const raw = items.map((item, i) => rawDeal(item, `${path}[${i}]`, i, history));
    const drafted: DraftLayout[] = [];
    const read = readDeals(raw, layouts, (layout, deals) => {
      const ctx = contextOf(layout, layoutDraft(layout, deals, probabilities, w));
      drafted.push(ctx.draft);
      return ctx;
    }, w);
    const figures = new Map<string, ZohoFigure[]>();
    for (const r of read) if (!figures.has(r.draft.id)) figures.set(r.draft.id, r.figures);
    const drafts = read.map((r) => r.draft);
    const { workspace, deals } = assemble(drafted, drafts, w);
    for (const deal of deals) compareZohoFigures(deal, figures.get(deal.id), w);
    return { workspace, deals, warnings: w.list };
  });
}

interface RawDeal {
  readonly d: Obj;
  readonly path: string;
  readonly index: number;
  readonly rows: HistoryRow[];
}

function rawDeal(item: unknown, path: string, index: number, history: ReturnType<typeof readStageHistory>): RawDeal {
  const d = obj(item, path);
  const fields = recordFields(d, path);
  return { d, path, index, rows: history.rowsOf(id(fields.value(F.id), fields.path(F.id))) };
}

/**
 * Reads a page of deals layout by layout (`contextOf` gives each layout's context, given its
 * deals), then puts them back in the order of the payload, whatever their layout.
 */
function readDeals(raw: readonly RawDeal[], layouts: readonly ZohoLayout[], contextOf: (layout: ZohoLayout, deals: readonly RawDeal[]) => ZohoLayoutContext, w: Warnings): { draft: DraftDeal; figures: ZohoFigure[] }[] {
  const byLayout = groupByLayout(raw, layouts, w);
  const read: { index: number; draft: DraftDeal; figures: ZohoFigure[] }[] = [];
  for (const layout of layouts) {
    const deals = byLayout.get(layout) ?? [];
    const ctx = contextOf(layout, deals);
    for (const r of deals) {
      const deal = readZohoDeal(r.d, r.path, r.rows, ctx, w);
      if (deal) read.push({ index: r.index, draft: deal.draft, figures: deal.figures });
    }
  }
  return read.sort((a, b) => a.index - b.index);
}

/** The deals of each layout: the one `Layout` names, else the first with a `layout_guessed` warning. */
function groupByLayout(raw: readonly RawDeal[], layouts: readonly ZohoLayout[], w: Warnings): Map<ZohoLayout, RawDeal[]> {
  const byId = new Map(layouts.map((l) => [l.id, l]));
  const out = new Map<ZohoLayout, RawDeal[]>();
  for (const r of raw) {
    const fields = recordFields(r.d, r.path);
    const layoutRef = fields.value(F.layoutId);
    const layoutPath = fields.path(F.layoutId);
    const named = refId(layoutRef, layoutPath);
    let layout = named === null ? undefined : byId.get(named);
    if (!layout) {
      const first = layouts[0];
      if (!first) refuse('payload.layouts', 'expected at least one layout for the deals');
      layout = first;
      if (named !== null || layouts.length > 1) w.add('layout_guessed', layoutPath, `deal ${String(r.d.id)} names ${named === null ? 'no layout' : `layout ${named}, which is not in the payload`}; layout ${layout.id} is used`);
    }
    const list = out.get(layout);
    if (list) list.push(r);
    else out.set(layout, [r]);
  }
  return out;
}

function contextOf(layout: ZohoLayout, drafted: ReturnType<typeof layoutDraft>): ZohoLayoutContext & { draft: DraftLayout } {
  const standard = drafted.layout.pipelines.find((x) => x.standard);
  return {
    layout,
    draft: drafted.layout,
    stageIds: drafted.stageIds,
    index: standard ? indexPipelines(drafted.layout.pipelines, standard.id, () => true) : null,
  };
}

/**
 * The configuration part of a {@link ZohoPayload}: what {@link streamZoho} reads once.
 *
 * @example
 * ```ts
 * const setup: ZohoSetupPayload = { layouts: [{ id: '1', name: 'Standard' }], pipelines: { 1: { pipeline: [] } }, stageProbabilities: { Qualification: 10 } };
 * ```
 * @category Importers
 */
export interface ZohoSetupPayload {
  readonly layouts: unknown;
  readonly pipelines: unknown;
  readonly stageProbabilities?: unknown;
}

/**
 * One page of a streamed Zoho import: a page of deals (`{ data }` or the bare array) and their
 * stage history, keyed by deal id or as a flat DealHistory list of the page's deals.
 *
 * @example
 * ```ts
 * const page: ZohoPage = { deals: { data: [] }, stageHistory: [] };
 * ```
 * @category Importers
 */
export interface ZohoPage {
  readonly deals: unknown;
  readonly stageHistory?: unknown;
}

/**
 * {@link fromZoho} one page at a time: layouts, pipelines and stage probabilities are read once
 * from `setup`, then each page of deals (with the stage history of those deals) becomes one
 * {@link ImportBatch}; a last batch without deals holds the final workspace and the warnings only
 * the whole import can tell. Memory holds one page, the configuration and the deal ids seen. The
 * batches' deals and warnings, concatenated, are those of `fromZoho` on the pages concatenated
 * (warning paths number records as in that payload), and the last batch's workspace is that
 * import's, wherever the configuration settles the picklist: `setup` has no deals, so give
 * `stageProbabilities` (else open stages get probability 0, where `fromZoho` takes the one deals
 * report most often), and a layout without pipelines gets the stages its deals name as they come.
 *
 * @param setup - `{ layouts, pipelines, stageProbabilities? }`, as for `fromZoho`
 * @param pages - an array, iterable or async iterable of `{ deals, stageHistory }`
 * @returns an async generator of `{ workspace, deals, warnings }`, one per page and a last one
 * @throws PipelineError `invalid_input` (from the generator) naming the JSON path of what cannot be read
 * @example
 * ```ts
 * for await (const { deals } of streamZoho({ layouts, pipelines, stageProbabilities }, pagesOfDeals())) {
 *   await saveDeals(deals);
 * }
 * ```
 * @category Importers
 */
export function streamZoho(setup: ZohoSetupPayload, pages: Pages<ZohoPage>): AsyncGenerator<ImportBatch> {
  return streamPages(() => {
    const w = new Warnings();
    const p = obj(setup, 'payload');
    const probabilities = readProbabilities(p.stageProbabilities);
    const layouts = readLayouts(p, w);
    const contexts = new Map(layouts.map((layout) => [layout, contextOf(layout, layoutDraft(layout, [], probabilities, w))] as const));
    const offsets = { deals: 0, history: 0 };
    return pageImporter<{ draft: DraftDeal; figures: ZohoFigure[] }>(new Assembly([...contexts.values()].map((c) => c.draft), w), w, (body, path, emit) => {
      const page = obj(body, path);
      const history = readStageHistory(page.stageHistory, offsets.history, w);
      const { items, path: listPath } = records(page.deals, 'payload.deals', 'data');
      const raw = items.map((item, i) => rawDeal(item, `${listPath}[${offsets.deals + i}]`, i, history));
      offsets.deals += items.length;
      offsets.history += history.count;
      for (const r of readDeals(raw, layouts, (layout) => contexts.get(layout)!, w)) emit(r);
    }, (deal, r) => compareZohoFigures(deal, r.figures, w));
  }, pages);
}
