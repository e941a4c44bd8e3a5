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

  it('a host workspace is frozen once validated, so editing it afterwards cannot fool the cache', () => {
    const hostCopy = structuredClone(ws) as Workspace;
    applyDeal(hostCopy, newDeal(), { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + 1 });
    expect(Object.isFrozen(hostCopy.layouts[0]!.stages)).toBe(true);
    expect(() => {
      (hostCopy.layouts[0] as { stages: unknown }).stages = null;
    }).toThrow(TypeError);
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

  it('refuses a workspace with accessor properties, whose answers could change after the check', () => {
    const sneaky = structuredClone(ws) as Workspace;
    let calls = 0;
    const stages = sneaky.layouts[0]!.stages;
    Object.defineProperty(sneaky.layouts[0]!, 'stages', { get: () => (calls++ < 1 ? stages : null), enumerable: true });
    expectPipelineError(() => applyDeal(sneaky, newDeal(), { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + 1 }), 'invalid_input');
  });

  it('evolveWorkspace and replayWorkspace hand out frozen workspaces; emptyWorkspace a fresh one', () => {
    const { events } = applyWorkspace(emptyWorkspace(), { type: 'addLayout', layoutId: 'L', name: 'L', stages: [{ id: 'a', name: 'A', probability: 0, outcome: 'open', forecastCategory: 'pipeline' }] }, { at: 0 });
    expect(Object.isFrozen(emptyWorkspace())).toBe(false);
    expect(Object.isFrozen(evolveWorkspace(emptyWorkspace(), events[0]!).layouts[0]!.stages[0])).toBe(true);
    expect(Object.isFrozen(replayWorkspace(events).layouts[0])).toBe(true);
  });
});
