import { percentile } from '../metrics/common.js';
import { periodIndex, type Period } from './periods.js';
import type { PipelineModel } from './pipelineModel.js';
import { mulberry32 } from './random.js';

/** An open deal as the simulation sees it: its stage in the model, since when, and what a win brings. */
export interface Position {
  readonly stage: number; // index in the compiled model, -1 when the model knows nothing of the stage
  readonly enteredAt: number;
  readonly amount: number;
  readonly currency: number; // index in the currency list
}

/** Summary of the simulated won amount of one period and currency. */
export interface Spread {
  readonly expected: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

const WON = -1;
const LOST = -2;
const STAYS = -3;
const MAX_STEPS = 200;

/** A model laid out in typed arrays for the inner loop. */
export class CompiledModel {
  readonly dwell: Float64Array[] = [];
  readonly cumulative: Float64Array[] = [];
  readonly targets: Int32Array[] = [];
  private readonly index = new Map<string, number>();

  constructor(model: PipelineModel) {
    model.stages.forEach((s, i) => this.index.set(`${s.pipelineId ?? ''}\u0000${s.stageId}`, i));
    for (const s of model.stages) {
      this.dwell.push(Float64Array.from(s.dwellMs).sort());
      const cum = new Float64Array(s.next.length);
      const to = new Int32Array(s.next.length);
      let sum = 0;
      s.next.forEach((n, j) => {
        sum += n.probability;
        cum[j] = sum;
        to[j] = n.outcome === 'won' ? WON : n.outcome === 'lost' ? LOST : this.stageIndex(n.pipelineId, n.stageId);
      });
      if (cum.length > 0) cum[cum.length - 1] = Math.max(1, sum);
      this.cumulative.push(cum);
      this.targets.push(to);
    }
  }

  stageIndex(pipelineId: string | null, stageId: string): number {
    return this.index.get(`${pipelineId ?? ''}\u0000${stageId}`) ?? STAYS;
  }
}

/**
 * Runs the deals through the model `runs` times: each deal leaves its stage after a time drawn
 * from the visits that lasted longer than it has already sat, goes on by the learned odds, and so
 * on until it is won, lost or past the last period. Returns, per period and currency, the spread
 * of the won amount over the runs. A deal that has sat longer than any visit learned from is taken
 * to stay where it is.
 */
export function simulate(model: CompiledModel, positions: readonly Position[], periods: readonly Period[], currencies: number, runs: number, seed: number): Spread[][] {
  const cells = periods.length * currencies;
  const totals = new Float64Array(runs * cells);
  if (periods.length === 0) return [];
  const from = periods[0]!.from;
  const to = periods[periods.length - 1]!.to;
  const first = positions.map((p) => (p.stage < 0 ? 0 : firstLonger(model.dwell[p.stage]!, from - p.enteredAt)));
  const random = mulberry32(seed);
  for (let run = 0; run < runs; run++) {
    const base = run * cells;
    for (let d = 0; d < positions.length; d++) {
      const p = positions[d]!;
      let stage = p.stage;
      if (stage < 0) continue;
      let dwell = model.dwell[stage]!;
      const k = first[d]!;
      if (k >= dwell.length) continue;
      let t = p.enteredAt + dwell[k + Math.floor(random() * (dwell.length - k))]!;
      for (let step = 0; step < MAX_STEPS && t < to; step++) {
        const next = pick(model.cumulative[stage]!, model.targets[stage]!, random());
        if (next === WON) {
          const i = periodIndex(periods, t);
          const cell = base + i * currencies + p.currency;
          if (i >= 0) totals[cell] = totals[cell]! + p.amount;
          break;
        }
        if (next < 0) break;
        stage = next;
        dwell = model.dwell[stage]!;
        if (dwell.length === 0) break;
        t += dwell[Math.floor(random() * dwell.length)]!;
      }
    }
  }
  return spreads(totals, periods.length, currencies, runs);
}

function spreads(totals: Float64Array, periods: number, currencies: number, runs: number): Spread[][] {
  const cells = periods * currencies;
  const out: Spread[][] = [];
  const column = new Float64Array(runs);
  for (let i = 0; i < periods; i++) {
    const row: Spread[] = [];
    for (let c = 0; c < currencies; c++) {
      let sum = 0;
      for (let r = 0; r < runs; r++) sum += column[r] = totals[r * cells + i * currencies + c]!;
      column.sort();
      const sorted = column as unknown as number[];
      row.push({ expected: sum / runs, p10: percentile(sorted, 0.1), p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9) });
    }
    out.push(row);
  }
  return out;
}

function pick(cumulative: Float64Array, targets: Int32Array, u: number): number {
  for (let j = 0; j < cumulative.length; j++) if (u < cumulative[j]!) return targets[j]!;
  return STAYS;
}

/** The index of the first duration longer than `elapsed` in ascending durations. */
function firstLonger(sorted: Float64Array, elapsed: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= elapsed) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
