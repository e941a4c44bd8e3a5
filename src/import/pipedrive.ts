import { assemble } from './assemble.js';
import { amountOf, currencyOf, dateOf, dealName, guarded, instantOf, probabilityOf, reasonOf } from './common.js';
import { Warnings, type DraftDeal, type DraftLayout, type DraftPipeline, type DraftStage, type DraftVisit, type Point } from './draft.js';
import { cleanName, id, isObj, keyed, looseNumber, obj, optBool, optId, refId, records, refuse, type Obj } from './read.js';
import type { ImportResult } from './types.js';

/**
 * The responses a host fetched from Pipedrive (pages concatenated): `GET /api/v2/pipelines`,
 * `GET /api/v2/stages`, `GET /api/v2/deals` (or their v1 forms) and, per deal,
 * `GET /api/v1/deals/{id}/flow`, keyed by deal id. Every body may be `{ data }` or the bare array.
 *
 * @example
 * ```ts
 * const payload: PipedrivePayload = { pipelines: { data: [] }, stages: { data: [] }, deals: { data: [] }, flows: {} };
 * ```
 */
export interface PipedrivePayload {
  readonly pipelines: unknown;
  readonly stages: unknown;
  readonly deals: unknown;
  readonly flows?: unknown;
}

/**
 * Pipedrive has no layouts: every pipeline belongs to this one.
 *
 * @example
 * ```ts
 * fromPipedrive(payload).deals.every((d) => d.layoutId === PIPEDRIVE_LAYOUT_ID); // true
 * ```
 */
export const PIPEDRIVE_LAYOUT_ID = 'deals';
/**
 * The stage a won Pipedrive deal is in (Pipedrive keeps won/lost as a deal status).
 *
 * @example
 * ```ts
 * const won = deals.filter((d) => d.stageId === PIPEDRIVE_WON_STAGE);
 * ```
 */
export const PIPEDRIVE_WON_STAGE = 'won';
/**
 * The stage a lost Pipedrive deal is in.
 *
 * @example
 * ```ts
 * const lost = deals.filter((d) => d.stageId === PIPEDRIVE_LOST_STAGE);
 * ```
 */
export const PIPEDRIVE_LOST_STAGE = 'lost';

const TRACKED = new Set(['stage_id', 'pipeline_id', 'status', 'value', 'expected_close_date']);

/**
 * Imports Pipedrive pipelines, stages, deals and deal flows (v1 or v2 shapes).
 *
 * - One layout `deals`. Won and lost are a deal `status` in Pipedrive, not stages: the importer
 *   adds two stages, `won` (probability 100, forecast `closed`) and `lost` (0, `omitted`), at the
 *   end of the picklist and of every pipeline. A won deal is in `won`, a lost one in `lost`,
 *   in the pipeline it was won or lost in; a deleted deal is left out.
 * - The pipeline with the lowest `order_nr` is the standard and default pipeline. Deleted or
 *   inactive pipelines and stages are kept only where a deal or its history needs them.
 * - `deal_probability` is the stage probability (percent); `rotten_flag`/`rotten_days` (v1) or
 *   `is_deal_rot_enabled`/`days_to_rotten` (v2) give `rotAfterDays`. A deal's own `probability`
 *   overrides its stage's while it is open. Pipelines with `deal_probability` switched off keep
 *   the stage probabilities: Pipedrive then ignores them, the model does not.
 * - History comes from the flow's `dealChange` rows: `stage_id`, `pipeline_id` and `status` move
 *   the deal (rows at the same instant are one move: a change of pipeline is a `pipeline_id` and
 *   a `stage_id` row), `value` and `expected_close_date` become the change log. Before the first
 *   row the deal was where that row's `old_value` says. Without a flow, one visit from `add_time`
 *   and, for a closed deal, a move to won/lost at `won_time`/`lost_time`.
 * - Instants `YYYY-MM-DD HH:MM:SS` (v1) are UTC (a `time_zone_assumed` warning says so once per
 *   field); v2's ISO-8601 instants carry their zone.
 *
 * @param payload - `{ pipelines, stages, deals, flows }`
 * @returns `{ workspace, deals, warnings }`
 * @throws PipelineError `invalid_input` naming the JSON path of what cannot be read
 * @example
 * ```ts
 * const { workspace, deals } = fromPipedrive({ pipelines, stages, deals: dealsBody, flows: { 1: flowBody } });
 * conversionFunnel(workspace, deals, { pipelineId: '1' });
 * ```
 */
export function fromPipedrive(payload: PipedrivePayload): ImportResult {
  return guarded(() => {
    const w = new Warnings();
    const p = obj(payload, 'payload');
    const layout = readConfiguration(p, w);
    const flows = keyed(p.flows, 'payload.flows');
    const { items, path } = records(p.deals, 'payload.deals', 'data');
    const drafts: DraftDeal[] = [];
    items.forEach((item, i) => {
      const draft = readDeal(item, `${path}[${i}]`, layout, flows, w);
      if (draft) drafts.push(draft);
    });
    const { workspace, deals } = assemble([layout.draft], drafts, w);
    return { workspace, deals, warnings: w.list };
  });
}

interface PdLayout {
  readonly draft: DraftLayout;
  readonly stagePipeline: ReadonlyMap<string, string>;
  readonly names: Map<string, string>;
}

const deletedFlag = (o: Obj, path: string): boolean =>
  optBool(o.is_deleted, `${path}.is_deleted`) === true || optBool(o.active, `${path}.active`) === false || optBool(o.active_flag, `${path}.active_flag`) === false;

const order = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number.MAX_SAFE_INTEGER);

function readConfiguration(p: Obj, w: Warnings): PdLayout {
  const pl = records(p.pipelines, 'payload.pipelines', 'data');
  const pipelines = pl.items.map((item, i) => {
    const path = `${pl.path}[${i}]`;
    const o = obj(item, path);
    return { id: id(o.id, `${path}.id`), name: cleanName(o.name, String(o.id)), order: order(o.order_nr), deleted: deletedFlag(o, path), path };
  });
  pipelines.sort((a, b) => a.order - b.order);
  const st = records(p.stages, 'payload.stages', 'data');
  const stages = st.items.map((item, i) => readStage(item, `${st.path}[${i}]`, w));
  const rank = new Map(pipelines.map((x, i) => [x.id, i]));
  stages.sort((a, b) => (rank.get(a.pipelineId) ?? 1e9) - (rank.get(b.pipelineId) ?? 1e9) || a.order - b.order);
  const standard = pipelines.find((x) => !x.deleted);
  const drafts: DraftPipeline[] = pipelines.map((x) => ({
    id: x.id,
    name: x.name,
    stages: [...stages.filter((s) => s.pipelineId === x.id && !s.stage.deleted).map((s) => ({ stageId: s.stage.id })), { stageId: PIPEDRIVE_WON_STAGE }, { stageId: PIPEDRIVE_LOST_STAGE }],
    standard: x === standard,
    isDefault: x === standard,
    deleted: x.deleted,
    path: x.path,
  }));
  const closed: DraftStage[] = [
    { id: PIPEDRIVE_WON_STAGE, name: 'Won', probability: 100, outcome: 'won', forecastCategory: 'closed', deleted: false, path: 'payload.deals' },
    { id: PIPEDRIVE_LOST_STAGE, name: 'Lost', probability: 0, outcome: 'lost', forecastCategory: 'omitted', deleted: false, path: 'payload.deals' },
  ];
  const names = new Map<string, string>();
  return {
    draft: { id: PIPEDRIVE_LAYOUT_ID, name: 'Deals', stages: [...stages.map((s) => s.stage), ...closed], pipelines: drafts, stageNames: names },
    stagePipeline: new Map(stages.map((s) => [s.stage.id, s.pipelineId])),
    names,
  };
}

function readStage(item: unknown, path: string, w: Warnings): { stage: DraftStage; pipelineId: string; order: number } {
  const o = obj(item, path);
  const stageId = id(o.id, `${path}.id`);
  if (stageId === PIPEDRIVE_WON_STAGE || stageId === PIPEDRIVE_LOST_STAGE) refuse(`${path}.id`, 'the ids "won" and "lost" are the stages the importer adds');
  let probability = probabilityOf(o.deal_probability, `${path}.deal_probability`, w, 100);
  if (probability === null) {
    probability = 100;
    w.add('probability_guessed', `${path}.deal_probability`, `stage ${stageId} has no deal_probability; Pipedrive's default, 100, is used`);
  }
  const rotOn = optBool(o.is_deal_rot_enabled ?? o.rotten_flag, `${path}.rotten_flag`) === true;
  const days = looseNumber(o.days_to_rotten ?? o.rotten_days);
  const rot = rotOn && typeof days === 'number' && days >= 0 && days <= 36500 ? { rotAfterDays: days } : {};
  return {
    stage: { id: stageId, name: cleanName(o.name, stageId), probability, outcome: 'open', forecastCategory: 'pipeline', deleted: deletedFlag(o, path), path, ...rot },
    pipelineId: id(o.pipeline_id, `${path}.pipeline_id`),
    order: order(o.order_nr),
  };
}

type Status = 'open' | 'won' | 'lost';
const statusOf = (v: unknown): Status | 'deleted' | null => (v === 'open' || v === 'won' || v === 'lost' || v === 'deleted' ? v : null);

interface Change {
  readonly key: string;
  readonly from: unknown;
  readonly to: unknown;
  readonly at: number;
  readonly by: string | null;
  readonly path: string;
}

function readDeal(item: unknown, path: string, layout: PdLayout, flows: Obj, w: Warnings): DraftDeal | null {
  const d = obj(item, path);
  const dealId = id(d.id, `${path}.id`);
  const status = statusOf(d.status);
  if (status === 'deleted' || optBool(d.is_deleted, `${path}.is_deleted`) === true) {
    w.add('deal_skipped', path, `deal ${dealId} is deleted in Pipedrive; left out`);
    return null;
  }
  if (status === null && d.status !== undefined && d.status !== null) w.add('value_dropped', `${path}.status`, `deal ${dealId} has status ${String(d.status)}; taken as open`);
  const current: Status = status ?? 'open';
  const stageId = id(d.stage_id, `${path}.stage_id`);
  const pipelineId = optId(d.pipeline_id, `${path}.pipeline_id`) ?? layout.stagePipeline.get(stageId) ?? null;
  if (pipelineId === null) {
    w.add('deal_skipped', path, `deal ${dealId}: stage ${stageId} belongs to no known pipeline; left out`);
    return null;
  }
  const createdAt = instantOf(d.add_time, `${path}.add_time`, w);
  const updatedAt = instantOf(d.update_time, `${path}.update_time`, w);
  const changes = flowOf(flows, dealId, w, layout.names);
  const visits = walk(changes, { pipelineId, stageId, status: current }, createdAt, d, path, w);
  const amounts: Point<number | null>[] = changes.filter((c) => c.key === 'value').map((c) => ({ at: c.at, by: c.by, to: amountOf(c.to, `${c.path}.new_value`, w), from: amountOf(c.from, `${c.path}.old_value`, w) }));
  const dates: Point<string | null>[] = changes.filter((c) => c.key === 'expected_close_date').map((c) => ({ at: c.at, by: c.by, to: dateOf(c.to, `${c.path}.new_value`, w), from: dateOf(c.from, `${c.path}.old_value`, w) }));
  const own = current === 'open' ? probabilityOf(d.probability, `${path}.probability`, w, 100) : null;
  return {
    path,
    id: dealId,
    layoutId: PIPEDRIVE_LAYOUT_ID,
    name: dealName(d.title, dealId, `${path}.title`, w),
    currency: currencyOf(d.currency, `${path}.currency`, w),
    ownerId: refId(d.owner_id ?? d.user_id ?? null, `${path}.user_id`),
    lostReason: current === 'lost' ? reasonOf(d.lost_reason, `${path}.lost_reason`, w) : null,
    fields: {},
    pipelineId,
    stageId: position(stageId, current),
    amount: amountOf(d.value, `${path}.value`, w),
    closingDate: dateOf(d.expected_close_date, `${path}.expected_close_date`, w),
    probability: own,
    createdAt,
    updatedAt,
    visits,
    amounts,
    closingDates: dates,
    probabilities: [],
  };
}

const position = (stageId: string, status: Status): string =>
  status === 'won' ? PIPEDRIVE_WON_STAGE : status === 'lost' ? PIPEDRIVE_LOST_STAGE : stageId;

/** The tracked `dealChange` rows of a deal's flow, oldest first. */
function flowOf(flows: Obj, dealId: string, w: Warnings, names: Map<string, string>): Change[] {
  if (!Object.hasOwn(flows, dealId)) return [];
  const { items, path } = records(flows[dealId], `payload.flows.${dealId}`, 'data');
  const out: { c: Change; i: number }[] = [];
  items.forEach((item, i) => {
    const rowPath = `${path}[${i}]`;
    const row = obj(item, rowPath);
    if (row.object !== undefined && row.object !== 'dealChange') return;
    const data = obj(row.data, `${rowPath}.data`);
    const key = data.field_key;
    if (typeof key !== 'string' || !TRACKED.has(key)) return;
    const at = instantOf(data.log_time ?? row.timestamp, `${rowPath}.data.log_time`, w);
    if (at === null) {
      w.add('row_skipped', rowPath, 'change without a readable time; left out');
      return;
    }
    if (key === 'stage_id') rememberNames(data, names);
    out.push({ c: { key, from: data.old_value, to: data.new_value, at, by: optId(data.user_id ?? null, `${rowPath}.data.user_id`), path: `${rowPath}.data` }, i });
  });
  // Pipedrive lists the flow newest first; rows at one instant keep their listed order reversed.
  return out.sort((a, b) => a.c.at - b.c.at || b.i - a.i).map((x) => x.c);
}

function rememberNames(data: Obj, names: Map<string, string>): void {
  const extra = isObj(data.additional_data) ? data.additional_data : {};
  for (const [value, label] of [[data.old_value, extra.old_value_formatted], [data.new_value, extra.new_value_formatted]] as const) {
    if ((typeof value === 'string' || typeof value === 'number') && typeof label === 'string' && label.trim() !== '' && !names.has(String(value))) names.set(String(value), cleanName(label, String(value)));
  }
}

/** Replays the flow from the deal's state before its first change; one visit per instant that moved it. */
function walk(changes: readonly Change[], now: { pipelineId: string; stageId: string; status: Status }, createdAt: number | null, d: Obj, path: string, w: Warnings): DraftVisit[] {
  const moves = changes.filter((c) => c.key === 'stage_id' || c.key === 'pipeline_id' || c.key === 'status');
  const first = (key: string): Change | undefined => moves.find((c) => c.key === key);
  const state = {
    pipelineId: first('pipeline_id') ? id(first('pipeline_id')!.from, `${first('pipeline_id')!.path}.old_value`) : now.pipelineId,
    stageId: first('stage_id') ? id(first('stage_id')!.from, `${first('stage_id')!.path}.old_value`) : now.stageId,
    status: first('status') ? (statusOf(first('status')!.from) ?? 'open') : 'open',
  } as { pipelineId: string; stageId: string; status: Status | 'deleted' };
  const start = createdAt ?? moves[0]?.at ?? null;
  if (start === null) return [];
  const visits: DraftVisit[] = [{ pipelineId: state.pipelineId, stageId: position(state.stageId, state.status === 'deleted' ? 'open' : state.status), at: start, by: null }];
  for (let i = 0; i < moves.length; i++) {
    const c = moves[i]!;
    if (c.key === 'pipeline_id') state.pipelineId = id(c.to, `${c.path}.new_value`);
    else if (c.key === 'stage_id') state.stageId = id(c.to, `${c.path}.new_value`);
    else state.status = statusOf(c.to) ?? state.status;
    if (moves[i + 1]?.at === c.at) continue;
    const status = state.status === 'deleted' ? 'open' : state.status;
    visits.push({ pipelineId: state.pipelineId, stageId: position(state.stageId, status), at: Math.max(c.at, start), by: c.by });
  }
  if (first('status') === undefined && now.status !== 'open') {
    const closedAt = instantOf(now.status === 'won' ? d.won_time ?? d.close_time : d.lost_time ?? d.close_time, `${path}.${now.status}_time`, w);
    if (closedAt !== null) visits.push({ pipelineId: now.pipelineId, stageId: position(now.stageId, now.status), at: Math.max(closedAt, start), by: null });
  }
  if (changes.length === 0 && moves.length === 0) w.add('history_missing', path, `deal ${String(d.id)} has no stage changes in its flow; it is taken to be in its stage since add_time`);
  return visits;
}
