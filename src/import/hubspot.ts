import type { Deal } from '../model/deal.js';
import { assemble } from './assemble.js';
import { amountOf, currencyOf, dateOf, dealName, guarded, instantOf, probabilityOf, reasonOf } from './common.js';
import { Warnings, type DraftDeal, type DraftLayout, type DraftPipeline, type DraftStage, type DraftVisit, type Point } from './draft.js';
import { hubSpotStageProperties } from './hubspotFigures.js';
import { arr, cleanName, id, isObj, obj, optBool, optId, records, type Obj } from './read.js';
import type { ImportResult } from './types.js';

/**
 * The responses a host fetched from HubSpot (pages concatenated): `GET /crm/v3/pipelines/deals`
 * and `GET /crm/v3/objects/deals` (or the batch read) with `propertiesWithHistory=dealstage,
 * pipeline,amount,closedate`, or with the `hs_v2_date_entered_<stageId>` /
 * `hs_v2_date_exited_<stageId>` properties.
 *
 * @example
 * ```ts
 * const payload: HubSpotPayload = { pipelines: { results: [] }, deals: [] };
 * ```
 */
export interface HubSpotPayload {
  readonly pipelines: unknown;
  readonly deals: unknown;
}

/**
 * HubSpot has no layouts: every pipeline belongs to this one.
 *
 * @example
 * ```ts
 * fromHubSpot(payload).workspace.layouts[0].id === HUBSPOT_LAYOUT_ID; // true
 * ```
 */
export const HUBSPOT_LAYOUT_ID = 'deals';

/**
 * Imports HubSpot deal pipelines and deals.
 *
 * - One layout `deals`; its picklist is every stage of every pipeline (pipelines by
 *   `displayOrder`, stages by `displayOrder` then label). The pipeline `default` (else the first)
 *   is the standard and default pipeline. Archived pipelines and stages are kept only where a
 *   deal or its history needs them.
 * - `metadata.probability` ("0.2", a fraction) becomes 20; `isClosed` with probability 1 is a won
 *   stage, any other closed stage lost. Forecast categories follow the outcome (open `pipeline`,
 *   won `closed`, lost `omitted`): HubSpot keeps forecast categories on deals, not stages.
 * - History comes from `propertiesWithHistory.dealstage`, each entry placed in the pipeline the
 *   `pipeline` history names at that instant (or, when the stage belongs to exactly one other
 *   pipeline, that one: the two histories may be written a few milliseconds apart). Without it,
 *   from `hs_v2_date_entered_*` (or the legacy `hs_date_entered_*`): one visit per stage, a
 *   `history_approximated` warning. `amount` and `closedate` histories become the change log.
 * - Instants are UTC (HubSpot writes ISO-8601 with `Z`, or epoch milliseconds); `closedate` is
 *   taken as the UTC calendar date.
 * - Where a deal carries `hs_v2_cumulative_time_in_<stageId>` for a stage it has left, the
 *   importer recomputes it from the imported history and warns `figure_mismatch` on a difference
 *   of more than one second (see {@link toHubSpotTimeProperties}).
 *
 * @param payload - `{ pipelines, deals }`: the bodies as returned, `{ results }` or bare arrays
 * @returns `{ workspace, deals, warnings }`
 * @throws PipelineError `invalid_input` naming the JSON path of what cannot be read
 * @example
 * ```ts
 * const { workspace, deals, warnings } = fromHubSpot({ pipelines: pipelinesBody, deals: dealsBody.results });
 * dwellStats(deals, { now: Date.now(), pipelineId: 'default' });
 * ```
 */
export function fromHubSpot(payload: HubSpotPayload): ImportResult {
  return guarded(() => {
    const w = new Warnings();
    const p = obj(payload, 'payload');
    const layout = readPipelines(p.pipelines, w);
    const { items, path } = records(p.deals, 'payload.deals', 'results');
    const drafts: DraftDeal[] = [];
    const reported = new Map<string, Map<string, { ms: number; path: string }>>();
    items.forEach((item, i) => {
      const draft = readDeal(item, `${path}[${i}]`, layout, w, reported);
      if (draft) drafts.push(draft);
    });
    const { workspace, deals } = assemble([layout.draft], drafts, w);
    for (const deal of deals) compareFigures(deal, reported.get(deal.id), w);
    return { workspace, deals, warnings: w.list };
  });
}

interface HubLayout {
  readonly draft: DraftLayout;
  /** Stage id → the pipelines listing it. */
  readonly owners: ReadonlyMap<string, readonly string[]>;
  readonly defaultId: string | null;
}

function readPipelines(v: unknown, w: Warnings): HubLayout {
  const { items, path } = records(v, 'payload.pipelines', 'results');
  const read = items.map((item, i) => readPipeline(item, `${path}[${i}]`, w));
  read.sort((a, b) => a.order - b.order || a.pipeline.name.localeCompare(b.pipeline.name));
  const stages = new Map<string, DraftStage>();
  const owners = new Map<string, string[]>();
  for (const r of read) {
    for (const s of r.stages) {
      if (!stages.has(s.id)) stages.set(s.id, s);
      owners.set(s.id, [...(owners.get(s.id) ?? []), r.pipeline.id]);
    }
  }
  const live = read.filter((r) => !r.pipeline.deleted);
  const standard = live.find((r) => r.pipeline.id === 'default') ?? live[0];
  if (standard && standard.pipeline.id !== 'default') {
    w.add('standard_guessed', standard.pipeline.path, `no pipeline "default"; pipeline ${standard.pipeline.id}, first by displayOrder, is the standard and default pipeline`);
  }
  const pipelines = read.map((r) => (r === standard ? { ...r.pipeline, standard: true, isDefault: true } : r.pipeline));
  return { draft: { id: HUBSPOT_LAYOUT_ID, name: 'Deals', stages: [...stages.values()], pipelines }, owners, defaultId: standard?.pipeline.id ?? null };
}

function readPipeline(v: unknown, path: string, w: Warnings): { pipeline: DraftPipeline; stages: DraftStage[]; order: number } {
  const p = obj(v, path);
  const pipelineId = id(p.id ?? p.pipelineId, `${path}.id`);
  const archived = optBool(p.archived, `${path}.archived`) === true || optBool(p.active, `${path}.active`) === false;
  const list = arr(p.stages, `${path}.stages`).map((s, i) => readStage(s, `${path}.stages[${i}]`, w));
  list.sort((a, b) => a.order - b.order || a.stage.name.localeCompare(b.stage.name));
  const stages = list.map((s) => s.stage);
  const pipeline: DraftPipeline = {
    id: pipelineId,
    name: cleanName(p.label, pipelineId),
    stages: stages.filter((s) => !s.deleted).map((s) => ({ stageId: s.id, probability: s.probability })),
    standard: false,
    isDefault: false,
    deleted: archived,
    path,
  };
  return { pipeline, stages, order: typeof p.displayOrder === 'number' ? p.displayOrder : Number.MAX_SAFE_INTEGER };
}

function readStage(v: unknown, path: string, w: Warnings): { stage: DraftStage; order: number } {
  const s = obj(v, path);
  const stageId = id(s.id ?? s.stageId, `${path}.id`);
  const meta = s.metadata === undefined || s.metadata === null ? {} : obj(s.metadata, `${path}.metadata`);
  // Legacy v1 stages say `closedWon` instead of `metadata.isClosed`.
  const legacyWon = optBool(s.closedWon, `${path}.closedWon`) === true;
  const closed = legacyWon || optBool(meta.isClosed, `${path}.metadata.isClosed`) === true;
  let probability = probabilityOf(meta.probability ?? s.probability, `${path}.metadata.probability`, w, 1);
  if (probability === null) {
    probability = legacyWon ? 100 : 0;
    w.add('probability_guessed', `${path}.metadata.probability`, `stage ${stageId} has no probability; ${probability} is used`);
  }
  let outcome: DraftStage['outcome'] = 'open';
  if (closed) {
    outcome = probability === 100 ? 'won' : 'lost';
    if (probability !== 100 && probability !== 0) w.add('outcome_guessed', path, `closed stage ${stageId} has probability ${probability}%; taken as lost`);
  }
  const archived = optBool(s.archived, `${path}.archived`) === true || optBool(s.active, `${path}.active`) === false;
  return {
    stage: {
      id: stageId,
      name: cleanName(s.label, stageId),
      probability,
      outcome,
      forecastCategory: outcome === 'won' ? 'closed' : outcome === 'lost' ? 'omitted' : 'pipeline',
      deleted: archived,
      path,
    },
    order: typeof s.displayOrder === 'number' ? s.displayOrder : Number.MAX_SAFE_INTEGER,
  };
}

interface Entry {
  readonly value: unknown;
  readonly at: number;
  readonly by: string | null;
  readonly path: string;
}

/** A property's history (`ValueWithTimestamp[]`), oldest first; unreadable entries are skipped. */
function history(h: Obj | null, key: string, path: string, w: Warnings): Entry[] {
  if (h === null || h[key] === undefined || h[key] === null) return [];
  const list = arr(h[key], `${path}.${key}`);
  const out: { e: Entry; i: number }[] = [];
  list.forEach((item, i) => {
    const p = `${path}.${key}[${i}]`;
    const e = obj(item, p);
    const at = instantOf(e.timestamp, `${p}.timestamp`, w);
    if (at === null) {
      w.add('row_skipped', p, 'history entry without a readable timestamp; left out');
      return;
    }
    const by = optId(e.updatedByUserId ?? null, `${p}.updatedByUserId`);
    out.push({ e: { value: e.value, at, by, path: p }, i });
  });
  // HubSpot lists newest first; ties keep the reverse of the listed order.
  return out.sort((a, b) => a.e.at - b.e.at || b.i - a.i).map((x) => x.e);
}

function readDeal(v: unknown, path: string, layout: HubLayout, w: Warnings, reported: Map<string, Map<string, { ms: number; path: string }>>): DraftDeal | null {
  const d = obj(v, path);
  const dealId = id(d.id ?? d.dealId, `${path}.id`);
  const props = d.properties === undefined || d.properties === null ? {} : obj(d.properties, `${path}.properties`);
  const pp = `${path}.properties`;
  const withHistory = isObj(d.propertiesWithHistory) ? obj(d.propertiesWithHistory, `${path}.propertiesWithHistory`) : null;
  const hp = `${path}.propertiesWithHistory`;
  const stageId = optId(props.dealstage, `${pp}.dealstage`);
  if (stageId === null) {
    w.add('deal_skipped', path, `deal ${dealId} has no dealstage; left out`);
    return null;
  }
  const owners = layout.owners.get(stageId) ?? [];
  const pipelineId = optId(props.pipeline, `${pp}.pipeline`) ?? owners[0] ?? layout.defaultId;
  const createdAt = instantOf(props.createdate ?? d.createdAt, `${pp}.createdate`, w);
  const updatedAt = instantOf(props.hs_lastmodifieddate ?? d.updatedAt, `${pp}.hs_lastmodifieddate`, w);
  const stages = history(withHistory, 'dealstage', hp, w);
  const pipes = history(withHistory, 'pipeline', hp, w);
  let visits: DraftVisit[];
  if (stages.length > 0) visits = visitsFromHistory(stages, pipes, layout, pipelineId, w);
  else visits = visitsFromDates(props, pp, dealId, layout, w);
  const figures = new Map<string, { ms: number; path: string }>();
  for (const [key, value] of Object.entries(props)) {
    const m = /^hs_v2_cumulative_time_in_(.+)$/.exec(key);
    const ms = typeof value === 'string' || typeof value === 'number' ? Number(value) : Number.NaN;
    if (m && value !== '' && Number.isFinite(ms)) figures.set(m[1]!, { ms, path: `${pp}.${key}` });
  }
  reported.set(dealId, figures);
  return {
    path,
    id: dealId,
    layoutId: HUBSPOT_LAYOUT_ID,
    name: dealName(props.dealname, dealId, `${pp}.dealname`, w),
    currency: currencyOf(props.deal_currency_code, `${pp}.deal_currency_code`, w),
    ownerId: optId(props.hubspot_owner_id, `${pp}.hubspot_owner_id`),
    lostReason: reasonOf(props.closed_lost_reason, `${pp}.closed_lost_reason`, w),
    fields: {},
    pipelineId,
    stageId,
    amount: amountOf(props.amount, `${pp}.amount`, w),
    closingDate: dateOf(props.closedate, `${pp}.closedate`, w),
    probability: null,
    createdAt,
    updatedAt,
    visits,
    amounts: points(history(withHistory, 'amount', hp, w), (e) => amountOf(e.value, `${e.path}.value`, w)),
    closingDates: points(history(withHistory, 'closedate', hp, w), (e) => dateOf(e.value, `${e.path}.value`, w)),
    probabilities: [],
  };
}

function points<V>(entries: readonly Entry[], read: (e: Entry) => V): Point<V>[] {
  return entries.map((e) => ({ at: e.at, by: e.by, to: read(e) }));
}

function visitsFromHistory(stages: readonly Entry[], pipes: readonly Entry[], layout: HubLayout, current: string | null, w: Warnings): DraftVisit[] {
  return stages.map((e) => {
    const stageId = id(e.value, `${e.path}.value`);
    const owners = layout.owners.get(stageId) ?? [];
    const named = [...pipes].reverse().find((p) => p.at <= e.at) ?? pipes[0];
    let pipelineId = named ? id(named.value, `${named.path}.value`) : (owners[0] ?? current);
    if (owners.length === 1 && !owners.includes(pipelineId ?? '')) pipelineId = owners[0]!;
    return { pipelineId, stageId, at: e.at, by: e.by };
  });
}

function visitsFromDates(props: Obj, path: string, dealId: string, layout: HubLayout, w: Warnings): DraftVisit[] {
  const visits: { visit: DraftVisit; exited: number | null }[] = [];
  for (const [key, value] of Object.entries(props)) {
    const m = /^hs_(?:v2_)?date_entered_(.+)$/.exec(key);
    if (!m || m[1] === 'current_stage' || value === null || value === '') continue;
    const stageId = m[1]!;
    const at = instantOf(value, `${path}.${key}`, w);
    if (at === null) continue;
    const exitedKey = key.startsWith('hs_v2_') ? `hs_v2_date_exited_${stageId}` : `hs_date_exited_${stageId}`;
    const exited = instantOf(props[exitedKey], `${path}.${exitedKey}`, w);
    const pipelineId = layout.owners.get(stageId)?.[0] ?? layout.defaultId;
    if (visits.some((v) => v.visit.stageId === stageId)) continue;
    visits.push({ visit: { pipelineId, stageId, at, by: null }, exited });
  }
  if (visits.length === 0) return [];
  visits.sort((a, b) => a.visit.at - b.visit.at);
  const gaps = visits.some((v, i) => v.exited !== null && visits[i + 1] !== undefined && v.exited !== visits[i + 1]!.visit.at);
  w.add('history_approximated', path, `deal ${dealId}: history rebuilt from hs_v2_date_entered_* (one visit per stage, revisits before the last are lost${gaps ? '; exits that do not meet the next entry are moved to it' : ''})`);
  return visits.map((v) => v.visit);
}

function compareFigures(deal: Deal, reported: ReadonlyMap<string, { ms: number; path: string }> | undefined, w: Warnings): void {
  if (!reported || reported.size === 0) return;
  const computed = hubSpotStageProperties(deal);
  for (const [stageId, figure] of reported) {
    if (stageId === deal.stageId) continue;
    const ours = computed[`hs_v2_cumulative_time_in_${stageId}`];
    if (ours === undefined || Math.abs(Number(ours) - figure.ms) > 1000) {
      w.add('figure_mismatch', figure.path, `deal ${deal.id}: HubSpot reports ${figure.ms} ms in stage ${stageId}, the imported history gives ${ours ?? 'no visit'}`);
    }
  }
}
