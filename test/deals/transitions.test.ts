import { describe, expect, it } from 'vitest';
import { allowedStages, applyWorkspace, checkTransition, stageOptions, suggestStageMap } from '../../src/index.js';
import { T0, newDeal, step, ws } from '../helpers/dealer.js';
import { expectPipelineError } from '../helpers/expectError.js';

describe('checkTransition', () => {
  it('returns every violation, not the first', () => {
    const result = checkTransition(ws, newDeal(), { stageId: 'negotiation' });
    expect(result.allowed).toBe(false);
    expect(result.violations.map((v) => v.code)).toEqual(['skip_not_allowed', 'required_fields_missing']);
    expect(result.violations[1]!.fields).toEqual(['amount', 'closingDate']);
  });

  it('allows a legal move and the current stage', () => {
    expect(checkTransition(ws, newDeal(), { stageId: 'test-drive' })).toEqual({ allowed: true, violations: [] });
    expect(checkTransition(ws, newDeal(), { stageId: 'requirements' }).allowed).toBe(true);
  });

  it('checks a move to another pipeline', () => {
    expect(checkTransition(ws, newDeal(), { pipelineId: 'used-cars', stageId: 'show-models' }).allowed).toBe(true);
    expect(checkTransition(ws, newDeal(), { pipelineId: 'used-cars', stageId: 'nope' }).violations[0]!.code).toBe('stage_not_in_pipeline');
  });

  it('reports a missing lost reason unless one is given', () => {
    expect(checkTransition(ws, newDeal(), { stageId: 'lost' }).violations.map((v) => v.code)).toEqual(['lost_reason_required']);
    expect(checkTransition(ws, newDeal(), { stageId: 'lost', lostReason: 'Price' }).allowed).toBe(true);
  });

  it('refuses malformed targets with invalid_input and unknown pipelines with not_found', () => {
    expectPipelineError(() => checkTransition(ws, newDeal(), { stageId: 5 } as never), 'invalid_input');
    expectPipelineError(() => checkTransition(ws, newDeal(), { pipelineId: 'nope', stageId: 'x' }), 'not_found');
  });
});

describe('allowedStages', () => {
  it('lists the next open stage when skipping is forbidden, not a lost stage that needs a reason', () => {
    expect(allowedStages(ws, newDeal())).toEqual(['test-drive']);
  });

  it('lists only forward stages when moving backwards is forbidden', () => {
    const deal = step(newDeal({ pipelineId: 'used-cars' }), { type: 'moveToStage', stageId: 'quote' });
    expect(allowedStages(ws, deal)).toEqual(['negotiation', 'won', 'lost']);
  });

  it('leaves out stages whose required fields the deal lacks', () => {
    const atTestDrive = step(newDeal(), { type: 'moveToStage', stageId: 'test-drive' });
    expect(allowedStages(ws, atTestDrive)).toEqual(['requirements']);
    const withAmount = step(atTestDrive, { type: 'updateDeal', patch: { amount: 1000 } });
    expect(allowedStages(ws, withAmount)).toEqual(['requirements', 'quote']);
  });

  it('lists nothing for a closed deal of a pipeline that forbids reopening', () => {
    const closed = step(newDeal({ id: 'r', layoutId: 'service' }), { type: 'closeDeal', outcome: 'won' });
    expect(allowedStages(ws, closed)).toEqual([]);
  });
});

describe('suggestStageMap', () => {
  it('maps by the same id, then by name, then by outcome and nearest probability', () => {
    const w = applyWorkspace(ws, { type: 'addStage', layoutId: 'sales', stage: { id: 'eval', name: 'test drive & CHOOSE ', probability: 33, outcome: 'open', forecastCategory: 'pipeline' } }, { at: T0 }).workspace;
    const w2 = applyWorkspace(w, { type: 'createPipeline', layoutId: 'sales', pipelineId: 'fleet', name: 'Fleet', stages: ['eval', 'negotiation', 'won', 'lost'] }, { at: T0 }).workspace;
    expect(suggestStageMap(w2, 'used-cars', 'fleet')).toEqual({
      'show-models': 'eval', // nearest open probability: 15 is nearer 33 than 80
      'test-drive': 'eval', // same name, ignoring case and spaces
      quote: 'eval', // 50 (the used-cars override) is nearer 33 than 80
      negotiation: 'negotiation',
      won: 'won',
      lost: 'lost',
    });
  });

  it('covers every stage of the source pipeline', () => {
    const map = suggestStageMap(ws, 'repair', 'new-cars');
    expect(Object.keys(map)).toEqual(['analysis', 'repair', 'quality-check', 'billing', 'closed', 'cancelled']);
    expect(map.closed).toBe('won');
    expect(map.cancelled).toBe('lost');
  });
});

describe('stageOptions', () => {
  it('says a lost stage needs a lost reason and a later stage needs fields, with the rule that asks', () => {
    const options = stageOptions(ws, newDeal());
    expect(options.map((o) => o.stageId)).toEqual(['requirements', 'test-drive', 'quote', 'negotiation', 'won', 'lost']);
    const lost = options.find((o) => o.stageId === 'lost')!;
    expect(lost).toMatchObject({ allowed: false, needs: { lostReason: true, fields: [] } });
    expect(lost.violations).toEqual([{ code: 'lost_reason_required', message: 'requireLostReason: lost needs a lost reason', needs: { lostReason: true } }]);
    const negotiation = options.find((o) => o.stageId === 'negotiation')!;
    expect(negotiation.needs).toEqual({ lostReason: false, fields: ['amount', 'closingDate'] });
    expect(negotiation.violations.map((v) => v.code)).toEqual(['skip_not_allowed', 'required_fields_missing']);
    expect(negotiation.violations[1]).toMatchObject({ fields: ['amount', 'closingDate'], needs: { fields: ['amount', 'closingDate'] } });
    expect(options.find((o) => o.stageId === 'test-drive')).toEqual({ stageId: 'test-drive', allowed: true, needs: { lostReason: false, fields: [] }, violations: [] });
    expect(options.find((o) => o.stageId === 'requirements')!.allowed).toBe(true);
  });

  it('a refused move to a lost stage carries the same needs in its error', () => {
    const e = expectPipelineError(() => step(newDeal(), { type: 'moveToStage', stageId: 'lost' }), 'lost_reason_required');
    expect(e.message).toContain('requireLostReason: lost needs a lost reason');
    expect(e.details.violations).toEqual([expect.objectContaining({ needs: { lostReason: true } })]);
  });
});

describe('messages', () => {
  it('updateStage with an outcome says a stage outcome cannot change', () => {
    const e = expectPipelineError(
      () => applyWorkspace(ws, { type: 'updateStage', layoutId: 'sales', stageId: 'quote', patch: { outcome: 'won' } } as never, { at: T0 }),
      'invalid_input',
    );
    expect(e.message).toContain("a stage's id and outcome cannot change");
    expect(e.message).not.toContain('Unrecognized key');
  });

  it('counts in limits are pluralised', () => {
    const e = expectPipelineError(
      () => applyWorkspace(ws, { type: 'createPipeline', layoutId: 'sales', pipelineId: 'x', name: 'X', stages: ['quote'] }, { at: T0, limits: { maxPipelinesPerLayout: 1 } }),
      'limit_exceeded',
    );
    expect(e.message).toContain('at most 1 pipeline');
    expect(e.message).not.toContain('1 pipelines');
  });
});
