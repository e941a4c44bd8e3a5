import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import type { Outcome } from '../model/stage.js';
import { scopeOfDeal } from '../deals/scope.js';
import type { PipelineModel, StageModel } from './pipelineModel.js';

interface Tally {
  readonly layoutId: string;
  readonly pipelineId: string | null;
  readonly stageId: string;
  readonly dwell: number[];
  readonly close: number[];
  readonly next: Map<string, { pipelineId: string | null; stageId: string; outcome: Outcome; count: number }>;
}

const keyOf = (pipelineId: string | null, stageId: string): string => `${pipelineId ?? ''}\u0000${stageId}`;

/**
 * Counts what the deals did, one deal at a time (a store can be read page by page). A visit is
 * learned from when it ended inside [until − window, until]: the move that ended it is then known
 * at `until`, and in a steady pipeline the visits that end in a window show durations without the
 * bias toward short ones that visits started in it would have.
 */
export class ModelBuilder {
  private readonly tallies = new Map<string, Tally>();
  constructor(
    private readonly until: number,
    private readonly windowMs: number,
  ) {}

  add(deal: Deal): void {
    const h = deal.history;
    const since = this.until - this.windowMs;
    let closedAt = -1; // when the deal next entered a won or lost stage, known at `until`
    for (let i = h.length - 2; i >= 0; i--) {
      const v = h[i]!;
      const after = h[i + 1]!;
      if (after.enteredAt <= this.until && after.outcome !== 'open') closedAt = after.enteredAt;
      const exit = v.exitedAt;
      if (exit === null || exit > this.until || exit < since) continue;
      const t = this.tally(deal.layoutId, v.pipelineId, v.stageId);
      t.dwell.push(exit - v.enteredAt);
      if (closedAt >= 0) t.close.push(closedAt - v.enteredAt);
      const k = keyOf(after.pipelineId, after.stageId);
      const n = t.next.get(k);
      if (n) n.count++;
      else t.next.set(k, { pipelineId: after.pipelineId, stageId: after.stageId, outcome: after.outcome === 'won' || after.outcome === 'lost' ? after.outcome : 'open', count: 1 });
    }
  }

  build(ws: Workspace): PipelineModel {
    const stages: StageModel[] = [];
    for (const t of this.tallies.values()) {
      const visits = t.dwell.length;
      const next = [...t.next.values()]
        .sort((a, b) => b.count - a.count || compareKeys(a, b))
        .map((n) => ({ ...n, probability: n.count / visits }));
      const slot = scopeOfDeal(ws, t)?.slots.get(t.stageId);
      stages.push({
        pipelineId: t.pipelineId,
        stageId: t.stageId,
        adminProbability: slot ? slot.probability : null,
        visits,
        next,
        winProbability: 0,
        lossProbability: 0,
        dwellMs: t.dwell.sort((a, b) => a - b),
        closeMs: t.close.sort((a, b) => a - b),
      });
    }
    stages.sort(compareKeys);
    return { until: this.until, windowMs: this.windowMs, stages: withEventualOutcomes(stages) };
  }

  private tally(layoutId: string, pipelineId: string | null, stageId: string): Tally {
    const k = keyOf(pipelineId, stageId);
    let t = this.tallies.get(k);
    if (!t) this.tallies.set(k, (t = { layoutId, pipelineId, stageId, dwell: [], close: [], next: new Map() }));
    return t;
  }
}

function compareKeys(a: { pipelineId: string | null; stageId: string }, b: { pipelineId: string | null; stageId: string }): number {
  const pa = a.pipelineId ?? '';
  const pb = b.pipelineId ?? '';
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a.stageId < b.stageId ? -1 : a.stageId > b.stageId ? 1 : 0;
}

/**
 * The chance of ending won (or lost) from each stage, following the learned moves: a fixed point
 * reached by repeated substitution. A stage nothing is known about is taken to hold its deals.
 */
function withEventualOutcomes(stages: StageModel[]): StageModel[] {
  const index = new Map(stages.map((s, i) => [keyOf(s.pipelineId, s.stageId), i]));
  const win = new Float64Array(stages.length);
  const loss = new Float64Array(stages.length);
  for (let round = 0; round < 500; round++) {
    let change = 0;
    stages.forEach((s, i) => {
      let w = 0;
      let l = 0;
      for (const n of s.next) {
        if (n.outcome === 'won') w += n.probability;
        else if (n.outcome === 'lost') l += n.probability;
        else {
          const j = index.get(keyOf(n.pipelineId, n.stageId));
          if (j !== undefined) {
            w += n.probability * win[j]!;
            l += n.probability * loss[j]!;
          }
        }
      }
      change = Math.max(change, Math.abs(w - win[i]!), Math.abs(l - loss[i]!));
      win[i] = w;
      loss[i] = l;
    });
    if (change < 1e-12) break;
  }
  return stages.map((s, i) => ({ ...s, winProbability: Math.min(1, win[i]!), lossProbability: Math.min(1, loss[i]!) }));
}
