import { describe, expect, it } from 'vitest';
import {
  applyWorkspace,
  configurationOf,
  emptyWorkspace,
  planConfiguration,
  type DesiredConfiguration,
  type Workspace,
  type WorkspaceCommand,
} from '../../src/index.js';
import { dealerWorkspace, salesStages, serviceStages } from '../../examples/dealership.js';
import { deepFreeze, expectPipelineError } from '../helpers/expectError.js';

const run = (ws: Workspace, commands: readonly WorkspaceCommand[]): Workspace =>
  commands.reduce((w, c) => applyWorkspace(w, c, { at: 0, by: 'admin' }).workspace, ws);

const sales = (pipelines: DesiredConfiguration['layouts'][number]['pipelines'], extra: Partial<DesiredConfiguration['layouts'][number]> = {}): DesiredConfiguration => ({
  layouts: [{ id: 'sales', name: 'Sales', stages: salesStages, pipelines, ...extra }],
});

const newCars = { id: 'new-cars', name: 'New cars', stages: ['requirements', 'test-drive', 'quote', 'won', 'lost'], rules: { allowSkip: false }, default: true };

describe('planConfiguration', () => {
  it('builds a layout and its pipelines from nothing, the standard pipeline included', () => {
    const commands = planConfiguration(emptyWorkspace(), sales([newCars]));
    expect(commands.map((c) => c.type)).toEqual(['addLayout', 'createPipeline']);
    const ws = run(emptyWorkspace(), commands);
    const layout = ws.layouts[0]!;
    expect(layout.pipelines.map((p) => p.id)).toEqual(['sales:standard', 'new-cars']);
    expect(layout.defaultPipelineId).toBe('new-cars');
    expect(layout.pipelines[1]!.rules).toEqual({ allowSkip: false, allowBackward: true, allowReopen: true, requireLostReason: false });
  });

  it('plans nothing when the configuration is already in place, so running it twice changes nothing', () => {
    const desired = sales([newCars]);
    const ws = run(emptyWorkspace(), planConfiguration(emptyWorkspace(), desired));
    expect(planConfiguration(ws, desired)).toEqual([]);
    expect(planConfiguration(dealerWorkspace(), configurationOf(dealerWorkspace()))).toEqual([]);
  });

  it('does not mutate the workspace or the configuration', () => {
    const ws = deepFreeze(dealerWorkspace());
    const desired = deepFreeze(sales([newCars]));
    expect(() => planConfiguration(ws, desired)).not.toThrow();
  });

  it('gives the standard pipeline the id of the pipeline marked standard when the layout gets its first pipelines', () => {
    const desired = sales([{ id: 'all', name: 'Everything', stages: salesStages.map((s) => s.id), standard: true }, newCars]);
    const ws = run(emptyWorkspace(), planConfiguration(emptyWorkspace(), desired));
    expect(ws.layouts[0]!.pipelines.map((p) => [p.id, p.name, p.standard])).toEqual([
      ['all', 'Everything', true],
      ['new-cars', 'New cars', false],
    ]);
    expect(planConfiguration(ws, desired)).toEqual([]);
  });

  it('renames layouts, stages and pipelines, updates stage fields and reorders the picklist last', () => {
    const before = dealerWorkspace();
    const desired = configurationOf(before, ['sales']);
    const layout = desired.layouts[0]!;
    layout.name = 'Car sales';
    layout.stages = [...layout.stages].reverse().map((s) => (s.id === 'quote' ? { ...s, name: 'Offer', probability: 65, rotAfterDays: undefined } : s));
    layout.pipelines = layout.pipelines.map((p) => (p.id === 'used-cars' ? { ...p, name: 'Pre-owned' } : p));
    const commands = planConfiguration(before, desired);
    expect(commands).toEqual([
      { type: 'renameLayout', layoutId: 'sales', name: 'Car sales' },
      { type: 'updateStage', layoutId: 'sales', stageId: 'quote', patch: { name: 'Offer', probability: 65, rotAfterDays: null } },
      { type: 'renamePipeline', pipelineId: 'used-cars', name: 'Pre-owned' },
      { type: 'reorderStages', layoutId: 'sales', stageIds: [...salesStages].reverse().map((s) => s.id) },
    ]);
    const after = run(before, commands);
    expect(after.layouts[0]!.stages.find((s) => s.id === 'quote')).toEqual({ id: 'quote', name: 'Offer', probability: 65, outcome: 'open', forecastCategory: 'best_case' });
    expect(planConfiguration(after, desired)).toEqual([]);
  });

  it('adds a stage before a pipeline uses it and sets rules that name it', () => {
    const desired = configurationOf(dealerWorkspace(), ['sales']);
    const layout = desired.layouts[0]!;
    layout.stages = [...layout.stages, { id: 'financing', name: 'Financing', probability: 85, outcome: 'open', forecastCategory: 'commit' }];
    const nc = layout.pipelines.find((p) => p.id === 'new-cars')!;
    nc.stages = [...nc.stages.slice(0, 4), 'financing', ...nc.stages.slice(4)];
    nc.rules = { ...nc.rules, creationStageIds: ['requirements'], allowed: { negotiation: ['financing', 'lost'], financing: ['won', 'lost'] } };
    const commands = planConfiguration(dealerWorkspace(), desired);
    expect(commands.map((c) => c.type)).toEqual(['addStage', 'setPipelineStages', 'setTransitionRules']);
    const after = run(dealerWorkspace(), commands);
    expect(after.layouts[0]!.pipelines.find((p) => p.id === 'new-cars')!.rules.allowed).toEqual({ negotiation: ['financing', 'lost'], financing: ['won', 'lost'] });
  });

  it('removes unlisted pipelines with their transfers, after making another the default and before pipelines drop stages', () => {
    const desired = sales(
      [{ id: 'used-cars', name: 'Used cars', stages: ['show-models', 'test-drive', 'quote', 'negotiation', 'won', 'lost'], default: true }],
      { transfers: [{ pipelineId: 'new-cars', to: 'used-cars', stageMap: { requirements: 'show-models' } }] },
    );
    const commands = planConfiguration(dealerWorkspace(), desired);
    expect(commands).toEqual([
      { type: 'setTransitionRules', pipelineId: 'used-cars', rules: { allowSkip: true, allowBackward: true, allowReopen: true, requireLostReason: false, creationStageIds: null, allowed: null } },
      { type: 'setDefaultPipeline', layoutId: 'sales', pipelineId: 'used-cars' },
      { type: 'deletePipeline', pipelineId: 'new-cars', transferTo: { pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } } },
      { type: 'setPipelineStages', pipelineId: 'used-cars', stages: ['show-models', 'test-drive', 'quote', 'negotiation', 'won', 'lost'].map((stageId) => ({ stageId })) },
    ]);
    const after = run(dealerWorkspace(), commands);
    expect(after.layouts[0]!.pipelines.map((p) => p.id)).toEqual(['sales:standard', 'used-cars']);
  });

  it('keeps the standard pipeline when the configuration does not list it, and makes it the default when nothing else is', () => {
    const after = run(dealerWorkspace(), planConfiguration(dealerWorkspace(), sales([])));
    expect(after.layouts[0]!.pipelines.map((p) => p.id)).toEqual(['sales:standard']);
    expect(after.layouts[0]!.defaultPipelineId).toBe('sales:standard');
    expect(after.layouts[1]).toEqual(dealerWorkspace().layouts[1]);
  });

  it('leaves layouts it does not list alone', () => {
    const desired: DesiredConfiguration = { layouts: [{ id: 'service', name: 'Service', stages: serviceStages, pipelines: [] }] };
    const commands = planConfiguration(dealerWorkspace(), desired);
    expect(commands.every((c) => !('layoutId' in c) || c.layoutId === 'service')).toBe(true);
    expect(commands.every((c) => !('pipelineId' in c) || c.pipelineId === 'repair' || c.pipelineId === 'service:standard')).toBe(true);
  });

  it('removes a stage with its replacement: pipelines that held it hold the replacement until they drop it', () => {
    const desired = configurationOf(dealerWorkspace(), ['sales']);
    const layout = desired.layouts[0]!;
    layout.stages = layout.stages.filter((s) => s.id !== 'test-drive');
    layout.pipelines = layout.pipelines.map((p) => ({ ...p, stages: p.stages.filter((s) => (typeof s === 'string' ? s : s.stageId) !== 'test-drive') }));
    layout.stageReplacements = { 'test-drive': 'quote' };
    const commands = planConfiguration(dealerWorkspace(), desired);
    expect(commands).toEqual([{ type: 'removeStage', layoutId: 'sales', stageId: 'test-drive', replacementStageId: 'quote' }]);
    const after = run(dealerWorkspace(), commands);
    expect(after.layouts[0]!.stages.map((s) => s.id)).not.toContain('test-drive');
    expect(planConfiguration(after, desired)).toEqual([]);
  });

  describe('refuses what needs a decision it cannot make, naming the path', () => {
    const removeTestDrive = (): DesiredConfiguration => {
      const desired = configurationOf(dealerWorkspace(), ['sales']);
      const layout = desired.layouts[0]!;
      layout.stages = layout.stages.filter((s) => s.id !== 'test-drive');
      layout.pipelines = layout.pipelines.map((p) => ({ ...p, stages: p.stages.filter((s) => (typeof s === 'string' ? s : s.stageId) !== 'test-drive') }));
      return desired;
    };

    it('a removed stage that pipelines use, without a replacement', () => {
      const error = expectPipelineError(() => planConfiguration(dealerWorkspace(), removeTestDrive()), 'stage_in_use');
      expect(error.details).toMatchObject({ path: 'desired.layouts[0].stageReplacements', stageId: 'test-drive' });
      expect(error.message).toContain('sales:standard, new-cars, used-cars');
    });

    it('a removed stage named like an Object.prototype member, without a replacement', () => {
      const stages = [
        { id: 'toString', name: 'To string', probability: 10, outcome: 'open' as const, forecastCategory: 'pipeline' as const },
        { id: 'valueOf', name: 'Value of', probability: 20, outcome: 'open' as const, forecastCategory: 'pipeline' as const },
      ];
      const desired: DesiredConfiguration = { layouts: [{ id: 'x', name: 'X', stages, pipelines: [{ id: 'p', name: 'P', stages: ['toString', 'valueOf'] }] }] };
      const ws = run(emptyWorkspace(), planConfiguration(emptyWorkspace(), desired));
      const without: DesiredConfiguration = { layouts: [{ ...desired.layouts[0]!, stages: [stages[1]!], pipelines: [{ id: 'p', name: 'P', stages: ['valueOf'] }], stageReplacements: {} }] };
      const error = expectPipelineError(() => planConfiguration(ws, without), 'stage_in_use');
      expect(error.details.stageId).toBe('toString');
      const commands = planConfiguration(ws, { layouts: [{ ...without.layouts[0]!, stageReplacements: { toString: 'valueOf' } }] });
      expect(commands).toEqual([{ type: 'removeStage', layoutId: 'x', stageId: 'toString', replacementStageId: 'valueOf' }]);
    });

    it('a stage whose outcome would change', () => {
      const desired = configurationOf(dealerWorkspace(), ['sales']);
      desired.layouts[0]!.stages = desired.layouts[0]!.stages.map((s) => (s.id === 'lost' ? { ...s, outcome: 'won' as const } : s));
      const error = expectPipelineError(() => planConfiguration(dealerWorkspace(), desired), 'invalid_input');
      expect(error.details.path).toBe('desired.layouts[0].stages[6].outcome');
    });

    it('a pipeline that would move to another layout', () => {
      const desired: DesiredConfiguration = {
        layouts: [{ id: 'service', name: 'Service', stages: [...serviceStages, ...salesStages.filter((s) => s.outcome === 'open')], pipelines: [{ id: 'new-cars', name: 'x', stages: ['analysis'] }] }],
      };
      const error = expectPipelineError(() => planConfiguration(dealerWorkspace(), desired), 'duplicate_id');
      expect(error.details.path).toBe('desired.layouts[0].pipelines[0].id');
    });

    it('another standard pipeline for a layout that has one', () => {
      const error = expectPipelineError(() => planConfiguration(dealerWorkspace(), sales([{ ...newCars, standard: true }])), 'standard_pipeline');
      expect(error.details.path).toBe('desired.layouts[0].pipelines[0].standard');
    });

    it('a transfer to a pipeline the configuration removes', () => {
      const error = expectPipelineError(() => planConfiguration(dealerWorkspace(), sales([newCars], { transfers: [{ pipelineId: 'used-cars', to: 'elsewhere' }] })), 'invalid_input');
      expect(error.details.path).toBe('desired.layouts[0].transfers[0].to');
    });

    it('a transfer whose stage map leaves a stage without a place, as the reducers would', () => {
      const desired = sales([{ id: 'new-cars', name: 'New cars', stages: ['requirements', 'won', 'lost'] }], { transfers: [{ pipelineId: 'used-cars', to: 'new-cars' }] });
      const error = expectPipelineError(() => planConfiguration(dealerWorkspace(), desired), 'stage_mapping_required');
      expect(error.details.path).toBe('desired.layouts[0].transfers[0]');
    });

    it('a transfer whose stage map names a stage the removed pipeline lacks, by the desired key (transfers, not transferTo)', () => {
      const desired = sales([newCars], { transfers: [{ pipelineId: 'used-cars', to: 'new-cars', stageMap: { lost: 'lost', requirements: 'won' } }] });
      const error = expectPipelineError(() => planConfiguration(dealerWorkspace(), desired), 'invalid_input');
      expect(error.details.path).toBe('desired.layouts[0].transfers[0].stageMap.requirements');
      expect(error.message).not.toContain('transferTo');
      expect(error.message).toContain('desired.layouts[0].transfers[0].stageMap');
    });

    it('a transfer whose stage map sends a stage outside the target, by the desired key', () => {
      const desired = sales([newCars], { transfers: [{ pipelineId: 'used-cars', to: 'new-cars', stageMap: { 'show-models': 'requirements', quote: 'show-models' } }] });
      const error = expectPipelineError(() => planConfiguration(dealerWorkspace(), desired), 'stage_not_in_pipeline');
      expect(error.details.path).toBe('desired.layouts[0].transfers[0].stageMap.quote');
      expect(error.message).not.toContain('transferTo');
    });

    it.each<[string, DesiredConfiguration, string, string]>([
      ['a layout listed twice', { layouts: [{ id: 'a', name: 'A', stages: salesStages, pipelines: [] }, { id: 'a', name: 'A', stages: salesStages, pipelines: [] }] }, 'duplicate_id', 'desired.layouts[1].id'],
      ['a pipeline naming a stage outside the picklist', sales([{ id: 'p', name: 'P', stages: ['nope'] }]), 'invalid_input', 'desired.layouts[0].pipelines[0].stages[0]'],
      ['a pipeline without an open stage', sales([{ id: 'p', name: 'P', stages: ['won'] }]), 'invalid_input', 'desired.layouts[0].pipelines[0].stages'],
      ['rules naming a stage outside the pipeline', sales([{ id: 'p', name: 'P', stages: ['quote'], rules: { creationStageIds: ['won'] } }]), 'stage_not_in_pipeline', 'desired.layouts[0].pipelines[0].rules.creationStageIds'],
      ['two defaults', sales([{ ...newCars }, { id: 'p', name: 'P', stages: ['quote'], default: true }]), 'invalid_input', 'desired.layouts[0].pipelines[1].default'],
      ['a replacement for a stage that stays', sales([newCars], { stageReplacements: { quote: 'won' } }), 'invalid_input', 'desired.layouts[0].stageReplacements.quote'],
      ['only the standard pipeline for a layout without pipelines', { layouts: [{ id: 'x', name: 'X', stages: salesStages, pipelines: [{ id: 'x:standard', name: 'S', stages: ['quote'] }] }] }, 'invalid_input', 'desired.layouts[0].pipelines'],
      ['an unknown key', { layouts: [{ id: 'x', name: 'X', stages: salesStages, pipelines: [], extra: 1 }] } as never, 'invalid_input', 'desired.layouts[0]'],
      ['a prototype-polluting id', { layouts: [{ id: '__proto__', name: 'X', stages: salesStages, pipelines: [] }] }, 'invalid_input', 'desired.layouts[0].id'],
    ])('%s', (_, desired, code, path) => {
      const error = expectPipelineError(() => planConfiguration(emptyWorkspace(), desired), code as never);
      expect(error.details.path).toBe(path);
    });

    it.each([null, undefined, 42, 'x', [], { layouts: 'x' }])('junk instead of a configuration (%j)', (junk) => {
      expectPipelineError(() => planConfiguration(emptyWorkspace(), junk as never), 'invalid_input');
    });

    it('junk instead of a workspace', () => {
      expectPipelineError(() => planConfiguration({ layouts: 'x' } as never, sales([])), 'invalid_input');
    });
  });
});

describe('configurationOf', () => {
  it('describes every layout, marking the default and the standard pipelines', () => {
    const desired = configurationOf(dealerWorkspace());
    expect(desired.layouts.map((l) => l.id)).toEqual(['sales', 'service']);
    const pipelines = desired.layouts[0]!.pipelines;
    expect(pipelines.filter((p) => p.default).map((p) => p.id)).toEqual(['new-cars']);
    expect(pipelines.filter((p) => p.standard).map((p) => p.id)).toEqual(['sales:standard']);
  });

  it('hands out copies', () => {
    const ws = dealerWorkspace();
    const desired = configurationOf(ws);
    desired.layouts[0]!.stages[0]!.name = 'changed';
    expect(ws.layouts[0]!.stages[0]!.name).toBe('Collect requirements');
  });

  describe('size', () => {
    const open = (id: string) => ({ id, name: id, probability: 10, outcome: 'open' as const, forecastCategory: 'pipeline' as const });
    const layout = (i: number) => ({ id: `l${i}`, name: `L${i}`, stages: [open('a')], pipelines: [{ id: `p${i}`, name: 'P', stages: ['a'] }] });

    it.each<[string, () => DesiredConfiguration, string]>([
      ['more layouts than a workspace holds', () => ({ layouts: Array.from({ length: 1001 }, (_, i) => layout(i)) }), 'desired.layouts'],
      ['more stages than a layout holds', () => ({ layouts: [{ ...layout(0), stages: Array.from({ length: 101 }, (_, i) => open(`s${i}`)) }] }), 'desired.layouts[0].stages'],
      ['more pipelines than a layout holds', () => ({ layouts: [{ ...layout(0), pipelines: Array.from({ length: 51 }, (_, i) => ({ id: `p${i}`, name: 'P', stages: ['a'] })) }] }), 'desired.layouts[0].pipelines'],
      ['a pipeline listing more stages than a layout holds', () => ({ layouts: [{ ...layout(0), pipelines: [{ id: 'p', name: 'P', stages: Array.from({ length: 101 }, () => 'a') }] }] }), 'desired.layouts[0].pipelines[0].stages'],
    ])('refuses %s while parsing, before planning anything, with limit_exceeded', (_, make, path) => {
      const error = expectPipelineError(() => planConfiguration(emptyWorkspace(), make()), 'limit_exceeded');
      expect(error.details.path).toBe(path);
    });

    it('plans a thousand layouts, and refuses one more than the workspace holds as the reducers would', () => {
      const desired: DesiredConfiguration = { layouts: Array.from({ length: 1000 }, (_, i) => layout(i)) };
      const commands = planConfiguration(emptyWorkspace(), desired);
      expect(commands).toHaveLength(2000);
      const full: Workspace = { version: 1, layouts: Array.from({ length: 1000 }, (_, i) => ({ id: `l${i}`, name: `L${i}`, stages: [open('a')], pipelines: [], defaultPipelineId: null })) };
      const error = expectPipelineError(() => planConfiguration(full, { layouts: [layout(1000)] }), 'limit_exceeded');
      expect(error.details.path).toBe('desired.layouts[0]');
      expect(planConfiguration(full, { layouts: [layout(999)] }).map((c) => c.type)).toEqual(['createPipeline']);
    });

    it('refuses a new layout whose standard pipeline id another layout uses, as the reducers would', () => {
      const ws = run(dealerWorkspace(), [{ type: 'createPipeline', layoutId: 'sales', pipelineId: 'fleet:standard', name: 'Fleet', stages: ['requirements', 'won'] }]);
      const error = expectPipelineError(() => planConfiguration(ws, { layouts: [{ id: 'fleet', name: 'Fleet', stages: [open('a')], pipelines: [{ id: 'fleet-main', name: 'Main', stages: ['a'] }] }] }), 'duplicate_id');
      expect(error.details.path).toBe('desired.layouts[0].pipelines[0]');
      expect(error.message).toContain('fleet:standard');
    });
  });
});
