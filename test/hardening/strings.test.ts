import { describe, expect, it } from 'vitest';
import { applyDeal, applyWorkspace, checkTransition, planBulkUpdate, suggestStageMap, type DealCommandInput, type WorkspaceCommandInput } from '../../src/index.js';
import { expectPipelineError } from '../helpers/expectError.js';
import { newDeal, step, T0, ws } from '../helpers/dealer.js';

// One rule for every store: U+0000 and unpaired surrogates are refused wherever a string enters.
const BAD = ['a\u0000b', 'x\uD800', '\uDC00y', 'lone \uDBFF in the middle'];
const stage = (id: string, name = 'Stage') => ({ id, name, probability: 10, outcome: 'open' as const, forecastCategory: 'pipeline' as const });

function workspaceCases(bad: string): [string, WorkspaceCommandInput][] {
  return [
    ['command.layoutId', { type: 'addLayout', layoutId: bad, name: 'X', stages: [stage('s')] }],
    ['command.name', { type: 'renameLayout', layoutId: 'sales', name: bad }],
    ['command.stage.id', { type: 'addStage', layoutId: 'sales', stage: stage(bad) }],
    ['command.stage.name', { type: 'addStage', layoutId: 'sales', stage: stage('s9', bad) }],
    ['command.patch.name', { type: 'updateStage', layoutId: 'sales', stageId: 'quote', patch: { name: bad } }],
    ['command.pipelineId', { type: 'createPipeline', layoutId: 'sales', pipelineId: bad, name: 'P', stages: ['quote'] }],
    ['command.stages[0].requiredFields[0]', { type: 'setPipelineStages', pipelineId: 'new-cars', stages: [{ stageId: 'quote', requiredFields: [bad] }] }],
    ['command.rules.allowed', { type: 'setTransitionRules', pipelineId: 'new-cars', rules: { allowed: { [bad]: ['quote'] } } }],
    ['command.rules.allowed.quote[0]', { type: 'setTransitionRules', pipelineId: 'new-cars', rules: { allowed: { quote: [bad] } } }],
    ['command.transferTo.stageMap', { type: 'deletePipeline', pipelineId: 'used-cars', transferTo: { pipelineId: 'new-cars', stageMap: { [bad]: 'quote' } } }],
  ];
}

function dealCases(bad: string): [string, DealCommandInput][] {
  return [
    ['command.deal.id', { type: 'createDeal', deal: { id: bad, layoutId: 'sales', name: 'D' } }],
    ['command.deal.name', { type: 'createDeal', deal: { id: 'd9', layoutId: 'sales', name: bad } }],
    ['command.deal.fields', { type: 'createDeal', deal: { id: 'd9', layoutId: 'sales', name: 'D', fields: { [bad]: 1 } } }],
    ['command.deal.fields', { type: 'createDeal', deal: { id: 'd9', layoutId: 'sales', name: 'D', fields: { note: { deep: [bad] } } } }],
    ['command.deal.ownerId', { type: 'createDeal', deal: { id: 'd9', layoutId: 'sales', name: 'D', ownerId: bad } }],
    ['command.deal.currency', { type: 'createDeal', deal: { id: 'd9', layoutId: 'sales', name: 'D', currency: bad } }],
    ['command.lostReason', { type: 'closeDeal', outcome: 'lost', lostReason: bad }],
    ['command.stageId', { type: 'moveToStage', stageId: bad }],
    ['command.patch.fields', { type: 'updateDeal', patch: { fields: { region: bad } } }],
    ['command.patch.removeFields[0]', { type: 'updateDeal', patch: { removeFields: [bad] } }],
    ['command.stageMap', { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { [bad]: 'quote' } }],
  ];
}

describe('strings with U+0000 or an unpaired surrogate', () => {
  for (const bad of BAD) {
    it(`are refused in every workspace command path (${JSON.stringify(bad)})`, () => {
      for (const [path, command] of workspaceCases(bad)) {
        const e = expectPipelineError(() => applyWorkspace(ws, command, { at: T0 }), 'invalid_input');
        expect(String(e.details.path), JSON.stringify(command)).toContain(path);
      }
    });

    it(`are refused in every deal command path (${JSON.stringify(bad)})`, () => {
      const deal = newDeal();
      for (const [path, command] of dealCases(bad)) {
        const e = expectPipelineError(() => applyDeal(ws, command.type === 'createDeal' ? null : deal, command, { at: T0 + 1 }), 'invalid_input');
        expect(String(e.details.path), JSON.stringify(command)).toContain(path);
      }
      expect(expectPipelineError(() => applyDeal(ws, deal, { type: 'updateDeal', patch: { name: 'X' } }, { at: T0 + 1, by: bad }), 'invalid_input').details.path).toBe('ctx.by');
      expectPipelineError(() => checkTransition(ws, deal, { stageId: 'lost', lostReason: bad }), 'invalid_input');
      expectPipelineError(() => checkTransition(ws, deal, { stageId: bad }), 'invalid_input');
      expectPipelineError(() => suggestStageMap(ws, bad, 'new-cars'), 'invalid_input');
      expectPipelineError(() => planBulkUpdate(ws, [deal], { type: 'closeDeal', outcome: 'lost', lostReason: bad }, { at: T0 + 1, mode: 'atomic' }), 'invalid_input');
    });
  }

  it('a surrogate pair (an emoji) is text and is accepted everywhere', () => {
    const deal = newDeal({ name: 'Fleet 🚗', fields: { '🚗': ['🚙'] } });
    expect(step(deal, { type: 'closeDeal', outcome: 'lost', lostReason: 'Too pricey 💸' }).lostReason).toBe('Too pricey 💸');
  });
});
