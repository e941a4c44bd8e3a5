import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, checkTransition, decideDeal, isPipelineError, replayDeal, type Deal, type DealEvent } from '../../src/index.js';
import { arbScenario, arbWorkspace, checkInvariants, stepCommand, type ScenarioStep } from '../../src/testing.js';
import { deepFreeze } from '../helpers/expectError.js';

const HOUR = 3_600_000;

const arbStep: fc.Arbitrary<ScenarioStep> = fc.record({
  kind: fc.constantFrom<ScenarioStep['kind']>('create', 'moveToStage', 'moveToStage', 'moveToPipeline', 'closeWon', 'closeLost', 'reopen', 'update'),
  deal: fc.nat(),
  target: fc.nat(),
  days: fc.integer({ min: -2, max: 30 }),
  bypass: fc.boolean(),
  amount: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null }),
  reason: fc.boolean(),
});

describe('deal reducer properties', () => {
  it('arbScenario produces deals that satisfy invariants 1-6', () => {
    fc.assert(
      fc.property(arbScenario(), ({ workspace, deals, now }) => {
        expect(checkInvariants(workspace, deals, { now })).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('over mixed valid and invalid commands: invariants hold, versions rise by one, refusals change nothing, replay equals', () => {
    fc.assert(
      fc.property(arbWorkspace({ minLayouts: 2, maxLayouts: 2, maxPipelines: 3 }), fc.array(arbStep, { minLength: 1, maxLength: 40 }), (ws, steps) => {
        deepFreeze(ws);
        let deal: Deal | null = null;
        const events: DealEvent[] = [];
        let at = Date.UTC(2026, 0, 1);
        for (const step of steps) {
          at += step.days * HOUR;
          const command = stepCommand(ws, deal, step, 'd1');
          const before: Deal | null = deal === null ? null : deepFreeze(deal);
          const snapshot = JSON.stringify(before);
          try {
            const r = applyDeal(ws, before, command, { at, by: 'rep' });
            if (r.events.length === 0) expect(r.deal).toBe(before);
            else expect(r.deal.version).toBe((before?.version ?? 0) + 1);
            events.push(...r.events);
            deal = r.deal;
          } catch (e) {
            expect(isPipelineError(e), String(e)).toBe(true);
            if (deal !== null && step.kind === 'create') expect(isPipelineError(e, 'duplicate_id')).toBe(true);
          }
          expect(JSON.stringify(before)).toBe(snapshot);
          if (deal !== null) {
            expect(checkInvariants(ws, [deal], { now: Math.max(at, deal.updatedAt) })).toEqual([]);
          }
        }
        if (deal !== null) expect(replayDeal(events)).toEqual(deal);
      }),
      { numRuns: 300 },
    );
  });

  it('a move is accepted exactly when checkTransition allows it (or rules are bypassed)', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 3 }), fc.nat(), fc.nat(), (s, pick, target) => {
        const deal = s.deals[pick % Math.max(1, s.deals.length)];
        if (!deal) return;
        const layout = s.workspace.layouts.find((l) => l.id === deal.layoutId)!;
        const pipeline = layout.pipelines.find((p) => p.id === deal.pipelineId);
        const stageIds = pipeline ? pipeline.stages.map((x) => x.stageId) : layout.stages.map((x) => x.id);
        const stageId = stageIds[target % stageIds.length]!;
        const check = checkTransition(s.workspace, deal, { stageId, lostReason: 'Price' });
        let accepted = true;
        try {
          applyDeal(s.workspace, deal, { type: 'moveToStage', stageId, ...(lostStage(layout, stageId) ? { lostReason: 'Price' } : {}) }, { at: s.now });
        } catch (e) {
          expect(isPipelineError(e)).toBe(true);
          accepted = false;
        }
        expect(accepted).toBe(check.allowed);
      }),
      { numRuns: 300 },
    );
  });

  it('junk commands and contexts of any shape give a PipelineError, never another exception', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 2, maxSteps: 5 }), fc.anything(), fc.anything(), (s, junk, junkCtx) => {
        const deal = s.deals[0] ?? null;
        for (const run of [
          () => decideDeal(s.workspace, deal, junk as never, { at: s.now }),
          () => applyDeal(s.workspace, deal, { type: 'moveToStage', stageId: 'x' }, junkCtx as never),
          () => applyDeal(s.workspace, junk as never, { type: 'updateDeal', patch: { amount: 1 } }, { at: s.now }),
          () => applyDeal(s.workspace, deal, { type: 'updateDeal', patch: { fields: junk } } as never, { at: s.now }),
          () => replayDeal(junk as never),
          () => checkTransition(s.workspace, junk as never, junkCtx as never),
        ]) {
          try {
            run();
          } catch (e) {
            expect(isPipelineError(e), String(e)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

function lostStage(layout: { stages: { id: string; outcome: string }[] }, stageId: string): boolean {
  return layout.stages.find((s) => s.id === stageId)?.outcome === 'lost';
}
