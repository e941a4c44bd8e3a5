// Deals for the period reports over the store: the 8-visit histories of bench/data.ts, reshaped so
// a funnel, a waterfall and dwell statistics have something to show. Every deal stays consistent:
// its visits snapshot the amount, probability and closing date in force when entered, its change
// log records each change of probability (at a move), amount and closing date, and its current
// fields are those of its last visit and latest changes.
import type { Deal, FieldChange, StageVisit } from '../src/index.js';
import { makeDeals } from './data.js';
import { PROBABILITY } from './sqliteBaselines.js';

const DAY = 86_400_000;
const OPEN = ['requirements', 'test-drive', 'quote', 'negotiation'] as const;
/** New-cars stages as the used-cars pipeline names them, for deals moved over. */
const USED: Record<string, string> = { requirements: 'show-models' };
const CATEGORY: Record<string, StageVisit['forecastCategory']> = {
  requirements: 'pipeline', 'show-models': 'pipeline', 'test-drive': 'pipeline', quote: 'best_case', negotiation: 'commit', won: 'closed', lost: 'omitted',
};

const month = (i: number, shift: number) => `2026-${String(((i + shift) % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;

/** A number in [0, n) drawn from deal i and a salt: each trait of a deal drawn independently of the others. */
function pick(i: number, salt: number, n: number): number {
  let h = Math.imul(i + 1, 2_654_435_761) ^ Math.imul(salt + 1, 40_503);
  h = Math.imul(h ^ (h >>> 15), 2_246_822_519);
  return ((h ^ (h >>> 13)) >>> 0) % n;
}

/**
 * `count` deals of 8 visits each; each deal, by traits drawn independently: its history starts
 * 50 days before, at, 50 or 100 days after that of bench/data.ts (so one quarter selects a part
 * and finds deals open at its start); it goes back and forth among the first 1 to 4 open stages of
 * New cars; one in nine moves to Used cars at its sixth visit; one in five ends won (lost when it
 * never reached quote), one in ten lost, the others stay open; one in seven has its amount raised
 * by 10% or cut by 20% during its fourth visit, one in six its closing date moved by five months
 * during its fifth; one in eight is in USD, the rest in EUR; 50 owners, closing dates over 2026,
 * amounts of every size.
 */
export function reportDeals(count: number): Deal[] {
  return makeDeals(count, 8).map((base, i) => {
    const shift = (pick(i, 1, 4) - 1) * 50 * DAY;
    const reach = pick(i, 2, 4);
    const close = pick(i, 3, 10);
    const outcome = close < 2 ? (reach >= 2 ? 'won' : 'lost') : close === 2 ? 'lost' : 'open';
    const amount0 = 1000 + ((i * 7919) % 100_000);
    const amended = pick(i, 4, 7) === 0;
    const amount1 = amended ? Math.round(amount0 * (pick(i, 5, 2) === 0 ? 1.1 : 0.8)) : amount0;
    const moved = pick(i, 6, 6) === 0;
    const closing0 = month(i, 0);
    const closing1 = moved ? month(i, 5) : closing0;
    const amountAt = amended ? base.history[3]!.enteredAt + shift + DAY / 48 : Infinity;
    const closingAt = moved ? base.history[4]!.enteredAt + shift + DAY / 48 : Infinity;
    const history = base.history.map((v, k): StageVisit => {
      const enteredAt = v.enteredAt + shift;
      const pipelineId = pick(i, 7, 9) === 0 && k >= 5 ? 'used-cars' : 'new-cars';
      const open = OPEN[k % (reach + 1)]!;
      const stageId = k === 7 && outcome !== 'open' ? outcome : pipelineId === 'used-cars' ? (USED[open] ?? open) : open;
      const probability = PROBABILITY[pipelineId]![stageId]!;
      const amount = enteredAt > amountAt ? amount1 : amount0;
      return {
        pipelineId, stageId, enteredAt, exitedAt: v.exitedAt === null ? null : v.exitedAt + shift, amount, probability, expectedRevenue: (amount * probability) / 100,
        closingDate: enteredAt > closingAt ? closing1 : closing0, forecastCategory: CATEGORY[stageId]!, outcome: stageId === 'won' || stageId === 'lost' ? stageId : 'open',
        by: 'rep', bypassedRules: false,
      };
    });
    const changes: FieldChange[] = [];
    for (let k = 1; k < history.length; k++) {
      const [a, b] = [history[k - 1]!, history[k]!];
      if (a.probability !== b.probability) changes.push({ at: b.enteredAt, by: 'rep', field: 'probability', from: a.probability, to: b.probability });
    }
    if (amountAt !== Infinity) changes.push({ at: amountAt, by: 'rep', field: 'amount', from: amount0, to: amount1 });
    if (closingAt !== Infinity) changes.push({ at: closingAt, by: 'rep', field: 'closingDate', from: closing0, to: closing1 });
    changes.sort((x, y) => x.at - y.at);
    const last = history[history.length - 1]!;
    return {
      ...base, pipelineId: last.pipelineId, stageId: last.stageId, amount: amount1, currency: pick(i, 8, 8) === 0 ? 'USD' : 'EUR', probability: last.probability,
      closingDate: closing1, ownerId: `owner-${i % 50}`, lostReason: last.outcome === 'lost' ? 'Price' : null, createdAt: base.createdAt + shift,
      updatedAt: Math.max(last.enteredAt, changes[changes.length - 1]?.at ?? 0), version: history.length + (amountAt === Infinity ? 0 : 1) + (closingAt === Infinity ? 0 : 1),
      history, changes,
    };
  });
}
