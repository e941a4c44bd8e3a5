import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowedStages,
  stageOptions,
  applyDeal,
  checkTransition,
  createMemoryRepositories,
  createPipelineService,
  isPipelineError,
  suggestStageMap,
  type Deal,
} from '../../src/index.js';
import { arbScenario, arbWorkspace, checkInvariants, stepCommand, type ScenarioStep } from '../../src/testing.js';

const arbStep: fc.Arbitrary<ScenarioStep> = fc.record({
  kind: fc.constantFrom<ScenarioStep['kind']>('create', 'moveToStage', 'moveToPipeline', 'closeWon', 'closeLost', 'reopen', 'update'),
  deal: fc.nat(),
  target: fc.nat(),
  days: fc.integer({ min: 0, max: 5 }),
  bypass: fc.constant(false),
  amount: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: null }),
  reason: fc.boolean(),
});

describe('consistency between the parts of the API', () => {
  it('allowedStages lists exactly the other stages checkTransition allows', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 4 }), ({ workspace, deals }) => {
        for (const deal of deals) {
          const layout = workspace.layouts.find((l) => l.id === deal.layoutId)!;
          const pipeline = layout.pipelines.find((p) => p.id === deal.pipelineId);
          const stageIds = pipeline ? pipeline.stages.map((s) => s.stageId) : layout.stages.map((s) => s.id);
          const expected = stageIds.filter((stageId) => stageId !== deal.stageId && checkTransition(workspace, deal, { stageId }).allowed);
          expect(allowedStages(workspace, deal)).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('stageOptions agrees with allowedStages and checkTransition, and its needs are what lifts the violations', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 4 }), ({ workspace, deals }) => {
        for (const deal of deals) {
          const allowed = new Set(allowedStages(workspace, deal));
          for (const option of stageOptions(workspace, deal)) {
            const { stageId } = option;
            const noNeeds = !option.needs.lostReason && option.needs.fields.length === 0;
            expect(allowed.has(stageId), stageId).toBe(stageId !== deal.stageId && option.allowed && noNeeds);
            expect(option.violations).toEqual(checkTransition(workspace, deal, { stageId }).violations);
            const onlyNeeds = option.violations.length > 0 && option.violations.every((v) => v.needs !== undefined);
            if (onlyNeeds && option.needs.fields.length === 0) {
              expect(checkTransition(workspace, deal, { stageId, lostReason: 'Price' }).allowed).toBe(true);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('suggestStageMap maps every stage of one pipeline to a stage of the other', () => {
    fc.assert(
      fc.property(arbWorkspace({ maxPipelines: 3 }), (ws) => {
        const pipelines = ws.layouts.flatMap((l) => l.pipelines);
        for (const from of pipelines) {
          for (const to of pipelines) {
            const map = suggestStageMap(ws, from.id, to.id);
            expect(Object.keys(map)).toEqual(from.stages.map((s) => s.stageId));
            const targets = new Set(to.stages.map((s) => s.stageId));
            for (const target of Object.values(map)) expect(targets.has(target)).toBe(true);
            if (from.id === to.id) for (const [k, v] of Object.entries(map)) expect(v).toBe(k);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the service on the memory store ends where the pure reducers end, command for command', async () => {
    await fc.assert(
      fc.asyncProperty(arbWorkspace({ minLayouts: 2, maxLayouts: 2 }), fc.array(arbStep, { maxLength: 25 }), async (ws, steps) => {
        let now = Date.UTC(2026, 0, 1);
        const repos = createMemoryRepositories({ workspace: ws });
        const service = createPipelineService({ ...repos, clock: () => now });
        const model = new Map<string, Deal>();
        for (const [i, step] of steps.entries()) {
          now += step.days * 3_600_000;
          const ids = [...model.keys()];
          const id = ids.length === 0 || step.kind === 'create' ? `d${i}` : ids[step.deal % ids.length]!;
          const current = model.get(id) ?? null;
          const command = stepCommand(ws, current, step, id);
          let expected: Deal | null = null;
          let expectedCode: string | null = null;
          try {
            expected = applyDeal(ws, current, command, { at: now, by: 'rep' }).deal;
          } catch (e) {
            expectedCode = (e as { code: string }).code;
          }
          const actual = await (command.type === 'createDeal'
            ? service.createDeal(command.deal, { by: 'rep' })
            : service.dispatch(id, command, { by: 'rep' })
          ).then((d) => d, (e: unknown) => {
            expect(isPipelineError(e)).toBe(true);
            return (e as { code: string }).code;
          });
          if (expected) {
            expect(actual).toEqual(expected);
            model.set(expected.id, expected);
          } else expect(actual).toBe(expectedCode);
        }
        const stored = (await repos.deals.list({ limit: 1000, include: ['history', 'changes'] })).deals;
        expect(stored).toEqual([...model.values()].sort((a, b) => (a.id < b.id ? -1 : 1)));
        expect(checkInvariants(ws, stored, { now })).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
