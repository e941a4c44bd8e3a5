import { describe, expect, it } from 'vitest';
import {
  applyWorkspace,
  decideWorkspace,
  emptyWorkspace,
  evolveWorkspace,
  replayWorkspace,
  type Workspace,
  type WorkspaceCommandInput,
} from '../../src/index.js';
import { checkInvariants } from '../../src/testing.js';
import { dealerWorkspace, salesStages } from '../../examples/dealership.js';
import { deepFreeze, expectPipelineError } from '../helpers/expectError.js';

const at = '2026-01-05T08:00:00Z';
const run = (ws: Workspace, command: WorkspaceCommandInput) => applyWorkspace(ws, command, { at, by: 'admin' }).workspace;
const sales = (ws: Workspace) => ws.layouts.find((l) => l.id === 'sales')!;
const pipeline = (ws: Workspace, id: string) => ws.layouts.flatMap((l) => l.pipelines).find((p) => p.id === id)!;
const withLayout = () => run(emptyWorkspace(), { type: 'addLayout', layoutId: 'sales', name: 'Sales', stages: salesStages });

describe('emptyWorkspace', () => {
  it('has no layouts and version 0', () => {
    expect(emptyWorkspace()).toEqual({ version: 0, layouts: [] });
  });
});

describe('addLayout', () => {
  it('adds a layout with its picklist and no pipeline', () => {
    const ws = withLayout();
    expect(ws.version).toBe(1);
    expect(sales(ws)).toMatchObject({ id: 'sales', name: 'Sales', pipelines: [], defaultPipelineId: null });
    expect(sales(ws).stages.map((s) => s.id)).toEqual(salesStages.map((s) => s.id));
  });

  it('refuses a layout id that exists', () => {
    expectPipelineError(() => run(withLayout(), { type: 'addLayout', layoutId: 'sales', name: 'Again', stages: salesStages }), 'duplicate_id');
  });

  it('refuses a picklist that lists a stage twice', () => {
    const stages = [salesStages[0]!, salesStages[0]!];
    expectPipelineError(() => run(emptyWorkspace(), { type: 'addLayout', layoutId: 'x', name: 'X', stages }), 'duplicate_id');
  });

  it('refuses a picklist without an open stage', () => {
    const stages = salesStages.filter((s) => s.outcome !== 'open');
    expectPipelineError(() => run(emptyWorkspace(), { type: 'addLayout', layoutId: 'x', name: 'X', stages }), 'invalid_input');
  });

  it('refuses more than 100 stages by default, and honours a higher limit in ctx', () => {
    const stages = Array.from({ length: 101 }, (_, i) => ({ ...salesStages[0]!, id: `s${i}` }));
    const command = { type: 'addLayout', layoutId: 'x', name: 'X', stages } as const;
    expectPipelineError(() => run(emptyWorkspace(), command), 'limit_exceeded');
    const ws = applyWorkspace(emptyWorkspace(), command, { at, limits: { maxStagesPerLayout: 200 } }).workspace;
    expect(ws.layouts[0]!.stages).toHaveLength(101);
  });

  it('refuses names over 255 characters with limit_exceeded', () => {
    const e = expectPipelineError(() => run(emptyWorkspace(), { type: 'addLayout', layoutId: 'x', name: 'n'.repeat(256), stages: salesStages }), 'limit_exceeded');
    expect(e.message).toContain('command.name');
  });
});

describe('renameLayout', () => {
  it('renames, and renaming to the same name changes nothing', () => {
    const ws = run(withLayout(), { type: 'renameLayout', layoutId: 'sales', name: 'Car sales' });
    expect(sales(ws).name).toBe('Car sales');
    const same = applyWorkspace(ws, { type: 'renameLayout', layoutId: 'sales', name: 'Car sales' }, { at });
    expect(same.events).toEqual([]);
    expect(same.workspace).toBe(ws);
  });

  it('refuses an unknown layout with not_found', () => {
    expectPipelineError(() => run(withLayout(), { type: 'renameLayout', layoutId: 'nope', name: 'X' }), 'not_found');
  });
});

describe('addStage', () => {
  const extra = { id: 'financing', name: 'Financing', probability: 70, outcome: 'open', forecastCategory: 'commit' } as const;

  it('inserts at the index, or at the end', () => {
    const ws = run(withLayout(), { type: 'addStage', layoutId: 'sales', stage: extra, index: 1 });
    expect(sales(ws).stages[1]!.id).toBe('financing');
    const end = run(withLayout(), { type: 'addStage', layoutId: 'sales', stage: extra });
    expect(sales(end).stages.at(-1)!.id).toBe('financing');
  });

  it('refuses a stage id the layout has', () => {
    expectPipelineError(() => run(withLayout(), { type: 'addStage', layoutId: 'sales', stage: { ...extra, id: 'quote' } }), 'duplicate_id');
  });

  it('refuses an index past the end', () => {
    expectPipelineError(() => run(withLayout(), { type: 'addStage', layoutId: 'sales', stage: extra, index: 99 }), 'invalid_input');
  });
});

describe('updateStage', () => {
  it('changes probability and forecast category, and removes rotAfterDays with null', () => {
    const ws = run(withLayout(), {
      type: 'updateStage',
      layoutId: 'sales',
      stageId: 'quote',
      patch: { probability: 65, forecastCategory: 'commit', rotAfterDays: null },
    });
    const quote = sales(ws).stages.find((s) => s.id === 'quote')!;
    expect(quote).toEqual({ id: 'quote', name: 'Quote', probability: 65, outcome: 'open', forecastCategory: 'commit' });
  });

  it('refuses to change the outcome (deals in the stage would change meaning)', () => {
    expectPipelineError(
      () => run(withLayout(), { type: 'updateStage', layoutId: 'sales', stageId: 'quote', patch: { outcome: 'won' } as never }),
      'invalid_input',
    );
  });

  it('refuses a probability over 100', () => {
    expectPipelineError(() => run(withLayout(), { type: 'updateStage', layoutId: 'sales', stageId: 'quote', patch: { probability: 101 } }), 'invalid_input');
  });
});

describe('reorderStages', () => {
  it('reorders the picklist', () => {
    const ids = salesStages.map((s) => s.id).reverse();
    expect(sales(run(withLayout(), { type: 'reorderStages', layoutId: 'sales', stageIds: ids })).stages.map((s) => s.id)).toEqual(ids);
  });

  it('refuses a list that is not a permutation, naming what is missing', () => {
    const e = expectPipelineError(() => run(withLayout(), { type: 'reorderStages', layoutId: 'sales', stageIds: ['quote'] }), 'invalid_input');
    expect(e.details.missing).toContain('won');
  });
});

describe('createPipeline', () => {
  it('creates the standard pipeline with every picklist stage as the default on the first pipeline', () => {
    const ws = run(withLayout(), { type: 'createPipeline', layoutId: 'sales', pipelineId: 'new-cars', name: 'New cars', stages: ['requirements', 'won'] });
    const layout = sales(ws);
    expect(layout.pipelines.map((p) => p.id)).toEqual(['sales:standard', 'new-cars']);
    const standard = pipeline(ws, 'sales:standard');
    expect(standard.standard).toBe(true);
    expect(standard.stages.map((s) => s.stageId)).toEqual(salesStages.map((s) => s.id));
    expect(layout.defaultPipelineId).toBe('sales:standard');
    expect(ws.version).toBe(2);
  });

  it('names the standard pipeline standardPipelineId when given', () => {
    const ws = run(withLayout(), {
      type: 'createPipeline', layoutId: 'sales', pipelineId: 'p', name: 'P', stages: ['quote'], standardPipelineId: 'std',
    });
    expect(pipeline(ws, 'std').standard).toBe(true);
  });

  it('makes the new pipeline the default with makeDefault', () => {
    expect(sales(dealerWorkspace()).defaultPipelineId).toBe('new-cars');
  });

  it('fills rules with permissive defaults', () => {
    const ws = run(withLayout(), { type: 'createPipeline', layoutId: 'sales', pipelineId: 'p', name: 'P', stages: ['quote'] });
    expect(pipeline(ws, 'p').rules).toEqual({ allowSkip: true, allowBackward: true, allowReopen: true, requireLostReason: false });
  });

  it('refuses a stage that is not in the picklist', () => {
    expectPipelineError(() => run(withLayout(), { type: 'createPipeline', layoutId: 'sales', pipelineId: 'p', name: 'P', stages: ['nope'] }), 'not_found');
  });

  it('refuses a stage listed twice, a pipeline without open stage, and an id in use', () => {
    expectPipelineError(() => run(withLayout(), { type: 'createPipeline', layoutId: 'sales', pipelineId: 'p', name: 'P', stages: ['quote', 'quote'] }), 'duplicate_id');
    expectPipelineError(() => run(withLayout(), { type: 'createPipeline', layoutId: 'sales', pipelineId: 'p', name: 'P', stages: ['won', 'lost'] }), 'invalid_input');
    expectPipelineError(() => run(dealerWorkspace(), { type: 'createPipeline', layoutId: 'sales', pipelineId: 'used-cars', name: 'P', stages: ['quote'] }), 'duplicate_id');
  });

  it('refuses rules that name stages outside the pipeline', () => {
    expectPipelineError(
      () => run(withLayout(), { type: 'createPipeline', layoutId: 'sales', pipelineId: 'p', name: 'P', stages: ['quote'], rules: { creationStageIds: ['won'] } }),
      'stage_not_in_pipeline',
    );
  });

  it('refuses more than 50 pipelines in a layout', () => {
    let ws = withLayout();
    for (let i = 0; i < 49; i++) ws = run(ws, { type: 'createPipeline', layoutId: 'sales', pipelineId: `p${i}`, name: `P${i}`, stages: ['quote'] });
    expect(sales(ws).pipelines).toHaveLength(50);
    expectPipelineError(() => run(ws, { type: 'createPipeline', layoutId: 'sales', pipelineId: 'p50', name: 'P50', stages: ['quote'] }), 'limit_exceeded');
  });
});

describe('renamePipeline, setPipelineStages, setTransitionRules', () => {
  it('renames the standard pipeline like any other', () => {
    expect(pipeline(run(dealerWorkspace(), { type: 'renamePipeline', pipelineId: 'sales:standard', name: 'All sales' }), 'sales:standard').name).toBe('All sales');
  });

  it('sets stages with overrides and prunes rules that name dropped stages', () => {
    let ws = run(dealerWorkspace(), { type: 'setTransitionRules', pipelineId: 'used-cars', rules: { allowed: { 'show-models': ['test-drive', 'quote'] } } });
    ws = run(ws, { type: 'setPipelineStages', pipelineId: 'used-cars', stages: ['show-models', { stageId: 'test-drive', rotAfterDays: 3 }, 'won'] });
    expect(pipeline(ws, 'used-cars').stages).toEqual([{ stageId: 'show-models' }, { stageId: 'test-drive', rotAfterDays: 3 }, { stageId: 'won' }]);
    expect(pipeline(ws, 'used-cars').rules.allowed).toEqual({ 'show-models': ['test-drive'] });
  });

  it('patches rules: flags replace, null removes an optional rule', () => {
    let ws = run(dealerWorkspace(), { type: 'setTransitionRules', pipelineId: 'new-cars', rules: { allowBackward: false, creationStageIds: ['requirements'] } });
    expect(pipeline(ws, 'new-cars').rules).toEqual({
      allowSkip: false, allowBackward: false, allowReopen: true, requireLostReason: true, creationStageIds: ['requirements'],
    });
    ws = run(ws, { type: 'setTransitionRules', pipelineId: 'new-cars', rules: { creationStageIds: null } });
    expect(pipeline(ws, 'new-cars').rules.creationStageIds).toBeUndefined();
  });

  it('refuses an unknown pipeline', () => {
    expectPipelineError(() => run(dealerWorkspace(), { type: 'renamePipeline', pipelineId: 'nope', name: 'X' }), 'not_found');
  });
});

describe('setDefaultPipeline', () => {
  it('moves the default flag', () => {
    expect(sales(run(dealerWorkspace(), { type: 'setDefaultPipeline', layoutId: 'sales', pipelineId: 'used-cars' })).defaultPipelineId).toBe('used-cars');
  });

  it('refuses a pipeline of another layout', () => {
    expectPipelineError(() => run(dealerWorkspace(), { type: 'setDefaultPipeline', layoutId: 'sales', pipelineId: 'repair' }), 'not_found');
  });
});

describe('deletePipeline', () => {
  it('deletes a pipeline that is neither default, standard nor last', () => {
    const ws = run(dealerWorkspace(), { type: 'deletePipeline', pipelineId: 'used-cars' });
    expect(sales(ws).pipelines.map((p) => p.id)).toEqual(['sales:standard', 'new-cars']);
  });

  it('refuses the default pipeline and the standard pipeline', () => {
    expectPipelineError(() => run(dealerWorkspace(), { type: 'deletePipeline', pipelineId: 'new-cars' }), 'default_pipeline');
    expectPipelineError(() => run(dealerWorkspace(), { type: 'deletePipeline', pipelineId: 'sales:standard' }), 'standard_pipeline');
  });

  it("refuses a layout's last pipeline", () => {
    // Through commands a layout always keeps its standard pipeline; a host's own data may hold one pipeline only.
    const ws = run(withLayout(), { type: 'createPipeline', layoutId: 'sales', pipelineId: 'p', name: 'P', stages: ['quote'] });
    const single: Workspace = { version: 2, layouts: [{ ...sales(ws), pipelines: [pipeline(ws, 'sales:standard')] }] };
    expectPipelineError(() => run(single, { type: 'deletePipeline', pipelineId: 'sales:standard' }), 'last_pipeline');
  });

  it('resolves the transfer stage map: explicit entries, then the same stage id', () => {
    const { events } = applyWorkspace(
      dealerWorkspace(),
      { type: 'deletePipeline', pipelineId: 'used-cars', transferTo: { pipelineId: 'new-cars', stageMap: { 'show-models': 'requirements' } } },
      { at },
    );
    expect(events[0]).toMatchObject({
      type: 'pipelineDeleted',
      transferTo: {
        pipelineId: 'new-cars',
        stageMap: { 'show-models': 'requirements', 'test-drive': 'test-drive', quote: 'quote', negotiation: 'negotiation', won: 'won', lost: 'lost' },
      },
    });
  });

  it('refuses a transfer that leaves a stage unmapped, naming it', () => {
    const e = expectPipelineError(
      () => run(dealerWorkspace(), { type: 'deletePipeline', pipelineId: 'used-cars', transferTo: { pipelineId: 'new-cars' } }),
      'stage_mapping_required',
    );
    expect(e.details.missing).toEqual(['show-models']);
  });

  it('refuses a map to a stage the target lacks, and a transfer to itself', () => {
    expectPipelineError(
      () => run(dealerWorkspace(), { type: 'deletePipeline', pipelineId: 'used-cars', transferTo: { pipelineId: 'new-cars', stageMap: { 'show-models': 'show-models' } } }),
      'stage_not_in_pipeline',
    );
    expectPipelineError(() => run(dealerWorkspace(), { type: 'deletePipeline', pipelineId: 'used-cars', transferTo: { pipelineId: 'used-cars' } }), 'invalid_input');
  });
});

describe('removeStage', () => {
  it('puts the replacement where pipelines held the removed stage', () => {
    const ws = run(dealerWorkspace(), { type: 'removeStage', layoutId: 'sales', stageId: 'show-models', replacementStageId: 'requirements' });
    expect(sales(ws).stages.map((s) => s.id)).not.toContain('show-models');
    expect(pipeline(ws, 'used-cars').stages[0]).toEqual({ stageId: 'requirements' });
    // the standard pipeline already held the replacement: the removed stage just goes
    expect(pipeline(ws, 'sales:standard').stages.map((s) => s.stageId)).toEqual(['requirements', 'test-drive', 'quote', 'negotiation', 'won', 'lost']);
    expect(checkInvariants(ws, [], { now: 0 })).toEqual([]);
  });

  it('renames the stage in transition rules', () => {
    let ws = run(dealerWorkspace(), { type: 'setTransitionRules', pipelineId: 'used-cars', rules: { creationStageIds: ['show-models'], allowed: { 'show-models': ['test-drive'] } } });
    ws = run(ws, { type: 'removeStage', layoutId: 'sales', stageId: 'show-models', replacementStageId: 'requirements' });
    expect(pipeline(ws, 'used-cars').rules).toMatchObject({ creationStageIds: ['requirements'], allowed: { requirements: ['test-drive'] } });
  });

  it('refuses a replacement from outside the layout, or the stage itself', () => {
    expectPipelineError(() => run(dealerWorkspace(), { type: 'removeStage', layoutId: 'sales', stageId: 'quote', replacementStageId: 'billing' }), 'not_found');
    expectPipelineError(() => run(dealerWorkspace(), { type: 'removeStage', layoutId: 'sales', stageId: 'quote', replacementStageId: 'quote' }), 'invalid_input');
  });

  it('refuses to leave a pipeline without an open stage', () => {
    const ws = run(withLayout(), { type: 'createPipeline', layoutId: 'sales', pipelineId: 'p', name: 'P', stages: ['quote', 'won'] });
    expectPipelineError(() => run(ws, { type: 'removeStage', layoutId: 'sales', stageId: 'quote' }), 'stage_in_use');
    expect(pipeline(run(ws, { type: 'removeStage', layoutId: 'sales', stageId: 'quote', replacementStageId: 'negotiation' }), 'p').stages[0]).toEqual({ stageId: 'negotiation' });
  });
});

describe('decideWorkspace / evolveWorkspace / replayWorkspace', () => {
  it('replaying the events of every command gives the same workspace', () => {
    let ws = emptyWorkspace();
    const events = [];
    for (const command of [
      { type: 'addLayout', layoutId: 'sales', name: 'Sales', stages: salesStages },
      { type: 'createPipeline', layoutId: 'sales', pipelineId: 'p', name: 'P', stages: ['quote', 'won'] },
      { type: 'setDefaultPipeline', layoutId: 'sales', pipelineId: 'p' },
    ] satisfies WorkspaceCommandInput[]) {
      const r = applyWorkspace(ws, command, { at });
      ws = r.workspace;
      events.push(...r.events);
    }
    expect(replayWorkspace(events)).toEqual(ws);
  });

  it('decide does not change the workspace, evolve does not mutate it', () => {
    const ws = deepFreeze(dealerWorkspace());
    const events = decideWorkspace(ws, { type: 'renamePipeline', pipelineId: 'repair', name: 'Workshop' }, { at });
    const next = events.reduce(evolveWorkspace, ws);
    expect(pipeline(next, 'repair').name).toBe('Workshop');
    expect(pipeline(ws, 'repair').name).toBe('Repair service');
    expect(next.layouts[0]).toBe(ws.layouts[0]);
  });

  it('refuses a malformed workspace argument with invalid_input', () => {
    expectPipelineError(() => applyWorkspace({ version: 'x' } as never, { type: 'renameLayout', layoutId: 'a', name: 'b' }, { at }), 'invalid_input');
  });

  it('accepts ctx.at as a Date, epoch ms or ISO string and records it on the event', () => {
    const ms = Date.parse(at);
    for (const when of [new Date(ms), ms, at]) {
      const [event] = decideWorkspace(emptyWorkspace(), { type: 'addLayout', layoutId: 's', name: 'S', stages: salesStages }, { at: when, by: 'ann' });
      expect(event).toMatchObject({ at: ms, by: 'ann', version: 1 });
    }
  });
});
