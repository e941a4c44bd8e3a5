import { describe, expect, it } from 'vitest';
import { applyDeal, slippage, type Deal } from '../../src/index.js';
import { dealerWorkspace } from '../../examples/dealership.js';

const ws = dealerWorkspace();
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

/** A deal whose closing date was pushed by a day `n` times, one hour apart. */
function serialSlipper(n: number): Deal {
  let deal = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', name: 'SUV', closingDate: '2026-02-01' } }, { at: T0 }).deal;
  for (let i = 1; i <= n; i++) {
    const closingDate = new Date(Date.UTC(2026, 1, 1) + i * DAY).toISOString().slice(0, 10);
    deal = applyDeal(ws, deal, { type: 'updateDeal', patch: { closingDate } }, { at: T0 + i * 3_600_000 }).deal;
  }
  return deal;
}

/** How many entries of the change log `slippage` reads for a deal of `n` pushes. */
function logReads(n: number): { reads: number; pushes: number } {
  const deal = serialSlipper(n);
  let reads = 0;
  const changes = new Proxy([...deal.changes!], {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  const result = slippage([{ ...deal, changes } as Deal], { from: T0, to: T0 + 365 * DAY });
  return { reads, pushes: result.totals.pushes };
}

describe('slippage on a long change log', () => {
  it('reads each logged change a bounded number of times, however long the log', () => {
    const small = logReads(200);
    const large = logReads(800);
    expect(small.pushes).toBe(200);
    expect(large.pushes).toBe(800);
    // Linear: four times the log, about four times the reads (quadratic would be sixteen).
    expect(large.reads / small.reads).toBeLessThan(5);
    expect(large.reads).toBeLessThan(800 * 10);
  });
});
