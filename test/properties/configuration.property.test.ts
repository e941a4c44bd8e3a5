import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyWorkspace, configurationOf, planConfiguration, type DesiredConfiguration, type Layout, type Workspace } from '../../src/index.js';
import { arbWorkspace, checkInvariants } from '../../src/testing.js';

const apply = (ws: Workspace, desired: DesiredConfiguration): Workspace =>
  planConfiguration(ws, desired).reduce((w, c) => applyWorkspace(w, c, { at: 0, by: 'admin' }).workspace, ws);

/** A layout's configuration, without versions and with pipelines in id order (creation order is history). */
const shape = (l: Layout) => ({
  id: l.id,
  name: l.name,
  stages: l.stages,
  defaultPipelineId: l.defaultPipelineId,
  pipelines: [...l.pipelines].sort((x, y) => (x.id < y.id ? -1 : 1)),
});

/**
 * `b` made reachable from `a`: a stage of `b` that shares its id with a stage of `a` of another
 * outcome gets a new id (an outcome never changes), and every stage `a` has and `b` lacks is
 * replaced by the layout's first stage, which arbWorkspace always makes open.
 */
function reachable(a: Workspace, b: Workspace): { target: Workspace; desired: DesiredConfiguration } {
  let text = JSON.stringify(b);
  for (const lb of b.layouts) {
    const la = a.layouts.find((l) => l.id === lb.id);
    for (const s of lb.stages) {
      const other = la?.stages.find((t) => t.id === s.id);
      if (other && other.outcome !== s.outcome) text = text.replaceAll(`"${s.id}"`, `"${s.id}-${s.outcome}"`);
    }
  }
  const target = JSON.parse(text) as Workspace;
  const desired = configurationOf(target);
  for (const layout of desired.layouts) {
    const before = a.layouts.find((l) => l.id === layout.id);
    const removed = (before?.stages ?? []).filter((s) => !layout.stages.some((t) => t.id === s.id));
    if (removed.length > 0) layout.stageReplacements = Object.fromEntries(removed.map((s) => [s.id, layout.stages[0]!.id]));
  }
  return { target, desired };
}

describe('planConfiguration (properties)', () => {
  it('plans nothing for a workspace’s own configuration', () => {
    fc.assert(
      fc.property(arbWorkspace({ maxLayouts: 3 }), (ws) => {
        expect(planConfiguration(ws, configurationOf(ws))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it('turns any workspace’s configuration into any other’s, and then plans nothing', () => {
    fc.assert(
      fc.property(arbWorkspace({ maxLayouts: 3 }), arbWorkspace({ maxLayouts: 3 }), (a, b) => {
        const { target, desired } = reachable(a, b);
        const after = apply(a, desired);
        expect(checkInvariants(after, [], { now: 0 })).toEqual([]);
        for (const wanted of target.layouts) {
          const got = after.layouts.find((l) => l.id === wanted.id)!;
          const hadPipelines = (a.layouts.find((l) => l.id === wanted.id)?.pipelines.length ?? 0) > 0;
          if (wanted.pipelines.length === 0 && hadPipelines) {
            // The standard pipeline always stays: it is all that is left, and the default.
            expect(got.pipelines.map((p) => p.standard)).toEqual([true]);
            expect(got.defaultPipelineId).toBe(got.pipelines[0]!.id);
            expect(got.stages).toEqual(wanted.stages);
          } else {
            expect(shape(got)).toEqual(shape(wanted));
          }
        }
        for (const untouched of a.layouts.filter((l) => !target.layouts.some((t) => t.id === l.id))) {
          expect(after.layouts.find((l) => l.id === untouched.id)).toEqual(untouched);
        }
        expect(planConfiguration(after, desired)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
