// Deterministic bench data: the dealer's workspace and deals with long histories, built directly.
import type { Deal, StageVisit, Workspace } from '../src/index.js';
import { dealerWorkspace } from '../examples/dealership.js';

export const ws: Workspace = dealerWorkspace();
export const T0 = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;

const OPEN = ['requirements', 'test-drive', 'quote', 'negotiation'] as const;
const PROB: Record<string, number> = { requirements: 10, 'test-drive': 30, quote: 60, negotiation: 80 };

/** A small linear congruential generator, so every run sees the same data. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * `count` deals of the New cars pipeline, each with `visits` history rows cycling through the
 * open stages; the last visit is open in `finalStage` (or in a cycling stage).
 */
export function makeDeals(count: number, visits = 8, finalStage?: string): Deal[] {
  const rnd = lcg(count * 31 + visits);
  const deals: Deal[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const createdAt = T0 + Math.floor(rnd() * 1000) * HOUR;
    let t = createdAt;
    const history: StageVisit[] = [];
    for (let v = 0; v < visits; v++) {
      const stageId = v === visits - 1 && finalStage ? finalStage : OPEN[v % OPEN.length]!;
      const next = t + (1 + Math.floor(rnd() * 240)) * HOUR;
      history.push({
        pipelineId: 'new-cars', stageId, enteredAt: t, exitedAt: v === visits - 1 ? null : next,
        amount: 20000, probability: PROB[stageId]!, expectedRevenue: (20000 * PROB[stageId]!) / 100,
        closingDate: '2026-06-30', forecastCategory: 'pipeline', outcome: 'open', by: 'rep', bypassedRules: false,
      });
      if (v < visits - 1) t = next;
    }
    const last = history[history.length - 1]!;
    deals[i] = {
      id: `deal-${i}`, layoutId: 'sales', pipelineId: 'new-cars', stageId: last.stageId, name: `Deal ${i}`,
      amount: 20000, currency: 'EUR', probability: last.probability, closingDate: '2026-06-30', ownerId: 'rep',
      lostReason: null, fields: { source: 'web' }, createdAt, updatedAt: last.enteredAt, version: visits, history,
    };
  }
  return deals;
}

/** The instant after every generated change. */
export const LATER = T0 + 400 * 24 * HOUR;

type Ev = import('../src/index.js').DealEvent;

/** The events of `count` deals: each created, then moved through `moves` stages. */
export function makeEvents(count: number, moves = 7): Ev[][] {
  const streams: Ev[][] = new Array(count);
  for (let i = 0; i < count; i++) {
    const dealId = `deal-${i}`;
    let at = T0 + i * 1000;
    const events: Ev[] = [{
      type: 'dealCreated', id: `deal/1/0/${dealId}`, dealId, at, by: 'rep', version: 1, layoutId: 'sales', pipelineId: 'new-cars', stageId: 'requirements',
      name: `Deal ${i}`, amount: 20000, currency: 'EUR', probability: 10, closingDate: '2026-06-30', ownerId: 'rep', lostReason: null,
      fields: {}, forecastCategory: 'pipeline', outcome: 'open', bypassedRules: false,
    }];
    let from = 'requirements';
    for (let m = 1; m <= moves; m++) {
      const to = OPEN[m % OPEN.length]!;
      at += HOUR;
      events.push({
        type: 'dealStageChanged', id: `deal/${m + 1}/0/${dealId}`, dealId, at, by: 'rep', version: m + 1, reason: 'moveToStage',
        from: { layoutId: 'sales', pipelineId: 'new-cars', stageId: from, outcome: 'open' },
        to: { layoutId: 'sales', pipelineId: 'new-cars', stageId: to, outcome: 'open' },
        probability: PROB[to]!, forecastCategory: 'pipeline', lostReason: null, bypassedRules: false,
      });
      from = to;
    }
    streams[i] = events;
  }
  return streams;
}
