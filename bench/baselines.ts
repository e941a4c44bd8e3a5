// Hand-written baselines: the least work a host could do by hand for the same result, with no
// validation and no rules. The library is measured against these.
import type { Deal, DealEvent, StageVisit } from '../src/index.js';

interface StageInfo {
  readonly probability: number;
  readonly forecastCategory: StageVisit['forecastCategory'];
  readonly outcome: StageVisit['outcome'];
}

/** Moves one deal to a stage with object spreads: close the open visit, open a new one. */
export function spreadMove(deal: Deal, pipelineId: string, stageId: string, stage: StageInfo, at: number): Deal {
  const history = deal.history.slice();
  const last = history.length - 1;
  history[last] = { ...history[last]!, exitedAt: at };
  history.push({
    pipelineId, stageId, enteredAt: at, exitedAt: null, amount: deal.amount, probability: stage.probability,
    expectedRevenue: deal.amount === null ? null : (deal.amount * stage.probability) / 100, closingDate: deal.closingDate,
    forecastCategory: stage.forecastCategory, outcome: stage.outcome, by: 'manager', bypassedRules: false,
  });
  return { ...deal, pipelineId, stageId, probability: stage.probability, updatedAt: at, version: deal.version + 1, history };
}

/** Moves many deals to another pipeline through a stage map, by hand. */
export function spreadBulkMove(deals: readonly Deal[], pipelineId: string, stageMap: Record<string, string>, stages: Map<string, StageInfo>, at: number): Deal[] {
  const out: Deal[] = new Array(deals.length);
  for (let i = 0; i < deals.length; i++) {
    const deal = deals[i]!;
    const stageId = stageMap[deal.stageId] ?? deal.stageId;
    out[i] = spreadMove(deal, pipelineId, stageId, stages.get(stageId)!, at);
  }
  return out;
}

/** Dwell statistics in one pass: completed visits per (pipeline, stage), then mean/median/p90/max. */
export function singlePassDwell(deals: readonly Deal[]): { pipelineId: string | null; stageId: string; visits: number; meanMs: number; medianMs: number; p90Ms: number; maxMs: number }[] {
  const groups = new Map<string | null, Map<string, number[]>>();
  for (const deal of deals) {
    for (const v of deal.history) {
      if (v.exitedAt === null) continue;
      let stages = groups.get(v.pipelineId);
      if (!stages) groups.set(v.pipelineId, (stages = new Map()));
      const list = stages.get(v.stageId);
      if (list) list.push(v.exitedAt - v.enteredAt);
      else stages.set(v.stageId, [v.exitedAt - v.enteredAt]);
    }
  }
  const rows = [];
  for (const [pipelineId, stages] of groups) {
    for (const [stageId, list] of stages) {
      const sorted = Float64Array.from(list).sort();
      let sum = 0;
      for (const d of sorted) sum += d;
      const n = sorted.length;
      const median = n % 2 ? sorted[n >> 1]! : (sorted[(n >> 1) - 1]! + sorted[n >> 1]!) / 2;
      rows.push({ pipelineId, stageId, visits: n, meanMs: sum / n, medianMs: median, p90Ms: sorted[Math.ceil(0.9 * n) - 1]!, maxMs: sorted[n - 1]! });
    }
  }
  return rows;
}

/** Folds one deal's events by hand: the same state `replayDeal` builds, with no checks. */
export function foldEvents(events: readonly DealEvent[]): Deal {
  let deal: Deal | null = null;
  for (const e of events) {
    if (e.type === 'dealCreated') {
      deal = {
        id: e.dealId, layoutId: e.layoutId, pipelineId: e.pipelineId, stageId: e.stageId, name: e.name, amount: e.amount,
        currency: e.currency, probability: e.probability, closingDate: e.closingDate, ownerId: e.ownerId, lostReason: e.lostReason,
        fields: { ...e.fields }, createdAt: e.at, updatedAt: e.at, version: e.version,
        history: [{ pipelineId: e.pipelineId, stageId: e.stageId, enteredAt: e.at, exitedAt: null, amount: e.amount, probability: e.probability,
          expectedRevenue: e.amount === null ? null : (e.amount * e.probability) / 100, closingDate: e.closingDate,
          forecastCategory: e.forecastCategory, outcome: e.outcome, by: e.by, bypassedRules: e.bypassedRules }],
      };
    } else if (e.type === 'dealStageChanged' && deal) {
      deal = spreadMove(deal, e.to.pipelineId ?? '', e.to.stageId, { probability: e.probability, forecastCategory: e.forecastCategory, outcome: e.to.outcome }, e.at);
    }
  }
  return deal!;
}

/** What a hand-written transition check needs about one pipeline, prepared once. */
export interface HandPipeline {
  readonly slots: Map<string, { openPosition: number; outcome: 'open' | 'won' | 'lost'; required: readonly string[] }>;
  readonly openCount: number;
  readonly allowSkip: boolean;
  readonly allowBackward: boolean;
  readonly allowReopen: boolean;
  readonly requireLostReason: boolean;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isTextOrNull = (v: unknown): boolean => v === null || typeof v === 'string';
// A stage id that is not in the pipeline is refused by the lookup that follows; this only keeps
// what is not a string of an id's length from reaching it.
const isIdText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 255;

/**
 * The checks of its arguments that checkTransition owes by contract (a malformed deal or target is
 * refused naming the field, never answered), by hand: the target stage is an id, the deal has its
 * fields with their types and an open visit to read. Returns the field at fault, or null.
 */
export function handArgumentProblem(deal: Deal, stageId: unknown): string | null {
  if (!isIdText(stageId)) return 'target.stageId';
  const d = deal as unknown as Record<string, unknown>;
  if (typeof d !== 'object' || d === null) return 'deal';
  if (typeof d.id !== 'string' || d.id === '') return 'deal.id';
  if (typeof d.layoutId !== 'string' || d.layoutId === '') return 'deal.layoutId';
  if (typeof d.stageId !== 'string' || d.stageId === '') return 'deal.stageId';
  if (d.pipelineId !== null && (typeof d.pipelineId !== 'string' || d.pipelineId === '')) return 'deal.pipelineId';
  if (!Number.isSafeInteger(d.version) || (d.version as number) < 1) return 'deal.version';
  if (!isNumber(d.createdAt)) return 'deal.createdAt';
  if (!isNumber(d.updatedAt)) return 'deal.updatedAt';
  if (d.amount !== null && !isNumber(d.amount)) return 'deal.amount';
  if (!isNumber(d.probability)) return 'deal.probability';
  if (!isTextOrNull(d.currency)) return 'deal.currency';
  if (!isTextOrNull(d.closingDate)) return 'deal.closingDate';
  if (!isTextOrNull(d.lostReason)) return 'deal.lostReason';
  if (!isTextOrNull(d.ownerId)) return 'deal.ownerId';
  if (typeof d.fields !== 'object' || d.fields === null) return 'deal.fields';
  const h = d.history;
  if (!Array.isArray(h) || h.length === 0) return 'deal.history';
  const v = h[h.length - 1] as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || !isNumber(v.enteredAt) || typeof v.stageId !== 'string' || (v.exitedAt !== null && !isNumber(v.exitedAt)) ||
    (v.pipelineId !== null && typeof v.pipelineId !== 'string') || (v.amount !== null && !isNumber(v.amount)) || !isNumber(v.probability) ||
    (v.expectedRevenue !== null && !isNumber(v.expectedRevenue))) return `deal.history[${h.length - 1}]`;
  return null;
}

/**
 * Every rule checkTransition applies inside one pipeline, by hand, listing every violation, after
 * the checks of its arguments the contract requires ({@link handArgumentProblem}).
 */
export function handCheck(deal: Deal, stageId: string, p: HandPipeline): { allowed: boolean; violations: { code: string; message: string }[] } {
  const bad = handArgumentProblem(deal, stageId);
  if (bad !== null) throw new Error(`${bad}: malformed`);
  const violations: { code: string; message: string }[] = [];
  const from = p.slots.get(deal.stageId);
  const to = p.slots.get(stageId);
  if (!to) return { allowed: false, violations: [{ code: 'stage_not_in_pipeline', message: `stage ${stageId} is not in the pipeline` }] };
  if (stageId === deal.stageId || !from) return { allowed: true, violations };
  if (from.outcome !== 'open') {
    if (!p.allowReopen) violations.push({ code: 'reopen_not_allowed', message: `deals in closed stage ${deal.stageId} cannot be reopened` });
  } else if (to.outcome === 'won') {
    if (!p.allowSkip && from.openPosition !== p.openCount - 1) violations.push({ code: 'skip_not_allowed', message: `a deal reaches ${stageId} only from the last open stage` });
  } else if (to.outcome === 'open') {
    const step = to.openPosition - from.openPosition;
    if (step > 1 && !p.allowSkip) violations.push({ code: 'skip_not_allowed', message: `moving from ${deal.stageId} to ${stageId} skips stages` });
    else if (step < 0 && !p.allowBackward) violations.push({ code: 'backward_not_allowed', message: `moving back from ${deal.stageId} to ${stageId} is not allowed` });
  }
  const missing = to.required.filter((f) => {
    const v = f in deal ? (deal as unknown as Record<string, unknown>)[f] : deal.fields[f];
    return v === null || v === undefined || v === '';
  });
  if (missing.length > 0) violations.push({ code: 'required_fields_missing', message: `stage ${stageId} requires ${missing.join(', ')}` });
  if (to.outcome === 'lost' && p.requireLostReason && deal.lostReason === null) violations.push({ code: 'lost_reason_required', message: `a lost reason is required to enter ${stageId}` });
  return { allowed: violations.length === 0, violations };
}

/** A per-currency waterfall bucket, as the library reports it. */
interface Bucket { count: number; amount: number; dealIds: string[] }
type Waterfall = Record<string, Record<string, Bucket>>;
const WATERFALL_BUCKETS = ['start', 'created', 'pulledIn', 'increased', 'reopened', 'movedIn', 'decreased', 'pushedOut', 'won', 'lost', 'movedOut', 'end'];

/**
 * The pipeline waterfall in one pass per deal: visits and logged changes merged by time, the state
 * carried along, each instant in the window classified. Assumes complete change logs (amount and
 * closing date start as the first visit recorded them) and no change of currency.
 */
export function singlePassWaterfall(deals: readonly Deal[], from: number, to: number, pipelineId: string, closingFrom: string, closingTo: string): Waterfall {
  const out: Waterfall = {};
  const put = (currency: string, bucket: string, dealId: string, amount: number) => {
    let c = out[currency];
    if (!c) {
      c = out[currency] = {};
      for (const b of WATERFALL_BUCKETS) c[b] = { count: 0, amount: 0, dealIds: [] };
    }
    const b = c[bucket]!;
    b.amount += amount;
    if (b.dealIds[b.dealIds.length - 1] !== dealId) {
      b.dealIds.push(dealId);
      b.count++;
    }
  };
  for (const deal of deals) {
    const h = deal.history;
    const log = deal.changes ?? [];
    const currency = deal.currency ?? '';
    let exists = false;
    let pipeline: string | null = null;
    let outcome = 'open';
    let amount = h[0]!.amount ?? 0;
    let closing = h[0]!.closingDate;
    const member = () => exists && outcome === 'open' && pipeline === pipelineId && closing !== null && closing >= closingFrom && closing <= closingTo;
    let i = 0;
    let j = 0;
    let started = false;
    let was = false;
    let wasAmount = 0;
    let wasOutcome = 'open';
    let wasPipeline: string | null = null;
    let wasExists = false;
    for (;;) {
      const tv = i < h.length ? h[i]!.enteredAt : Infinity;
      const tc = j < log.length ? log[j]!.at : Infinity;
      const t = tv < tc ? tv : tc;
      if (t >= to || t === Infinity) break;
      if (t >= from && !started) {
        started = true;
        was = member();
        if (was) put(currency, 'start', deal.id, amount);
      }
      while (i < h.length && h[i]!.enteredAt === t) {
        const v = h[i++]!;
        exists = true;
        pipeline = v.pipelineId;
        outcome = v.outcome;
      }
      while (j < log.length && log[j]!.at === t) {
        const c = log[j++]!;
        if (c.field === 'amount') amount = (c.to as number | null) ?? 0;
        else if (c.field === 'closingDate') closing = c.to as string | null;
      }
      if (!started) {
        wasExists = exists;
        wasAmount = amount;
        wasOutcome = outcome;
        wasPipeline = pipeline;
        continue;
      }
      const is = member();
      if (was && is) {
        if (amount > wasAmount) put(currency, 'increased', deal.id, amount - wasAmount);
        else if (amount < wasAmount) put(currency, 'decreased', deal.id, wasAmount - amount);
      } else if (is) {
        put(currency, !wasExists ? 'created' : wasOutcome !== 'open' ? 'reopened' : wasPipeline !== pipeline ? 'movedIn' : 'pulledIn', deal.id, amount);
      } else if (was) {
        put(currency, outcome === 'won' ? 'won' : outcome === 'lost' ? 'lost' : wasPipeline !== pipeline ? 'movedOut' : 'pushedOut', deal.id, wasAmount);
      }
      was = is;
      wasExists = exists;
      wasAmount = amount;
      wasOutcome = outcome;
      wasPipeline = pipeline;
    }
    if (!started) {
      was = member();
      if (was) put(currency, 'start', deal.id, amount);
    }
    if (was) put(currency, 'end', deal.id, amount);
  }
  return out;
}

/**
 * The open pipeline at an instant in one pass per deal: the visit in force by a backward scan,
 * amount from the last logged change before it. Assumes complete change logs.
 */
type Totals = { count: number; total: number; weighted: number };
type SnapshotCurrency = Totals & { byPipeline: Record<string, Totals>; byStage: Record<string, Totals>; byForecastCategory: Record<string, Totals> };

export function singlePassSnapshot(deals: readonly Deal[], at: number): Record<string, SnapshotCurrency> {
  const out: Record<string, SnapshotCurrency> = {};
  const add = (into: Record<string, Totals>, key: string, amount: number, weighted: number) => {
    const t = (into[key] ??= { count: 0, total: 0, weighted: 0 });
    t.count++;
    t.total += amount;
    t.weighted += weighted;
  };
  for (const deal of deals) {
    const h = deal.history;
    let k = h.length - 1;
    while (k >= 0 && h[k]!.enteredAt > at) k--;
    if (k < 0) continue;
    const v = h[k]!;
    if (v.outcome !== 'open') continue;
    let amount = v.amount ?? 0;
    let probability = v.probability;
    for (const c of deal.changes ?? []) {
      if (c.at > at) break;
      if (c.field === 'amount') amount = (c.to as number | null) ?? 0;
      else if (c.field === 'probability') probability = c.to as number;
    }
    const weighted = (amount * probability) / 100;
    const cur = (out[deal.currency ?? ''] ??= { count: 0, total: 0, weighted: 0, byPipeline: {}, byStage: {}, byForecastCategory: {} });
    cur.count++;
    cur.total += amount;
    cur.weighted += weighted;
    add(cur.byPipeline, v.pipelineId ?? '', amount, weighted);
    add(cur.byStage, v.stageId, amount, weighted);
    add(cur.byForecastCategory, v.forecastCategory, amount, weighted);
  }
  return out;
}
