import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timeInStages } from '../../src/index.js';
import { fromHubSpot, fromPipedrive, toHubSpotTimeProperties } from '../../src/import.js';
import { expectValid } from './helpers.js';
import { arbHubDeals, arbPdDeals, hubDeal, hubPipelines, pdSetup } from './vendorArbitraries.js';

// For every vendor that publishes its own dwell figures: import a payload made from a random
// true history (with revisits), recompute, and get the vendor's figures back.

describe("HubSpot's hs_v2 figures", () => {
  it('come back for every stage of every deal, no figure_mismatch is raised, and without a warning the history is the shortest that fits: the true one when it is that short', () => {
    fc.assert(
      fc.property(arbHubDeals, (list) => {
        const r = fromHubSpot({ pipelines: hubPipelines, deals: { results: list.map((x) => hubDeal(x.truth, x.withHistory, x.currency)) } });
        expectValid(r);
        expect(r.warnings.filter((w) => w.code === 'figure_mismatch')).toEqual([]);
        list.forEach((x, i) => {
          const deal = r.deals[i]!;
          const open = x.truth.stays[x.truth.stays.length - 1]!;
          const rows = timeInStages(deal, { now: open.start });
          const ours = toHubSpotTimeProperties(deal);
          for (const s of new Set(x.truth.stays.filter((v) => v.end !== null).map((v) => v.stageId))) {
            const done = x.truth.stays.filter((v) => v.stageId === s && v.end !== null);
            expect(rows.filter((row) => row.stageId === s).reduce((t, row) => t + row.cumulativeMs, 0)).toBe(done.reduce((t, v) => t + v.end! - v.start, 0));
            expect(ours[`hs_v2_latest_time_in_${s}`]).toBe(String(done[done.length - 1]!.end! - done[done.length - 1]!.start));
          }
          const doubted = r.warnings.some((w) => w.code === 'history_approximated' && w.path.startsWith(`payload.deals.results[${i}]`));
          if (x.withHistory) expect(doubted).toBe(false);
          if (doubted) return;
          expect(deal.history.length).toBeLessThanOrEqual(x.truth.stays.length);
          if (deal.history.length === x.truth.stays.length) expect(deal.history.map((v) => [v.stageId, v.enteredAt])).toEqual(x.truth.stays.map((v) => [v.stageId, v.start]));
        });
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it('raise figure_mismatch exactly where a reported figure disagrees with the history', () => {
    fc.assert(
      fc.property(arbHubDeals, fc.nat(), fc.integer({ min: 1001, max: 86_400_000 }), (list, pick, delta) => {
        const deals = list.map((x) => hubDeal(x.truth, true, 'USD'));
        const i = pick % deals.length;
        const props = deals[i]!.properties as Record<string, string>;
        const key = Object.keys(props).find((k) => k.startsWith('hs_v2_cumulative_time_in_'));
        fc.pre(key !== undefined);
        props[key!] = String(Number(props[key!]) + delta);
        const r = fromHubSpot({ pipelines: hubPipelines, deals: deals });
        expect(r.warnings.filter((w) => w.code === 'figure_mismatch').map((w) => w.path)).toEqual([`payload.deals[${i}].properties.${key}`]);
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});

describe("Pipedrive's stay_in_pipeline_stages", () => {
  it('comes back for every stage of every deal (the open stay of an open deal aside), with no figure_mismatch', () => {
    fc.assert(
      fc.property(arbPdDeals, (list) => {
        const r = fromPipedrive({ ...pdSetup, deals: { data: list.map((x) => x.deal) }, flows: Object.fromEntries(list.map((x) => [String(x.deal.id), x.flow])) });
        expectValid(r);
        expect(r.warnings.filter((w) => w.code === 'figure_mismatch')).toEqual([]);
        list.forEach((x, i) => {
          const deal = r.deals[i]!;
          const rows = timeInStages(deal, { now: deal.updatedAt });
          const times = (x.deal.stay_in_pipeline_stages as { times_in_stages: Record<string, number> }).times_in_stages;
          for (const [stageId, seconds] of Object.entries(times)) {
            if (x.deal.status === 'open' && stageId === String(x.deal.stage_id)) continue;
            expect([deal.id, stageId, rows.filter((row) => row.stageId === stageId).reduce((t, row) => t + row.cumulativeMs, 0) / 1000]).toEqual([deal.id, stageId, seconds]);
          }
        });
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it('raises figure_mismatch exactly where a reported stay disagrees with the flow', () => {
    fc.assert(
      fc.property(arbPdDeals, fc.nat(), fc.integer({ min: 2, max: 86_400 }), (list, pick, delta) => {
        const i = pick % list.length;
        const x = list[i]!;
        const times = (x.deal.stay_in_pipeline_stages as { times_in_stages: Record<string, number> }).times_in_stages;
        const stageId = Object.keys(times).find((s) => !(x.deal.status === 'open' && s === String(x.deal.stage_id)));
        fc.pre(stageId !== undefined);
        times[stageId!]! += delta;
        const r = fromPipedrive({ ...pdSetup, deals: list.map((y) => y.deal), flows: Object.fromEntries(list.map((y) => [String(y.deal.id), y.flow])) });
        expect(r.warnings.filter((w) => w.code === 'figure_mismatch').map((w) => w.path)).toEqual([`payload.deals[${i}].stay_in_pipeline_stages.times_in_stages.${stageId}`]);
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
