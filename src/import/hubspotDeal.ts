import type { Deal } from '../model/deal.js';
import { amountOf, currencyOf, dateOf, dealName, instantOf, reasonOf } from './common.js';
import type { DraftDeal, DraftVisit, Point, Warnings } from './draft.js';
import { hubSpotStageProperties } from './hubspotFigures.js';
import { readFigures, rebuildStays, type DealFigures } from './hubspotDates.js';
import { arr, id, isObj, obj, optBool, optId, type Obj } from './read.js';
import { HUBSPOT_DEAL_FIELDS as F, RecordFields, recordFields, type ReadField } from './dealFields.js';
import { readInstant } from './time.js';

/** What the importer knows of HubSpot's pipelines when it reads a deal. */
export interface HubLayout {
  readonly layoutId: string;
  /** Stage id → the pipelines listing it. */
  readonly owners: ReadonlyMap<string, readonly string[]>;
  readonly defaultId: string | null;
}

/** A deal read from the payload, with the stage figures HubSpot reported for it. */
export interface HubDeal {
  readonly draft: DraftDeal;
  readonly figures: DealFigures;
  /** Path of a property's value in the payload. */
  readonly prop: (key: string) => string;
}

/**
 * A deal in either of HubSpot's shapes: CRM v3 (`properties.x` a value, `propertiesWithHistory.x`
 * a list) or the legacy v1 (`properties.x.value`, with `properties.x.versions`).
 */
interface DealView {
  readonly id: string;
  readonly props: Obj;
  readonly propsPath: string;
  readonly prop: (key: string) => string;
  readonly histories: Obj | null;
  readonly historyPath: (key: string) => string;
}

const PREFIX = 'properties.';
/** A mapped deal property's name, which `propertiesWithHistory` and the v1 `versions` key too. */
const property = (f: ReadField): string => f.from[0].slice(PREFIX.length);

const STAGE = /* @__PURE__ */ property(F.stageId);
const PIPELINE = /* @__PURE__ */ property(F.pipelineId);
const AMOUNT = /* @__PURE__ */ property(F.amount);
const CLOSE_DATE = /* @__PURE__ */ property(F.closingDate);
const CREATED = /* @__PURE__ */ property(F.createdAt);
const V1_TRACKED = [STAGE, PIPELINE, AMOUNT, CLOSE_DATE];

/** Each source of the mapping: the property it names (`properties.x`), or null for a field of the record. */
const SOURCES: ReadonlyMap<string, string | null> = /* @__PURE__ */ new Map(
  Object.values(F).flatMap((f) => f.from).map((k) => [k, k.startsWith(PREFIX) ? k.slice(PREFIX.length) : null]),
);

/** A deal's mapped fields: `properties.x` from the view's properties (v3 or v1), others from the record. */
class HubSpotFields extends RecordFields {
  constructor(record: Obj, at: string, private readonly view: DealView) {
    super(record, at);
  }

  protected override get(key: string): unknown {
    const name = SOURCES.get(key) ?? null;
    return name === null ? this.record[key] : this.view.props[name];
  }

  protected override pathOf(key: string): string {
    const name = SOURCES.get(key) ?? null;
    return name === null ? `${this.at}.${key}` : this.view.prop(name);
  }
}

function viewOf(d: Obj, path: string, w: Warnings): DealView | null {
  const pp = `${path}.properties`;
  const props = d.properties === undefined || d.properties === null ? {} : obj(d.properties, pp);
  if (d.id === undefined && d.dealId !== undefined) return v1View(d, props, path, w);
  const fields = recordFields(d, path);
  const dealId = id(fields.value(F.id), fields.path(F.id));
  const hp = `${path}.propertiesWithHistory`;
  const histories = isObj(d.propertiesWithHistory) ? obj(d.propertiesWithHistory, hp) : null;
  return { id: dealId, props, propsPath: pp, prop: (k) => `${pp}.${k}`, histories, historyPath: (k) => `${hp}.${k}` };
}

/**
 * A legacy v1 deal. Its `versions` are the full history only when the request asked for
 * `includePropertyVersions`; otherwise they hold the latest value alone. They count as history
 * when the oldest `dealstage` version is no later than the deal's creation.
 */
function v1View(d: Obj, raw: Obj, path: string, w: Warnings): DealView | null {
  const dealId = id(d.dealId, `${path}.dealId`);
  if (optBool(d.isDeleted, `${path}.isDeleted`) === true) {
    w.add('deal_skipped', path, `deal ${dealId} is deleted in HubSpot; left out`);
    return null;
  }
  const pp = `${path}.properties`;
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    const v = raw[key];
    props[key] = isObj(v) ? obj(v, `${pp}.${key}`).value : v;
  }
  const versions = (key: string): readonly unknown[] | null => {
    const v = raw[key];
    return isObj(v) && v.versions !== undefined && v.versions !== null ? arr(v.versions, `${pp}.${key}.versions`) : null;
  };
  const stages = versions(STAGE) ?? [];
  const created = instantOf(props[CREATED], `${pp}.${CREATED}.value`, w);
  let oldest = Infinity;
  stages.forEach((s, i) => {
    const t = isObj(s) ? instantOf(s.timestamp, `${pp}.${STAGE}.versions[${i}].timestamp`, w) : null;
    if (t !== null && t < oldest) oldest = t;
  });
  const complete = created !== null && stages.length > 0 && oldest <= created;
  const histories: Record<string, unknown> = {};
  if (complete) for (const key of V1_TRACKED) histories[key] = versions(key);
  return { id: dealId, props, propsPath: pp, prop: (k) => `${pp}.${k}.value`, histories: complete ? histories : null, historyPath: (k) => `${pp}.${k}.versions` };
}

/** Reads one deal; null (with a warning) when it is left out. */
export function readDeal(v: unknown, path: string, layout: HubLayout, w: Warnings, defaultCurrency: string | null): HubDeal | null {
  const d = obj(v, path);
  const view = viewOf(d, path, w);
  if (view === null) return null;
  const { id: dealId, props, prop } = view;
  const at = new HubSpotFields(d, path, view);
  const stageId = optId(at.value(F.stageId), at.path(F.stageId));
  if (stageId === null) {
    w.add('deal_skipped', path, `deal ${dealId} has no dealstage; left out`);
    return null;
  }
  const owners = layout.owners.get(stageId) ?? [];
  const pipelineId = optId(at.value(F.pipelineId), at.path(F.pipelineId)) ?? owners[0] ?? layout.defaultId;
  const createdAt = instantOf(at.value(F.createdAt), at.path(F.createdAt), w);
  const updatedAt = instantOf(at.value(F.updatedAt), at.path(F.updatedAt), w);
  const figures = readFigures(props, (key) => w.add('value_dropped', prop(key), `${JSON.stringify(props[key])?.slice(0, 60)} is not a readable ${key.includes('time_in') && !key.endsWith('current_stage') ? 'duration' : 'instant'}; left out`));
  const stages = history(view, STAGE, w);
  const visits = stages.length > 0
    ? visitsFromHistory(stages, history(view, PIPELINE, w), layout, pipelineId)
    : visitsFromDates(figures, stageId, pipelineId, layout, dealId, view.propsPath, w);
  const draft: DraftDeal = {
    path,
    id: dealId,
    layoutId: layout.layoutId,
    name: dealName(at.value(F.name), at.path(F.name), w, dealId),
    currency: currencyOf(at.value(F.currency), at.path(F.currency), w) ?? defaultCurrency,
    ownerId: optId(at.value(F.ownerId), at.path(F.ownerId)),
    lostReason: reasonOf(at.value(F.lostReason), at.path(F.lostReason), w),
    fields: {},
    pipelineId,
    stageId,
    amount: amountOf(at.value(F.amount), at.path(F.amount), w),
    closingDate: dateOf(at.value(F.closingDate), at.path(F.closingDate), w),
    probability: null,
    createdAt,
    updatedAt,
    visits,
    amounts: points(history(view, AMOUNT, w), (e) => amountOf(e.value, `${e.path}.value`, w)),
    closingDates: points(history(view, CLOSE_DATE, w), (e) => dateOf(e.value, `${e.path}.value`, w)),
    probabilities: [],
    sources: { name: at.path(F.name) },
  };
  return { draft, figures, prop };
}

interface Entry {
  readonly value: unknown;
  readonly at: number;
  readonly by: string | null;
  readonly path: string;
}

/** A property's history (`ValueWithTimestamp[]` or v1 `versions`), oldest first; unreadable entries are skipped. */
function history(view: DealView, key: string, w: Warnings): Entry[] {
  const h = view.histories;
  if (h === null || h[key] === undefined || h[key] === null) return [];
  const path = view.historyPath(key);
  const list = arr(h[key], path);
  const out: { e: Entry; i: number }[] = [];
  for (let i = list.length - 1; i >= 0; i--) {
    const p = `${path}[${i}]`;
    const e = obj(list[i], p);
    // The common case read directly: a UTC timestamp, a numeric user id.
    const fast = typeof e.timestamp === 'string' ? readInstant(e.timestamp) : null;
    const at = fast !== null && !fast.zoneless ? fast.ms : instantOf(e.timestamp, `${p}.timestamp`, w);
    if (at === null) {
      w.add('row_skipped', p, 'history entry without a readable timestamp; left out');
      continue;
    }
    const u = e.updatedByUserId;
    const by = typeof u === 'number' && Number.isSafeInteger(u) ? String(u) : optId(u ?? null, `${p}.updatedByUserId`);
    out.push({ e: { value: e.value, at, by, path: p }, i });
  }
  // HubSpot lists newest first (read here from the end); ties keep the reverse of the listed order.
  for (let k = 1; k < out.length; k++) if (out[k - 1]!.e.at > out[k]!.e.at) return out.sort((a, b) => a.e.at - b.e.at || b.i - a.i).map((x) => x.e);
  return out.map((x) => x.e);
}

function points<V>(entries: readonly Entry[], read: (e: Entry) => V): Point<V>[] {
  return entries.map((e) => ({ at: e.at, by: e.by, to: read(e) }));
}

/** The pipeline a visit of a stage is in: the deal's own when it lists the stage, else the one that does. */
function pipelineOf(stageId: string, current: string | null, layout: HubLayout): string | null {
  const owners = layout.owners.get(stageId) ?? [];
  return current !== null && owners.includes(current) ? current : (owners[0] ?? current ?? layout.defaultId);
}

function visitsFromHistory(stages: readonly Entry[], pipes: readonly Entry[], layout: HubLayout, current: string | null): DraftVisit[] {
  let p = 0;
  return stages.map((e) => {
    const stageId = id(e.value, `${e.path}.value`);
    const owners = layout.owners.get(stageId) ?? [];
    // The pipeline history in force at the entry (both lists are oldest first).
    while (p + 1 < pipes.length && pipes[p + 1]!.at <= e.at) p++;
    const named = pipes[p];
    let pipelineId = named ? id(named.value, `${named.path}.value`) : (owners[0] ?? current);
    if (owners.length === 1 && !owners.includes(pipelineId ?? '')) pipelineId = owners[0]!;
    return { pipelineId, stageId, at: e.at, by: e.by };
  });
}

function visitsFromDates(figures: DealFigures, stageId: string, current: string | null, layout: HubLayout, dealId: string, path: string, w: Warnings): DraftVisit[] {
  const { stays, doubt } = rebuildStays(figures, stageId);
  if (doubt !== null) w.add('history_approximated', path, `deal ${dealId}: history rebuilt from hs_v2_date_entered_*, hs_v2_date_exited_* and the times in stage is approximate (${doubt})`);
  return stays.map((s) => ({ pipelineId: pipelineOf(s.stageId, current, layout), stageId: s.stageId, at: s.at, by: null }));
}

/**
 * Compares HubSpot's `hs_v2_cumulative_time_in_*` and `hs_v2_latest_time_in_*` with the imported
 * history; a difference of more than a second is a `figure_mismatch`.
 */
export function compareFigures(deal: Deal, read: HubDeal, w: Warnings): void {
  if (read.figures.stages.size === 0) return;
  let computed: Record<string, string> | null = null;
  for (const [stageId, f] of read.figures.stages) {
    for (const [field, reported] of [['cumulative', f.cumulative], ['latest', f.latest]] as const) {
      if (reported === null) continue;
      computed ??= hubSpotStageProperties(deal);
      const key = `hs_v2_${field}_time_in_${stageId}`;
      const ours = computed[key];
      if (ours !== undefined && Math.abs(Number(ours) - reported) <= 1000) continue;
      if (ours === undefined && reported === 0) continue;
      w.add('figure_mismatch', read.prop(key), `deal ${deal.id}: HubSpot reports ${reported} ms as the ${field} time in stage ${stageId}, the imported history gives ${ours ?? 'no completed stay'}`);
    }
  }
}
