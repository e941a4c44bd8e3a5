import { describe, expect, it } from 'vitest';
import { applyDeal, applyWorkspace, emptyWorkspace, evolveWorkspace, replayWorkspace, type Workspace } from '../../src/index.js';
import { expectPipelineError } from '../helpers/expectError.js';
import { newDeal, T0, ws } from '../helpers/dealer.js';

describe('workspaces the library has seen cannot go stale', () => {
  it('a workspace returned by applyWorkspace is deep-frozen: an in-place edit throws instead of stranding deals', () => {
    const deal = newDeal();
    applyDeal(ws, deal, { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + 1 });
    const pipeline = ws.layouts.find((l) => l.id === 'sales')!.pipelines.find((p) => p.id === 'new-cars')!;
    expect(() => (pipeline.stages as unknown[]).splice(1, 1)).toThrow(TypeError);
    expect(() => {
      (ws.layouts[0] as { stages: unknown }).stages = null;
    }).toThrow(TypeError);
    expect(pipeline.stages.map((s) => s.stageId)).toContain('test-drive');
  });

  it('a host workspace is left unfrozen (the library seals a copy), so an edit afterwards is seen, not hidden by the cache', () => {
    const hostCopy = structuredClone(ws) as Workspace;
    applyDeal(hostCopy, newDeal(), { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + 1 });
    expect(Object.isFrozen(hostCopy.layouts[0]!.stages)).toBe(false);
    (hostCopy.layouts[0] as { stages: unknown }).stages = null;
    const e = expectPipelineError(() => applyDeal(hostCopy, newDeal(), { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + 1 }), 'invalid_input');
    expect(e.details.path).toBe('workspace.layouts[0].stages');
  });

  it('an edited copy is validated afresh: a workspace whose stages is null is refused', () => {
    const edited = structuredClone(ws) as Workspace;
    (edited.layouts[0] as { stages: unknown }).stages = null;
    const e = expectPipelineError(() => applyWorkspace(edited, { type: 'renameLayout', layoutId: 'sales', name: 'X' }, { at: T0 }), 'invalid_input');
    expect(e.details.path).toBe('workspace.layouts[0].stages');
  });

  it('an edited copy without a stage refuses a move into that stage', () => {
    const edited = structuredClone(ws) as Workspace;
    const p = edited.layouts.find((l) => l.id === 'sales')!.pipelines.find((x) => x.id === 'new-cars')!;
    p.stages = p.stages.filter((s) => s.stageId !== 'test-drive');
    p.rules = { ...p.rules, allowSkip: true };
    expectPipelineError(() => applyDeal(edited, newDeal(), { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + 1 }), 'stage_not_in_pipeline');
  });

  it('reads a workspace with accessor properties once, into its own copy: a getter cannot answer differently after the check', () => {
    const sneaky = structuredClone(ws) as Workspace;
    let calls = 0;
    const stages = sneaky.layouts[0]!.stages;
    Object.defineProperty(sneaky.layouts[0]!, 'stages', { get: () => (calls++ < 1 ? stages : null), enumerable: true });
    const moved = applyDeal(sneaky, newDeal(), { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + 1 }).deal;
    expect(moved.stageId).toBe('test-drive');
    expect(calls).toBe(1);
  });

  it('refuses a deep-frozen workspace with accessor properties, which it would otherwise use as it is', () => {
    const sneaky = structuredClone(ws) as Workspace;
    const stages = sneaky.layouts[0]!.stages;
    Object.defineProperty(sneaky.layouts[0]!, 'stages', { get: () => stages, enumerable: true });
    const freeze = (v: unknown): void => {
      if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
        Object.freeze(v);
        for (const key of Object.keys(v)) freeze((v as Record<string, unknown>)[key]);
      }
    };
    freeze(sneaky);
    expectPipelineError(() => applyDeal(sneaky, newDeal(), { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + 1 }), 'invalid_input');
  });

  it('evolveWorkspace and replayWorkspace hand out frozen workspaces; emptyWorkspace a fresh one', () => {
    const { events } = applyWorkspace(emptyWorkspace(), { type: 'addLayout', layoutId: 'L', name: 'L', stages: [{ id: 'a', name: 'A', probability: 0, outcome: 'open', forecastCategory: 'pipeline' }] }, { at: 0 });
    expect(Object.isFrozen(emptyWorkspace())).toBe(false);
    expect(Object.isFrozen(evolveWorkspace(emptyWorkspace(), events[0]!).layouts[0]!.stages[0])).toBe(true);
    expect(Object.isFrozen(replayWorkspace(events).layouts[0])).toBe(true);
  });
});
