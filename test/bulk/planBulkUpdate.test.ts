import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, isPipelineError, planBulkUpdate, type BulkChangeInput, type Deal } from '../../src/index.js';
import { arbScenario, checkInvariants } from '../../src/testing.js';
import { DAY, T0, newDeal, step, ws } from '../helpers/dealer.js';
import { deepFreeze, expectPipelineError } from '../helpers/expectError.js';

const at = T0 + 10 * DAY;
const deals = (): Deal[] => [
  newDeal({ id: 'a' }),
  step(newDeal({ id: 'b' }), { type: 'moveToStage', stageId: 'test-drive' }),
  newDeal({ id: 'c', pipelineId: 'used-cars' }),
];

describe('planBulkUpdate', () => {
  it('moves deals to another pipeline with a stage map, like single moves', () => {
    const input = deals();
    const change: BulkChangeInput = { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } };
    const plan = planBulkUpdate(ws, input, change, { at, by: 'manager', mode: 'bestEffort' });
    expect(plan.updated.map((u) => [u.deal.id, u.deal.stageId])).toEqual([['a', 'show-models'], ['b', 'test-drive']]);
    expect(plan.unchanged).toEqual(['c']);
    expect(plan.rejected).toEqual([]);
    expect(plan.updated[0]).toEqual(applyDeal(ws, input[0]!, change, { at, by: 'manager' }));
  });

  it('updates probability and history on a bulk stage change', () => {
    const plan = planBulkUpdate(ws, deals().slice(0, 1), { type: 'closeDeal', outcome: 'lost', lostReason: 'Budget' }, { at, mode: 'atomic' });
    const deal = plan.updated[0]!.deal;
    expect(deal).toMatchObject({ stageId: 'lost', probability: 0, lostReason: 'Budget', version: 2 });
    expect(deal.history.at(-1)).toMatchObject({ stageId: 'lost', probability: 0, enteredAt: at });
  });

  it('lists rejections with their errors and keeps going in bestEffort mode', () => {
    const plan = planBulkUpdate(ws, deals(), { type: 'moveToStage', stageId: 'test-drive' }, { at, mode: 'bestEffort' });
    expect(plan.updated.map((u) => u.deal.id)).toEqual(['a', 'c']);
    expect(plan.unchanged).toEqual(['b']);
    expect(plan.rejected.map((r) => [r.dealId, r.error.code])).toEqual([]);
    const skip = planBulkUpdate(ws, deals(), { type: 'moveToStage', stageId: 'quote' }, { at, mode: 'bestEffort' });
    expect(skip.rejected.map((r) => [r.dealId, r.error.code])).toEqual([['a', 'transition_not_allowed'], ['b', 'required_fields_missing']]);
    expect(skip.updated.map((u) => u.deal.id)).toEqual(['c']);
  });

  it('updates nothing in atomic mode when one deal is rejected', () => {
    const plan = planBulkUpdate(ws, deals(), { type: 'moveToStage', stageId: 'quote' }, { at, mode: 'atomic' });
    expect(plan.updated).toEqual([]);
    expect(plan.aborted).toBe(true);
    expect(plan.rejected.map((r) => r.dealId)).toEqual(['a', 'b']);
    expect(plan.unchanged).toEqual(['c']);
  });

  it('refuses duplicate ids, a malformed change or mode, with invalid_input', () => {
    const [a] = deals();
    expectPipelineError(() => planBulkUpdate(ws, [a!, a!], { type: 'moveToStage', stageId: 'quote' }, { at, mode: 'atomic' }), 'invalid_input');
    expectPipelineError(() => planBulkUpdate(ws, [a!], { type: 'reopenDeal', stageId: 'quote' } as never, { at, mode: 'atomic' }), 'invalid_input');
    expectPipelineError(() => planBulkUpdate(ws, [a!], { type: 'moveToStage', stageId: 'quote' }, { at, mode: 'sometimes' } as never), 'invalid_input');
    expectPipelineError(() => planBulkUpdate(ws, 'x' as never, { type: 'moveToStage', stageId: 'quote' }, { at, mode: 'atomic' }), 'invalid_input');
  });

  it('rejects a deal whose last change is later than ctx.at', () => {
    const plan = planBulkUpdate(ws, deals(), { type: 'updateDeal', patch: { ownerId: 'bob' } }, { at: T0, mode: 'bestEffort' });
    expect(plan.rejected.map((r) => [r.dealId, r.error.code])).toEqual([['b', 'time_went_backwards']]);
  });
});

const arbChange = (stageIds: string[], pipelineIds: string[]): fc.Arbitrary<BulkChangeInput> =>
  fc.oneof(
    fc.record({ type: fc.constant('moveToStage' as const), stageId: fc.constantFrom(...stageIds) }),
    fc.record({ type: fc.constant('moveToPipeline' as const), pipelineId: fc.constantFrom(...pipelineIds), stageId: fc.constantFrom(...stageIds) }),
    fc.record({ type: fc.constant('closeDeal' as const), outcome: fc.constantFrom('won' as const, 'lost' as const) }),
    fc.record({ type: fc.constant('updateDeal' as const), patch: fc.record({ amount: fc.integer({ min: 0, max: 1000 }) }) }),
  );

describe('planBulkUpdate properties', () => {
  const scenarioAndChange = arbScenario({ maxDeals: 8, maxSteps: 15 }).chain((s) => {
    const stageIds = s.workspace.layouts.flatMap((l) => l.stages.map((x) => x.id));
    const pipelineIds = s.workspace.layouts.flatMap((l) => l.pipelines.map((p) => p.id));
    return fc.tuple(fc.constant(s), arbChange(stageIds, pipelineIds.length > 0 ? pipelineIds : ['none']), fc.constantFrom('atomic' as const, 'bestEffort' as const));
  });

  it('partitions the input: updated, rejected and unchanged are disjoint, cover it, in input order', () => {
    fc.assert(
      fc.property(scenarioAndChange, ([s, change, mode]) => {
        const plan = planBulkUpdate(s.workspace, deepFreeze(s.deals), change, { at: s.now, mode });
        const ids = [...plan.updated.map((u) => u.deal.id), ...plan.rejected.map((r) => r.dealId), ...plan.unchanged];
        expect([...ids].sort()).toEqual(s.deals.map((d) => d.id).sort());
        const order = new Map(s.deals.map((d, i) => [d.id, i]));
        for (const list of [plan.updated.map((u) => u.deal.id), plan.rejected.map((r) => r.dealId), plan.unchanged]) {
          expect(list.map((id) => order.get(id))).toEqual([...list.map((id) => order.get(id))].sort((x, y) => x! - y!));
        }
        if (mode === 'atomic' && plan.rejected.length > 0) expect(plan.updated).toEqual([]);
        expect(checkInvariants(s.workspace, plan.updated.map((u) => u.deal), { now: s.now })).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('does to each deal exactly what the single command does', () => {
    fc.assert(
      fc.property(scenarioAndChange, ([s, change]) => {
        const plan = planBulkUpdate(s.workspace, s.deals, change, { at: s.now, by: 'm', mode: 'bestEffort' });
        const updated = new Map(plan.updated.map((u) => [u.deal.id, u]));
        const rejected = new Map(plan.rejected.map((r) => [r.dealId, r.error]));
        for (const deal of s.deals) {
          let single: ReturnType<typeof applyDeal> | undefined;
          try {
            single = applyDeal(s.workspace, deal, change, { at: s.now, by: 'm' });
          } catch (e) {
            expect(isPipelineError(e)).toBe(true);
            expect(rejected.get(deal.id)?.code).toBe((e as { code: string }).code);
            continue;
          }
          if (single.events.length === 0) expect(plan.unchanged).toContain(deal.id);
          else expect(updated.get(deal.id)).toEqual(single);
        }
      }),
      { numRuns: 200 },
    );
  });
});
