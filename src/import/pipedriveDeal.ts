import type { Deal } from '../model/deal.js';
import { amountOf, currencyOf, dateOf, dealName, instantOf, probabilityOf, reasonOf } from './common.js';
import type { DraftDeal, DraftLayout, DraftVisit, Point, Warnings } from './draft.js';
import { cleanName, id, isObj, looseNumber, obj, optBool, optId, refId, records, type Obj } from './read.js';
import { PIPEDRIVE_DEAL_FIELDS as F, recordFields } from './dealFields.js';

// Reading one Pipedrive deal and its flow into a draft.

/**
 * The stage a won Pipedrive deal is in (Pipedrive keeps won/lost as a deal status).
 *
 * @example
 * ```ts
 * const won = deals.filter((d) => d.stageId === PIPEDRIVE_WON_STAGE);
 * ```
 * @category Importers
 */
export const PIPEDRIVE_WON_STAGE = 'won';
/**
 * The stage a lost Pipedrive deal is in.
 *
 * @example
 * ```ts
 * const lost = deals.filter((d) => d.stageId === PIPEDRIVE_LOST_STAGE);
 * ```
 * @category Importers
 */
export const PIPEDRIVE_LOST_STAGE = 'lost';

/** What the importer knows of Pipedrive's configuration when it reads a deal. */
export interface PdLayout {
  readonly layoutId: string;
  readonly draft: DraftLayout;
  readonly stagePipeline: ReadonlyMap<string, string>;
  readonly names: Map<string, string>;
}

const TRACKED = new Set(['stage_id', 'pipeline_id', 'status', 'value', 'expected_close_date']);

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

/** A deal read from the payload, with the stays Pipedrive reported for it. */
export interface PdDeal {
  readonly draft: DraftDeal;
  /** `stay_in_pipeline_stages.times_in_stages`: seconds by stage id. */
  readonly stays: ReadonlyMap<string, number>;
  readonly staysPath: string;
  /** Whether the deal is open: the stay in its stage then runs up to the export and is not compared. */
  readonly open: boolean;
  /** The stage the deal is in (Pipedrive's, not the won/lost one). */
  readonly stageId: string;
}

/** Reads one deal and its flow (from `flows`, at `flowsPath`); null (with a warning) when it is left out. */
export function readDeal(item: unknown, path: string, layout: PdLayout, flows: Obj, flowsPath: string, w: Warnings): PdDeal | null {
  const d = obj(item, path);
  const at = recordFields(d, path);
  const dealId = id(at.value(F.id), at.path(F.id));
  const status = statusOf(d.status);
  if (status === 'deleted' || optBool(d.is_deleted, `${path}.is_deleted`) === true) {
    w.add('deal_skipped', path, `deal ${dealId} is deleted in Pipedrive; left out`);
    return null;
  }
  if (status === null && d.status !== undefined && d.status !== null) w.add('value_dropped', `${path}.status`, `deal ${dealId} has status ${String(d.status)}; taken as open`);
  const current: Status = status ?? 'open';
  const stageId = id(at.value(F.stageId), at.path(F.stageId));
  const pipelineId = optId(at.value(F.pipelineId), at.path(F.pipelineId)) ?? layout.stagePipeline.get(stageId) ?? null;
  if (pipelineId === null) {
    w.add('deal_skipped', path, `deal ${dealId}: stage ${stageId} belongs to no known pipeline; left out`);
    return null;
  }
  const { changes, addTime } = flowOf(flows, flowsPath, dealId, w, layout.names);
  // Without add_time on the deal, the flow's own add_time row says when it was added.
  const added = at.value(F.createdAt);
  const missing = added === undefined || added === null || added === '';
  const createdAt = missing && addTime !== null ? instantOf(addTime.value, addTime.path, w) : instantOf(added, at.path(F.createdAt), w);
  const updatedAt = instantOf(at.value(F.updatedAt), at.path(F.updatedAt), w);
  const visits = walk(changes, { pipelineId, stageId, status: current }, createdAt, d, path, w);
  const amounts: Point<number | null>[] = changes.filter((c) => c.key === F.amount.from[0]).map((c) => ({ at: c.at, by: c.by, to: amountOf(c.to, `${c.path}.new_value`, w), from: amountOf(c.from, `${c.path}.old_value`, w) }));
  const dates: Point<string | null>[] = changes.filter((c) => c.key === F.closingDate.from[0]).map((c) => ({ at: c.at, by: c.by, to: dateOf(c.to, `${c.path}.new_value`, w), from: dateOf(c.from, `${c.path}.old_value`, w) }));
  const own = current === 'open' ? probabilityOf(at.value(F.probability), at.path(F.probability), w, 100) : null;
  const draft: DraftDeal = {
    path,
    id: dealId,
    layoutId: layout.layoutId,
    name: dealName(at.value(F.name), at.path(F.name), w, dealId),
    currency: currencyOf(at.value(F.currency), at.path(F.currency), w),
    ownerId: refId(at.value(F.ownerId), at.path(F.ownerId)),
    lostReason: current === 'lost' ? reasonOf(at.value(F.lostReason), at.path(F.lostReason), w) : null,
    fields: {},
    pipelineId,
    stageId: position(stageId, current),
    amount: amountOf(at.value(F.amount), at.path(F.amount), w),
    closingDate: dateOf(at.value(F.closingDate), at.path(F.closingDate), w),
    probability: own,
    createdAt,
    updatedAt,
    visits,
    amounts,
    closingDates: dates,
    probabilities: [],
    sources: { name: at.path(F.name) },
  };
  const staysPath = `${path}.stay_in_pipeline_stages.times_in_stages`;
  return { draft, stays: staysOf(d.stay_in_pipeline_stages, staysPath, w), staysPath, open: current === 'open', stageId };
}

/** `stay_in_pipeline_stages.times_in_stages` (seconds by stage id); unreadable entries are dropped with a warning. */
function staysOf(v: unknown, path: string, w: Warnings): Map<string, number> {
  const out = new Map<string, number>();
  if (!isObj(v) || v.times_in_stages === null || v.times_in_stages === undefined) return out;
  const times = obj(v.times_in_stages, path);
  for (const key of Object.keys(times)) {
    const n = looseNumber(times[key]);
    if (typeof n === 'number' && n >= 0) out.set(key, n);
    else w.add('value_dropped', `${path}.${key}`, `${JSON.stringify(times[key])?.slice(0, 60)} is not a number of seconds; left out`);
  }
  return out;
}

/**
 * Compares Pipedrive's `stay_in_pipeline_stages` (seconds in each stage, all stays) with the
 * imported history: more than a second apart is a `figure_mismatch`. The stay of an open deal in
 * its stage runs up to the export, an instant the payload does not hold, so it is not compared.
 */
export function compareStays(deal: Deal, read: PdDeal, w: Warnings): void {
  if (read.stays.size === 0) return;
  const ms = new Map<string, number>();
  for (const v of deal.history) if (v.exitedAt !== null) ms.set(v.stageId, (ms.get(v.stageId) ?? 0) + v.exitedAt - v.enteredAt);
  for (const [stageId, seconds] of read.stays) {
    if (read.open && stageId === read.stageId) continue;
    const ours = ms.get(stageId);
    if (ours === undefined ? seconds === 0 : Math.abs(ours / 1000 - seconds) <= 1) continue;
    w.add('figure_mismatch', `${read.staysPath}.${stageId}`, `deal ${deal.id}: Pipedrive reports ${seconds} s in stage ${stageId}, the imported history gives ${ours === undefined ? 'no completed stay' : `${ours / 1000} s`}`);
  }
}

const position = (stageId: string, status: Status): string =>
  status === 'won' ? PIPEDRIVE_WON_STAGE : status === 'lost' ? PIPEDRIVE_LOST_STAGE : stageId;

/** The tracked `dealChange` rows of a deal's flow, oldest first, and the instant of its `add_time` row. */
function flowOf(flows: Obj, flowsPath: string, dealId: string, w: Warnings, names: Map<string, string>): { changes: Change[]; addTime: { value: unknown; path: string } | null } {
  if (!Object.hasOwn(flows, dealId)) return { changes: [], addTime: null };
  const { items, path } = records(flows[dealId], `${flowsPath}.${dealId}`, 'data');
  let addTime: { value: unknown; path: string } | null = null;
  const out: { c: Change; i: number }[] = [];
  items.forEach((item, i) => {
    const rowPath = `${path}[${i}]`;
    const row = obj(item, rowPath);
    if (row.object !== undefined && row.object !== 'dealChange') return;
    const data = obj(row.data, `${rowPath}.data`);
    const key = data.field_key;
    if (key === 'add_time') addTime ??= { value: data.new_value, path: `${rowPath}.data.new_value` };
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
  return { changes: out.sort((a, b) => a.c.at - b.c.at || b.i - a.i).map((x) => x.c), addTime };
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
