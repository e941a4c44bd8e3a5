import { bench, describe } from 'vitest';
import { forecast, learnPipeline, type Deal, type PipelineModel } from 'sales-pipelines';
import { END, historyOf, openDeals, ws } from './forecastData.js';

const DAY = 86_400_000;
const RUNS = 100;
const TO = END + 92 * DAY;

// ~400k deals of about 2.5 visits each: 1M recorded visits.
const big = historyOf(3_100);
const visits = big.reduce((n, d) => n + d.history.length, 0);
const model = learnPipeline(ws, historyOf(25), { until: END });
const open = openDeals(historyOf(25), 100_000);

describe(`forecast: 100k open deals, 3 months, ${RUNS} runs`, () => {
  const prepared = prepare(model, open);
  bench('library: forecast', () => {
    forecast(model, open, { from: END, to: TO, period: 'month', runs: RUNS, seed: 1 });
  }, { time: 4000, warmupIterations: 1 });
  bench('baseline: hand-written simulation over prepared arrays', () => {
    simulateBaseline(prepared, RUNS);
  }, { time: 4000, warmupIterations: 1 });
});

describe(`learn: learnPipeline over ${(visits / 1e6).toFixed(2)}M recorded visits`, () => {
  bench('library: learnPipeline', () => {
    learnPipeline(ws, big, { until: END });
  }, { time: 4000, warmupIterations: 1 });
  bench('baseline: plain loop counting moves and dwell times', () => {
    countMoves(big, END, 365 * DAY);
  }, { time: 4000, warmupIterations: 1 });
});

/** The transition counts and sorted dwell times per stage, written out directly. */
function countMoves(deals: readonly Deal[], until: number, window: number) {
  const stages = new Map<string, { dwell: number[]; next: Map<string, number> }>();
  for (const d of deals) {
    const h = d.history;
    for (let i = 0; i + 1 < h.length; i++) {
      const v = h[i]!;
      if (v.exitedAt === null || v.exitedAt > until || v.exitedAt < until - window) continue;
      const key = `${v.pipelineId}/${v.stageId}`;
      let s = stages.get(key);
      if (!s) stages.set(key, (s = { dwell: [], next: new Map() }));
      s.dwell.push(v.exitedAt - v.enteredAt);
      const to = `${h[i + 1]!.pipelineId}/${h[i + 1]!.stageId}`;
      s.next.set(to, (s.next.get(to) ?? 0) + 1);
    }
  }
  for (const s of stages.values()) s.dwell.sort((a, b) => a - b);
  return stages;
}

interface Prepared {
  stage: Int32Array; entered: Float64Array; amount: Float64Array;
  dwell: Float64Array[]; cum: Float64Array[]; to: Int32Array[];
  months: number[];
}

/** The model and the deals as arrays, prepared outside the timing. */
function prepare(m: PipelineModel, deals: readonly Deal[]): Prepared {
  const index = new Map(m.stages.map((s, i) => [s.stageId, i]));
  const p: Prepared = {
    stage: new Int32Array(deals.length), entered: new Float64Array(deals.length), amount: new Float64Array(deals.length),
    dwell: m.stages.map((s) => Float64Array.from(s.dwellMs)),
    cum: m.stages.map((s) => { let c = 0; return Float64Array.from(s.next, (n) => (c += n.probability)); }),
    to: m.stages.map((s) => Int32Array.from(s.next, (n) => (n.outcome === 'won' ? -1 : n.outcome === 'lost' ? -2 : index.get(n.stageId) ?? -3))),
    months: [END, Date.UTC(2026, 7, 1), Date.UTC(2026, 8, 1), TO],
  };
  deals.forEach((d, i) => {
    const v = d.history[d.history.length - 1]!;
    p.stage[i] = index.get(v.stageId) ?? -1;
    p.entered[i] = v.enteredAt;
    p.amount[i] = v.amount ?? 0;
  });
  return p;
}

function simulateBaseline(p: Prepared, runs: number): Float64Array {
  let a = 1;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const totals = new Float64Array(runs * 3);
  for (let r = 0; r < runs; r++) {
    for (let d = 0; d < p.stage.length; d++) {
      let s = p.stage[d]!;
      if (s < 0) continue;
      let dw = p.dwell[s]!;
      const elapsed = END - p.entered[d]!;
      let k = 0;
      for (let hi = dw.length; k < hi; ) {
        const mid = (k + hi) >> 1;
        if (dw[mid]! <= elapsed) k = mid + 1;
        else hi = mid;
      }
      if (k >= dw.length) continue;
      let t = p.entered[d]! + dw[k + Math.floor(random() * (dw.length - k))]!;
      while (t < TO) {
        const u = random();
        const cum = p.cum[s]!;
        let j = 0;
        while (j < cum.length - 1 && u >= cum[j]!) j++;
        const next = p.to[s]![j]!;
        if (next === -1) {
          const m = t < p.months[1]! ? 0 : t < p.months[2]! ? 1 : 2;
          totals[r * 3 + m] = totals[r * 3 + m]! + p.amount[d]!;
          break;
        }
        if (next < 0) break;
        s = next;
        dw = p.dwell[s]!;
        t += dw[Math.floor(random() * dw.length)]!;
      }
    }
  }
  return totals;
}
