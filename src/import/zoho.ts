import { assemble } from './assemble.js';
import { amountOf, currencyOf, dateOf, dealName, forecastOf, guarded, instantOf, probabilityOf, reasonOf } from './common.js';
import { Warnings, type DraftDeal, type DraftLayout, type DraftPipeline, type DraftStage, type DraftVisit, type Point } from './draft.js';
import { arr, cleanName, id, isObj, keyed, looseNumber, obj, optBool, records, refId, refName, refuse, type Obj } from './read.js';
import { readInstant } from './time.js';
import type { ImportResult } from './types.js';

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

function readProbabilities(v: unknown): Map<string, unknown> {
  const o = keyed(v, 'payload.stageProbabilities');
  return new Map(Object.entries(o));
}

interface ZohoMap {
  readonly id: string;
  readonly names: string[];
  readonly name: string;
  readonly sequence: number;
  readonly forecastType: unknown;
  readonly forecastCategory: unknown;
  readonly path: string;
}

interface ZohoPipeline {
  readonly id: string;
  readonly name: string;
  readonly names: string[];
  readonly isDefault: boolean;
  readonly maps: ZohoMap[];
  readonly path: string;
}

interface ZohoLayout {
  readonly id: string;
  readonly path: string;
  readonly name: string;
  readonly pipelines: ZohoPipeline[];
}

function readLayouts(p: Obj, w: Warnings): ZohoLayout[] {
  const { items, path } = records(p.layouts, 'payload.layouts', 'layouts');
  const bodies = keyed(p.pipelines, 'payload.pipelines');
  return items.map((item, i) => {
    const l = obj(item, `${path}[${i}]`);
    const layoutId = id(l.id, `${path}[${i}].id`);
    const body = Object.hasOwn(bodies, layoutId) ? bodies[layoutId] : null;
    const list = records(body, `payload.pipelines.${layoutId}`, 'pipeline');
    const pipelines = list.items.map((x, j) => readPipeline(x, `${list.path}[${j}]`, w));
    return { id: layoutId, path: `${path}[${i}]`, name: cleanName(l.name ?? l.display_label, layoutId), pipelines };
  });
}

function readPipeline(v: unknown, path: string, w: Warnings): ZohoPipeline {
  const o = obj(v, path);
  const pipelineId = id(o.id, `${path}.id`);
  const maps = arr(o.maps ?? [], `${path}.maps`).map((m, i): ZohoMap => {
    const at = `${path}.maps[${i}]`;
    const s = obj(m, at);
    const stageId = id(s.id, `${at}.id`);
    const names = [s.actual_value, s.display_value].filter((x): x is string => typeof x === 'string' && x.length > 0);
    const seq = looseNumber(s.sequence_number);
    return {
      id: stageId,
      names,
      name: cleanName(s.display_value ?? s.actual_value, stageId),
      sequence: typeof seq === 'number' ? seq : Number.MAX_SAFE_INTEGER,
      forecastType: s.forecast_type,
      forecastCategory: isObj(s.forecast_category) ? s.forecast_category.name : s.forecast_category,
      path: at,
    };
  });
  maps.sort((a, b) => a.sequence - b.sequence);
  if (maps.length === 0) w.add('value_dropped', `${path}.maps`, `pipeline ${pipelineId} has no stages`);
  const names = [o.actual_value, o.display_value].filter((x): x is string => typeof x === 'string' && x.length > 0);
  return { id: pipelineId, name: cleanName(o.display_value ?? o.actual_value, pipelineId), names, isDefault: optBool(o.default, `${path}.default`) === true, maps, path };
}

const isStandardName = (p: ZohoPipeline): boolean => p.names.some((n) => /^standard\b/i.test(n.trim()));

function outcomeOf(m: ZohoMap, w: Warnings): DraftStage['outcome'] {
  const t = typeof m.forecastType === 'string' ? m.forecastType.toLowerCase().replace(/\s+/g, ' ').trim() : '';
  if (t === 'open') return 'open';
  if (t === 'closed won') return 'won';
  if (t === 'closed lost') return 'lost';
  const guess = nameOutcome(m.name);
  w.add('outcome_guessed', `${m.path}.forecast_type`, `stage ${m.id} has forecast_type ${JSON.stringify(m.forecastType) ?? 'undefined'}; taken as ${guess} from its name`);
  return guess;
}

function nameOutcome(name: string): DraftStage['outcome'] {
  if (/closed[\s-]*won/i.test(name)) return 'won';
  if (/closed[\s-]*lost/i.test(name)) return 'lost';
  return 'open';
}

interface DealRows {
  readonly d: Obj;
  readonly path: string;
  readonly rows: { row: Obj; path: string }[];
}

function historyOf(histories: Obj, d: Obj, path: string): { row: Obj; path: string }[] {
  const dealId = id(d.id, `${path}.id`);
  if (!Object.hasOwn(histories, dealId)) return [];
  const { items, path: at } = records(histories[dealId], `payload.stageHistory.${dealId}`, 'data');
  return items.map((item, i) => ({ row: obj(item, `${at}[${i}]`), path: `${at}[${i}]` }));
}

/** The layout's picklist and pipelines; `stageIds` maps a stage name to its id. */
function layoutDraft(layout: ZohoLayout, deals: readonly DealRows[], probabilities: ReadonlyMap<string, unknown>, w: Warnings): { layout: DraftLayout; stageIds: Map<string, string> } {
  const standard = layout.pipelines.find(isStandardName) ?? [...layout.pipelines].sort((a, b) => b.maps.length - a.maps.length || Number(b.isDefault) - Number(a.isDefault))[0];
  if (standard && !isStandardName(standard)) w.add('standard_guessed', standard.path, `no pipeline is named Standard; pipeline ${standard.id}, with the most stages, is the standard pipeline`);
  const ordered = standard ? [standard, ...layout.pipelines.filter((p) => p !== standard)] : [];
  const maps = new Map<string, ZohoMap>();
  for (const p of ordered) for (const m of p.maps) if (!maps.has(m.id)) maps.set(m.id, m);
  const stageIds = new Map<string, string>();
  for (const m of maps.values()) for (const n of m.names) if (!stageIds.has(n)) stageIds.set(n, m.id);
  const used = layout.pipelines.length === 0 ? namesInUse(deals) : [];
  // No pipelines: the picklist is what the deals and their history name.
  for (const n of used) stageIds.set(n, id(n, `${layout.path}: stage ${n.slice(0, 40)}`));
  const reported = reportedProbabilities(deals, stageIds);
  const stages: DraftStage[] = [...maps.values()].map((m) => {
    const outcome = outcomeOf(m, w);
    return stageOf(m.id, m.name, m.names, outcome, forecastOf(m.forecastCategory, `${m.path}.forecast_category`), probabilities, reported, m.path, w);
  });
  for (const n of used) {
    const outcome = nameOutcome(n);
    if (outcome !== 'open') w.add('outcome_guessed', layout.path, `stage ${n} of a layout without pipelines is taken as ${outcome} from its name`);
    stages.push(stageOf(n, cleanName(n, n), [n], outcome, null, probabilities, reported, layout.path, w));
  }
  const pipelines: DraftPipeline[] = layout.pipelines.map((p) => ({
    id: p.id,
    name: p.name,
    stages: p.maps.map((m) => ({ stageId: m.id })),
    standard: p === standard,
    isDefault: p.isDefault,
    deleted: false,
    path: p.path,
  }));
  return { layout: { id: layout.id, name: layout.name, stages, pipelines }, stageIds };
}

/** The stage names deals and history use, in order of first use (the way deals move). */
function namesInUse(deals: readonly DealRows[]): string[] {
  const first = new Map<string, number>();
  const see = (name: unknown, t: unknown): void => {
    if (typeof name !== 'string') return;
    const ms = readInstant(t)?.ms ?? Number.MAX_SAFE_INTEGER;
    first.set(name, Math.min(first.get(name) ?? ms, ms));
  };
  for (const r of deals) {
    see(r.d.Stage, r.d.Modified_Time);
    for (const h of r.rows) see(h.row.Stage, h.row.Modified_Time ?? h.row.Last_Modified_Time);
  }
  return [...first].sort((a, b) => a[1] - b[1]).map(([n]) => n);
}

function stageOf(
  stageId: string, name: string, names: readonly string[], outcome: DraftStage['outcome'], category: DraftStage['forecastCategory'] | null,
  probabilities: ReadonlyMap<string, unknown>, reported: ReadonlyMap<string, number>, path: string, w: Warnings,
): DraftStage {
  const given = names.map((n) => probabilities.get(n)).find((x) => x !== undefined);
  let probability = given === undefined ? null : probabilityOf(given, `payload.stageProbabilities.${names[0] ?? stageId}`, w, 100);
  if (probability === null) {
    probability = outcome === 'won' ? 100 : outcome === 'lost' ? 0 : (reported.get(stageId) ?? 0);
    w.add('probability_guessed', path, `no probability for stage ${name} in stageProbabilities; ${probability} is used`);
  }
  return { id: stageId, name, probability, outcome, forecastCategory: category ?? (outcome === 'won' ? 'closed' : outcome === 'lost' ? 'omitted' : 'pipeline'), deleted: false, path };
}

/** The probability most often reported by deals and history rows in each stage. */
function reportedProbabilities(deals: readonly DealRows[], stageIds: ReadonlyMap<string, string>): Map<string, number> {
  const counts = new Map<string, Map<number, number>>();
  const see = (stage: unknown, p: unknown): void => {
    const n = looseNumber(p);
    const stageId = typeof stage === 'string' ? stageIds.get(stage) : undefined;
    if (stageId === undefined || typeof n !== 'number' || n < 0 || n > 100) return;
    const c = counts.get(stageId) ?? new Map<number, number>();
    c.set(n, (c.get(n) ?? 0) + 1);
    counts.set(stageId, c);
  };
  for (const r of deals) {
    see(r.d.Stage, r.d.Probability);
    for (const h of r.rows) see(h.row.Stage, h.row.Probability);
  }
  const out = new Map<string, number>();
  for (const [stageId, c] of counts) out.set(stageId, [...c].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0]);
  return out;
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
