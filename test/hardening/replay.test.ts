import { describe, expect, it } from 'vitest';
import { applyDeal, replayDeal, type DealEvent } from '../../src/index.js';
import { newDeal, T0, ws } from '../helpers/dealer.js';

describe('replayDeal on one long deal', () => {
  it('gives the deal the commands produced, over thousands of stage changes and updates', () => {
    let deal = newDeal({ amount: 1000, closingDate: '2026-06-30' });
    const events: DealEvent[] = [];
    const created = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', name: 'Family SUV', amount: 1000, closingDate: '2026-06-30' } }, { at: T0, by: 'ann' });
    deal = created.deal;
    events.push(...created.events);
    const cycle = ['test-drive', 'requirements'] as const;
    for (let i = 0; i < 3000; i++) {
      const command = i % 5 === 4 ? { type: 'updateDeal' as const, patch: { amount: 1000 + i, fields: { n: i } } } : { type: 'moveToStage' as const, stageId: cycle[i % 2]! };
      const step = applyDeal(ws, deal, command, { at: T0 + i + 1, by: 'ann' });
      deal = step.deal;
      events.push(...step.events);
    }
    expect(deal.history.length).toBeGreaterThan(1500);
    expect(replayDeal(events)).toEqual(deal);
  });

  it('does not share its history with the events or a previous replay', () => {
    const created = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', name: 'X' } }, { at: T0 });
    const moved = applyDeal(ws, created.deal, { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + 1 });
    const events = [...created.events, ...moved.events];
    const a = replayDeal(events);
    const b = replayDeal(events);
    expect(a).toEqual(b);
    expect(a.history).not.toBe(b.history);
    expect(created.deal.history).toHaveLength(1);
  });
});
