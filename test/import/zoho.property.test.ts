import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timeInStages } from '../../src/index.js';
import { fromZoho } from '../../src/import.js';
import { DAY, trueDeals, zohoDeal, zohoDays, zohoSetup, zohoStage } from './arbitraries.js';
import { expectValid, lastInstant } from './helpers.js';

// Zoho publishes its own dwell figure (Duration_Days) on every history row. Importing and then
// recomputing gives that figure for every stay the payload determines, and `figure_mismatch`
// marks exactly the rows where the figure and the history disagree.

describe('fromZoho and Duration_Days', () => {
  it('recomputes Zoho\'s figure for every stage of every deal, and warns only where it differs', () => {
    fc.assert(
      fc.property(trueDeals(), fc.boolean(), (truth, flat) => {
        const exported = truth.map(zohoDeal);
        const stageHistory = flat ? { data: exported.flatMap((e) => e.rows) } : Object.fromEntries(exported.map((e) => [e.deal.id, { data: e.rows }]));
        const result = fromZoho({ ...zohoSetup(), deals: { data: exported.map((e) => e.deal) }, stageHistory });
        expectValid(result);
        const wrong: string[] = [];
        truth.forEach((t, i) => {
          const deal = result.deals[i]!;
          // The history is the true one: every stay, revisits included, in the order it happened.
          expect(deal.history.map((v) => [v.stageId, v.enteredAt])).toEqual(t.visits.map((v) => [zohoStage(v.stage), v.at]));
          // Per stay: the imported dwell gives Zoho's whole days.
          deal.history.forEach((v, j) => {
            if (v.exitedAt !== null) expect(zohoDays(v.enteredAt, v.exitedAt)).toBe(zohoDays(t.visits[j]!.at, t.visits[j + 1]!.at));
          });
          // Per stage, as timeInStages recomputes it: the stages left after one stay give the figure.
          const now = lastInstant(result);
          for (const row of timeInStages(deal, { now })) {
            const stays = t.visits.map((v, j) => ({ v, j })).filter(({ v, j }) => zohoStage(v.stage) === row.stageId && t.visits[j + 1]);
            const total = stays.reduce((sum, { j }) => sum + zohoDays(t.visits[j]!.at, t.visits[j + 1]!.at), 0);
            if (!row.current && stays.length === row.visits && row.visits === 1) expect(Math.floor(row.cumulativeMs / DAY)).toBe(total);
          }
          t.corrupt.forEach((bad, j) => {
            if (!bad) return;
            const rowIndex = t.visits.length - 1 - j;
            wrong.push(flat ? `${exported.slice(0, i).reduce((n, e) => n + e.rows.length, 0) + rowIndex}` : `${t.id}.data[${rowIndex}]`);
          });
        });
        const warned = result.warnings.filter((w) => w.code === 'figure_mismatch').map((w) => flat ? /\[(\d+)\]/.exec(w.path)![1]! : w.path.replace('payload.stageHistory.', '').replace('.Duration_Days', ''));
        expect(warned.sort()).toEqual(wrong.sort());
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
