import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planBulkUpdate, suggestStageMap, type BulkChangeInput, type Deal, type Workspace } from '../../src/index.js';
import { arbScenario } from '../../src/testing.js';

// Bulk updates plan on deal tails (each deal with only its last visit) when the store hands them
// out. That is sound only while the reducers decide and apply every bulk change from the last
// visit alone: this property fails as soon as a rule or reducer reads an older visit.

/** The deal as `getTails` hands it out. */
const tailOf = (d: Deal): Deal => ({ ...d, history: d.history.slice(-1) });

/** Every bulk change worth trying on a workspace: moves to each stage and pipeline, closes, an update. */
function changes(ws: Workspace): BulkChangeInput[] {
  const out: BulkChangeInput[] = [
    { type: 'closeDeal', outcome: 'won' },
    { type: 'closeDeal', outcome: 'lost', lostReason: 'Price' },
    { type: 'closeDeal', outcome: 'lost' },
    { type: 'updateDeal', patch: { amount: 1234, closingDate: '2026-12-31' } },
    { type: 'updateDeal', patch: { probability: 42 }, bypassRules: true },
  ];
  for (const layout of ws.layouts) {
    for (const p of layout.pipelines) {
      for (const s of p.stages) out.push({ type: 'moveToStage', stageId: s.stageId }, { type: 'moveToStage', stageId: s.stageId, lostReason: 'Price', bypassRules: true });
      for (const q of layout.pipelines) {
        let stageMap: Record<string, string> | undefined;
        try {
          stageMap = suggestStageMap(ws, p.id, q.id);
        } catch {
          stageMap = undefined;
        }
        out.push({ type: 'moveToPipeline', pipelineId: q.id, ...(stageMap ? { stageMap } : {}) });
      }
    }
  }
  return out;
}

describe('planning on deal tails', () => {
  it('gives the same verdicts, events and deals as planning on whole deals', () => {
    const seen = { updated: 0, rejected: 0, multiVisit: 0 };
    fc.assert(
      fc.property(arbScenario({ maxDeals: 6, maxSteps: 25 }), fc.boolean(), ({ workspace, deals, now }, atomic) => {
        const tails = deals.map(tailOf);
        for (const change of changes(workspace)) {
          const ctx = { at: now, by: 'manager', mode: atomic ? ('atomic' as const) : ('bestEffort' as const) };
          const whole = planBulkUpdate(workspace, deals, change, ctx);
          const fromTails = planBulkUpdate(workspace, tails, change, ctx);
          expect(fromTails.unchanged).toEqual(whole.unchanged);
          expect(fromTails.rejected.map((r) => [r.dealId, r.error.code, r.error.message])).toEqual(whole.rejected.map((r) => [r.dealId, r.error.code, r.error.message]));
          expect(fromTails.updated.map((u) => u.events)).toEqual(whole.updated.map((u) => u.events));
          // The tail's planned history, after the visits before its start, is the whole deal's.
          const byId = new Map(deals.map((d) => [d.id, d]));
          const rebuilt = fromTails.updated.map(({ deal }) => {
            const before = byId.get(deal.id)!.history;
            return { ...deal, history: [...before.slice(0, before.length - 1), ...deal.history] };
          });
          expect(rebuilt).toEqual(whole.updated.map((u) => u.deal));
          seen.updated += whole.updated.length;
          seen.rejected += whole.rejected.length;
          seen.multiVisit += whole.updated.filter((u) => u.deal.history.length > 2).length;
        }
      }),
      { numRuns: 60 },
    );
    // The property saw moves of deals with earlier visits, and refusals.
    expect(seen.updated).toBeGreaterThan(100);
    expect(seen.rejected).toBeGreaterThan(10);
    expect(seen.multiVisit).toBeGreaterThan(10);
  }, 120_000);
});
