import { describe, expect, it } from 'vitest';
import { applyDeal, applyWorkspace, checkTransition, type Workspace } from '../../src/index.js';
import { T0, newDeal, ws } from '../helpers/dealer.js';
import { expectPipelineError } from '../helpers/expectError.js';

// applyDeal and checkTransition remember the index of the sealed workspace used last (see
// src/deals/scope.ts and bench/transition.bench.ts). These pin that the slot never answers for
// another workspace, nor for a host's own object that changed since.

const codes = (w: Workspace) => checkTransition(w, newDeal(), { stageId: 'quote' }).violations.map((v) => v.code);

describe('the workspace remembered between calls', () => {
  const loose = applyWorkspace(ws, { type: 'setTransitionRules', pipelineId: 'new-cars', rules: { allowSkip: true } }, { at: T0 }).workspace;

  it('answers each workspace for itself when calls alternate between two', () => {
    for (let i = 0; i < 3; i++) {
      expect(codes(ws)).toContain('skip_not_allowed');
      expect(codes(loose)).not.toContain('skip_not_allowed');
      expectPipelineError(() => applyDeal(ws, newDeal(), { type: 'moveToStage', stageId: 'quote' }, { at: T0 + 1 }), 'transition_not_allowed');
      expectPipelineError(() => applyDeal(loose, newDeal(), { type: 'moveToStage', stageId: 'quote' }, { at: T0 + 1 }), 'required_fields_missing');
    }
  });

  it('follows a host\'s own workspace object edited in place between calls', () => {
    const own = JSON.parse(JSON.stringify(ws)) as { layouts: { pipelines: { id: string; rules: { allowSkip: boolean } }[] }[] };
    expect(codes(own as unknown as Workspace)).toContain('skip_not_allowed');
    for (const layout of own.layouts) for (const p of layout.pipelines) if (p.id === 'new-cars') p.rules.allowSkip = true;
    expect(codes(own as unknown as Workspace)).not.toContain('skip_not_allowed');
  });
});
