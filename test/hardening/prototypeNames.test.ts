import { describe, expect, it } from 'vitest';
import { applyWorkspace, emptyWorkspace, weightedPipeline, applyDeal, suggestStageMap, type Workspace, type Deal } from '../../src/index.js';

const open = (id: string, probability = 10) => ({ id, name: `Stage ${id}`, probability, outcome: 'open' as const, forecastCategory: 'pipeline' as const });

function run(ws: Workspace, ...commands: Parameters<typeof applyWorkspace>[1][]): Workspace {
  return commands.reduce((w, c) => applyWorkspace(w, c, { at: 0 }).workspace, ws);
}

function workspaceWith(stageIds: string[]): Workspace {
  return run(
    emptyWorkspace(),
    { type: 'addLayout', layoutId: 'sales', name: 'Sales', stages: stageIds.map((id, i) => open(id, i * 10)) },
    { type: 'createPipeline', layoutId: 'sales', pipelineId: 'p1', name: 'One', stages: stageIds },
    { type: 'createPipeline', layoutId: 'sales', pipelineId: 'p2', name: 'Two', stages: stageIds },
  );
}

describe('ids named like Object.prototype members', () => {
  it('removeStage rewrites an allowed graph that names a stage toString', () => {
    let ws = workspaceWith(['a', 'toString', 'b']);
    ws = run(ws, { type: 'setTransitionRules', pipelineId: 'p1', rules: { allowed: { a: ['toString'], toString: ['b'], b: ['a'] } } });
    const next = run(ws, { type: 'removeStage', layoutId: 'sales', stageId: 'b', replacementStageId: 'toString' });
    const rules = next.layouts[0]!.pipelines.find((p) => p.id === 'p1')!.rules;
    expect(rules.allowed).toEqual({ a: ['toString'], toString: ['a'] });
  });

  it('deletePipeline transfers deals in a stage named valueOf to the target that has it', () => {
    const ws = workspaceWith(['valueOf', 'hasOwnProperty']);
    const { workspace, events } = applyWorkspace(ws, { type: 'deletePipeline', pipelineId: 'p2', transferTo: { pipelineId: 'p1' } }, { at: 0 });
    expect(events[0]).toMatchObject({ type: 'pipelineDeleted', transferTo: { pipelineId: 'p1', stageMap: { valueOf: 'valueOf', hasOwnProperty: 'hasOwnProperty' } } });
    expect(workspace.layouts[0]!.pipelines.map((p) => p.id)).not.toContain('p2');
  });

  it('weightedPipeline counts a deal in stage toString under byStage and leaves Object.prototype alone', () => {
    const ws = workspaceWith(['toString', 'isPrototypeOf']);
    const deal: Deal = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', pipelineId: 'p1', name: 'Fleet', amount: 100, currency: 'EUR', probability: 50 } }, { at: 0 }).deal;
    const result = weightedPipeline(ws, [deal]);
    expect(result.EUR?.byStage).toEqual({ toString: { count: 1, total: 100, weighted: 50 } });
    expect(Object.hasOwn(result.EUR!.byStage, 'toString')).toBe(true);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect((Object.prototype.toString as unknown as { count?: unknown }).count).toBeUndefined();
  });

  it('suggestStageMap maps stages named like prototype members', () => {
    const ws = workspaceWith(['constructor2', '__defineGetter__', 'propertyIsEnumerable']);
    expect(suggestStageMap(ws, 'p1', 'p2')).toEqual({ constructor2: 'constructor2', __defineGetter__: '__defineGetter__', propertyIsEnumerable: 'propertyIsEnumerable' });
  });
});

describe('an index set on Array.prototype by other code', () => {
  it('does not reach event ids', () => {
    const ws = workspaceWith(['a', 'b']);
    const deal = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', pipelineId: 'p1', name: 'One' } }, { at: 1 }).deal;
    const proto = Array.prototype as unknown as Record<number, unknown>;
    proto[2] = 'x/';
    try {
      const { events } = applyDeal(ws, deal, { type: 'moveToStage', stageId: 'b' }, { at: 2 });
      expect(events[0]!.id).toBe('deal/2/0/d1');
    } finally {
      delete proto[2];
    }
  });
});
