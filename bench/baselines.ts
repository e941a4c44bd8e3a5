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

/** Every rule checkTransition applies inside one pipeline, by hand, listing every violation. */
export function handCheck(deal: Deal, stageId: string, p: HandPipeline): { allowed: boolean; violations: { code: string; message: string }[] } {
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
