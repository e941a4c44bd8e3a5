import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, checkTransition, decideDeal, evolveDeal, isPipelineError, type Deal, type Workspace } from '../../src/index.js';
import { arbScenario } from '../../src/testing.js';

// Allowed moves take a shorter path (one step from command to moved deal, rule verdicts
// remembered per pipeline); its answers must be those of the general path, move for move.

/** A copy of the workspace: a new object, so its rule verdicts are judged afresh. */
const fresh = (ws: Workspace): Workspace => structuredClone(ws);

function stageIdsOf(ws: Workspace, deal: Deal): string[] {
  const layout = ws.layouts.find((l) => l.id === deal.layoutId)!;
  const pipeline = layout.pipelines.find((p) => p.id === deal.pipelineId);
  return pipeline ? pipeline.stages.map((x) => x.stageId) : layout.stages.map((x) => x.id);
}

function outcomeOf<T>(f: () => T): { value: T } | { code: string; message: string } {
  try {
    return { value: f() };
  } catch (e) {
    expect(isPipelineError(e), String(e)).toBe(true);
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
}

describe('remembered rule verdicts and the one-step move', () => {
  it('checkTransition answers the same on a workspace asked many times and on a fresh copy of it', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 4 }), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { minLength: 1, maxLength: 12 }), (s, asks) => {
        for (const [pick, target, reason] of asks) {
          const deal = s.deals[pick % Math.max(1, s.deals.length)];
          if (!deal) return;
          const stageIds = stageIdsOf(s.workspace, deal);
          const stageId = stageIds[target % stageIds.length]!;
          const t = reason ? { stageId, lostReason: 'Price' } : { stageId };
          expect(checkTransition(s.workspace, deal, t)).toEqual(checkTransition(fresh(s.workspace), deal, t));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('applyDeal(moveToStage) returns what decideDeal then evolveDeal return, or the same refusal', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 4 }), fc.nat(), fc.nat(), fc.boolean(), fc.integer({ min: -1, max: 5 }), (s, pick, target, bypass, hours) => {
        const deal = s.deals[pick % Math.max(1, s.deals.length)];
        if (!deal) return;
        const stageIds = stageIdsOf(s.workspace, deal);
        const stageId = stageIds[target % stageIds.length]!;
        const command = { type: 'moveToStage', stageId, ...(bypass ? { bypassRules: true } : {}) } as const;
        const ctx = { at: deal.updatedAt + hours * 3_600_000, by: 'rep' };
        const fast = outcomeOf(() => applyDeal(s.workspace, deal, command, ctx));
        const general = outcomeOf(() => {
          const events = decideDeal(fresh(s.workspace), deal, command, ctx);
          return { deal: events.reduce<Deal>((d, e) => evolveDeal(d, e), deal), events };
        });
        expect(fast).toEqual(general);
      }),
      { numRuns: 300 },
    );
  });

  it('a verdict handed out cannot be changed to alter later answers', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 3 }), fc.nat(), fc.nat(), (s, pick, target) => {
        const deal = s.deals[pick % Math.max(1, s.deals.length)];
        if (!deal) return;
        const stageIds = stageIdsOf(s.workspace, deal);
        const stageId = stageIds[target % stageIds.length]!;
        const first = checkTransition(s.workspace, deal, { stageId });
        const expected = structuredClone(first);
        first.violations.length = 0;
        first.violations.push({ code: 'not_closed', message: 'changed by the host' });
        expect(checkTransition(s.workspace, deal, { stageId })).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
