import { describe, expect, it } from 'vitest';
import { applyDeal, applyWorkspace, decideDeal, evolveDeal, replayDeal, type DealEvent } from '../../src/index.js';
import { checkInvariants } from '../../src/testing.js';
import { DAY, T0, newDeal, step, ws } from '../helpers/dealer.js';
import { deepFreeze, expectPipelineError } from '../helpers/expectError.js';

const ready = { amount: 42000, currency: 'EUR', closingDate: '2026-04-30' } as const;

describe('createDeal', () => {
  it("starts in the layout's default pipeline and its first stage, with the stage probability", () => {
    const deal = newDeal();
    expect(deal).toMatchObject({ layoutId: 'sales', pipelineId: 'new-cars', stageId: 'requirements', probability: 10, version: 1, createdAt: T0 });
    expect(deal.history).toEqual([
      {
        pipelineId: 'new-cars', stageId: 'requirements', enteredAt: T0, exitedAt: null, amount: null, probability: 10,
        expectedRevenue: null, closingDate: null, forecastCategory: 'pipeline', outcome: 'open', by: 'ann', bypassedRules: false,
      },
    ]);
  });

  it('uses the pipeline override of the probability', () => {
    expect(newDeal({ pipelineId: 'used-cars', stageId: 'quote', amount: 10000 }).probability).toBe(50);
  });

  it('refuses an existing deal with duplicate_id', () => {
    expectPipelineError(() => applyDeal(ws, newDeal(), { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', name: 'X' } }, { at: T0 }), 'duplicate_id');
  });

  it('refuses a pipeline of another layout, an unknown layout and a stage outside the pipeline', () => {
    expectPipelineError(() => newDeal({ pipelineId: 'repair' }), 'invalid_input');
    expectPipelineError(() => newDeal({ layoutId: 'nope' }), 'not_found');
    expectPipelineError(() => newDeal({ stageId: 'show-models' }), 'stage_not_in_pipeline');
  });

  it('honours creationStageIds, and defaults to the first stage creation allows', () => {
    const restricted = applyDealWorkspace({ creationStageIds: ['test-drive'] });
    const deal = applyDeal(restricted, null, { type: 'createDeal', deal: { id: 'd', layoutId: 'sales', pipelineId: 'used-cars', name: 'X' } }, { at: T0 }).deal;
    expect(deal.stageId).toBe('test-drive');
    const e = expectPipelineError(
      () => applyDeal(restricted, null, { type: 'createDeal', deal: { id: 'd', layoutId: 'sales', pipelineId: 'used-cars', stageId: 'quote', name: 'X' } }, { at: T0 }),
      'transition_not_allowed',
    );
    expect(e.details.violations).toEqual([expect.objectContaining({ code: 'creation_stage_not_allowed' })]);
  });

  it('checks the required fields of the stage it is created in', () => {
    const e = expectPipelineError(() => newDeal({ stageId: 'negotiation' }), 'required_fields_missing');
    expect(e.details.violations).toEqual([expect.objectContaining({ fields: ['amount', 'closingDate'] })]);
    expect(newDeal({ stageId: 'negotiation', ...ready }).stageId).toBe('negotiation');
  });
});

function applyDealWorkspace(rules: { creationStageIds: string[] }) {
  return applyWorkspaceRules('used-cars', rules);
}

function applyWorkspaceRules(pipelineId: string, rules: Record<string, unknown>) {
  return applyWorkspace(ws, { type: 'setTransitionRules', pipelineId, rules }, { at: T0 }).workspace;
}

describe('moveToStage', () => {
  it('closes the open visit, opens a new one with snapshots, and follows the stage probability', () => {
    const deal = step(newDeal(ready), { type: 'moveToStage', stageId: 'test-drive' });
    expect(deal.stageId).toBe('test-drive');
    expect(deal.probability).toBe(30);
    expect(deal.version).toBe(2);
    expect(deal.history).toHaveLength(2);
    expect(deal.history[0]!.exitedAt).toBe(T0 + DAY);
    expect(deal.history[1]).toMatchObject({ stageId: 'test-drive', enteredAt: T0 + DAY, exitedAt: null, amount: 42000, probability: 30, expectedRevenue: 12600, closingDate: '2026-04-30' });
  });

  it('refuses to skip stages when allowSkip is false, but allows a loss from any open stage', () => {
    const e = expectPipelineError(() => step(newDeal(ready), { type: 'moveToStage', stageId: 'quote' }), 'transition_not_allowed');
    expect(e.details.violations).toEqual([expect.objectContaining({ code: 'skip_not_allowed' })]);
    expect(step(newDeal(), { type: 'moveToStage', stageId: 'lost', lostReason: 'Price' }).stageId).toBe('lost');
  });

  it('enters won only from the last open stage when skipping is forbidden', () => {
    let deal = newDeal(ready);
    expectPipelineError(() => step(deal, { type: 'moveToStage', stageId: 'won' }), 'transition_not_allowed');
    for (const stageId of ['test-drive', 'quote', 'negotiation', 'won']) deal = step(deal, { type: 'moveToStage', stageId });
    expect(deal.stageId).toBe('won');
    expect(deal.probability).toBe(100);
  });

  it('refuses moving backwards when allowBackward is false', () => {
    const deal = step(newDeal({ pipelineId: 'used-cars' }), { type: 'moveToStage', stageId: 'quote' });
    const e = expectPipelineError(() => step(deal, { type: 'moveToStage', stageId: 'show-models' }), 'transition_not_allowed');
    expect(e.details.violations).toEqual([expect.objectContaining({ code: 'backward_not_allowed' })]);
  });

  it('requires the fields of the target stage and reports every violation at once', () => {
    const e = expectPipelineError(() => step(newDeal(), { type: 'moveToStage', stageId: 'negotiation' }), 'transition_not_allowed');
    expect((e.details.violations as { code: string }[]).map((v) => v.code)).toEqual(['skip_not_allowed', 'required_fields_missing']);
    const onlyFields = step(newDeal(), { type: 'moveToStage', stageId: 'test-drive' });
    expectPipelineError(() => step(onlyFields, { type: 'moveToStage', stageId: 'quote' }), 'required_fields_missing');
  });

  it('treats an empty string in fields as missing', () => {
    const w = applyWorkspace(ws, { type: 'setPipelineStages', pipelineId: 'used-cars', stages: ['show-models', { stageId: 'quote', requiredFields: ['tradeIn'] }, 'won'] }, { at: T0 }).workspace;
    const deal = applyDeal(w, null, { type: 'createDeal', deal: { id: 'x', layoutId: 'sales', pipelineId: 'used-cars', name: 'X', fields: { tradeIn: '' } } }, { at: T0 }).deal;
    expectPipelineError(() => step(deal, { type: 'moveToStage', stageId: 'quote' }, 1, w), 'required_fields_missing');
    const filled = step(deal, { type: 'updateDeal', patch: { fields: { tradeIn: 'Golf 2015' } } }, 1, w);
    expect(step(filled, { type: 'moveToStage', stageId: 'quote' }, 1, w).stageId).toBe('quote');
  });

  it('requires a lost reason when the pipeline says so, and keeps it on the deal', () => {
    expectPipelineError(() => step(newDeal(), { type: 'moveToStage', stageId: 'lost' }), 'lost_reason_required');
    const lost = step(newDeal(), { type: 'moveToStage', stageId: 'lost', lostReason: 'Bought elsewhere' });
    expect(lost.lostReason).toBe('Bought elsewhere');
    expect(lost.probability).toBe(0);
  });

  it('refuses a lost reason for a stage that is not lost', () => {
    expectPipelineError(() => step(newDeal(), { type: 'moveToStage', stageId: 'test-drive', lostReason: 'x' }), 'invalid_input');
  });

  it('follows the allowed transition graph', () => {
    const w = applyWorkspaceRules('used-cars', { allowed: { 'show-models': ['test-drive'], 'test-drive': ['show-models', 'lost'] } });
    const deal = applyDeal(w, null, { type: 'createDeal', deal: { id: 'x', layoutId: 'sales', pipelineId: 'used-cars', name: 'X' } }, { at: T0 }).deal;
    const e = expectPipelineError(() => step(deal, { type: 'moveToStage', stageId: 'quote' }, 1, w), 'transition_not_allowed');
    expect(e.details.violations).toEqual([expect.objectContaining({ code: 'transition_not_in_graph' })]);
    expect(step(deal, { type: 'moveToStage', stageId: 'test-drive' }, 1, w).stageId).toBe('test-drive');
  });

  it('lets bypassRules through and records it on the visit', () => {
    const deal = step(newDeal(), { type: 'moveToStage', stageId: 'negotiation', bypassRules: true });
    expect(deal.stageId).toBe('negotiation');
    expect(deal.history.at(-1)).toMatchObject({ by: 'ann', bypassedRules: true });
  });

  it('does nothing when the deal is already in the stage', () => {
    const deal = newDeal();
    const r = applyDeal(ws, deal, { type: 'moveToStage', stageId: 'requirements' }, { at: T0 + DAY });
    expect(r.events).toEqual([]);
    expect(r.deal).toBe(deal);
  });

  it('refuses a stage outside the pipeline, and a time before the last change', () => {
    expectPipelineError(() => step(newDeal(), { type: 'moveToStage', stageId: 'show-models' }), 'stage_not_in_pipeline');
    expectPipelineError(() => applyDeal(ws, newDeal(), { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 - 1 }), 'time_went_backwards');
  });
});

describe('closeDeal and reopenDeal', () => {
  const atNegotiation = () => ['test-drive', 'quote', 'negotiation'].reduce((d, stageId) => step(d, { type: 'moveToStage', stageId }), newDeal(ready));

  it('closes as won in the first won stage of the pipeline', () => {
    const deal = step(atNegotiation(), { type: 'closeDeal', outcome: 'won' });
    expect(deal).toMatchObject({ stageId: 'won', probability: 100, lostReason: null });
  });

  it('closes as lost from any stage with a reason', () => {
    const deal = step(newDeal(), { type: 'closeDeal', outcome: 'lost', lostReason: 'No budget' });
    expect(deal).toMatchObject({ stageId: 'lost', lostReason: 'No budget' });
    expectPipelineError(() => step(newDeal(), { type: 'closeDeal', outcome: 'lost' }), 'lost_reason_required');
  });

  it('does nothing when the deal already has that outcome', () => {
    const lost = step(newDeal(), { type: 'closeDeal', outcome: 'lost', lostReason: 'x' });
    expect(applyDeal(ws, lost, { type: 'closeDeal', outcome: 'lost' }, { at: lost.updatedAt }).events).toEqual([]);
  });

  it('refuses a stage with another outcome and a lost reason for a win', () => {
    expectPipelineError(() => step(atNegotiation(), { type: 'closeDeal', outcome: 'won', stageId: 'lost' }), 'invalid_input');
    expectPipelineError(() => step(atNegotiation(), { type: 'closeDeal', outcome: 'won', lostReason: 'x' }), 'invalid_input');
  });

  it('reopens a closed deal into an open stage and clears the lost reason', () => {
    const lost = step(newDeal(ready), { type: 'closeDeal', outcome: 'lost', lostReason: 'x' });
    const reopened = step(lost, { type: 'reopenDeal', stageId: 'quote' });
    expect(reopened).toMatchObject({ stageId: 'quote', lostReason: null, probability: 60 });
  });

  it('refuses to reopen when allowReopen is false, or an open deal, or into a closed stage', () => {
    const repair = newDeal({ id: 'r', layoutId: 'service' });
    const closed = step(repair, { type: 'moveToStage', stageId: 'cancelled' });
    const e = expectPipelineError(() => step(closed, { type: 'reopenDeal', stageId: 'analysis' }), 'transition_not_allowed');
    expect(e.details.violations).toEqual([expect.objectContaining({ code: 'reopen_not_allowed' })]);
    expectPipelineError(() => step(closed, { type: 'moveToStage', stageId: 'repair' }), 'transition_not_allowed');
    expectPipelineError(() => step(repair, { type: 'reopenDeal', stageId: 'analysis' }), 'transition_not_allowed');
    const lost = step(newDeal(), { type: 'closeDeal', outcome: 'lost', lostReason: 'x' });
    expectPipelineError(() => step(lost, { type: 'reopenDeal', stageId: 'won' }), 'invalid_input');
  });
});

describe('moveToPipeline', () => {
  it('lands in the same stage id when the target has it, keeping history from the earlier pipeline', () => {
    const deal = step(step(newDeal(ready), { type: 'moveToStage', stageId: 'test-drive' }), { type: 'moveToPipeline', pipelineId: 'used-cars' });
    expect(deal).toMatchObject({ pipelineId: 'used-cars', stageId: 'test-drive' });
    expect(deal.history.map((v) => `${v.pipelineId}/${v.stageId}`)).toEqual(['new-cars/requirements', 'new-cars/test-drive', 'used-cars/test-drive']);
  });

  it('uses an explicit stage, then the stage map, else asks for a mapping', () => {
    expect(step(newDeal(), { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'quote' }).stageId).toBe('quote');
    expect(step(newDeal(), { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } }).stageId).toBe('show-models');
    const e = expectPipelineError(() => step(newDeal(), { type: 'moveToPipeline', pipelineId: 'used-cars' }), 'stage_mapping_required');
    expect(e.details).toMatchObject({ stageId: 'requirements', pipelineId: 'used-cars' });
  });

  it('applies the probability override and the required fields of the target', () => {
    expect(step(newDeal(), { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'quote' }).probability).toBe(50);
    const toNewCars = newDeal({ id: 'u', pipelineId: 'used-cars' });
    expectPipelineError(() => step(toNewCars, { type: 'moveToPipeline', pipelineId: 'new-cars', stageId: 'quote' }), 'required_fields_missing');
  });

  it('moves a deal into another layout with a target in that layout', () => {
    const deal = step(newDeal({ id: 'r', layoutId: 'service' }), { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'show-models' });
    expect(deal).toMatchObject({ layoutId: 'sales', pipelineId: 'used-cars', stageId: 'show-models' });
    expect(deal.history[0]).toMatchObject({ pipelineId: 'repair', stageId: 'analysis' });
  });

  it('keeps a closed outcome in the target without counting it as a reopen', () => {
    const repair = step(newDeal({ id: 'r', layoutId: 'service' }), { type: 'moveToStage', stageId: 'closed' });
    const moved = step(repair, { type: 'moveToPipeline', pipelineId: 'service:standard' });
    expect(moved).toMatchObject({ pipelineId: 'service:standard', stageId: 'closed' });
    expectPipelineError(() => step(repair, { type: 'moveToPipeline', pipelineId: 'service:standard', stageId: 'analysis' }), 'transition_not_allowed');
  });

  it('refuses an unknown pipeline', () => {
    expectPipelineError(() => step(newDeal(), { type: 'moveToPipeline', pipelineId: 'nope' }), 'not_found');
  });
});

describe('updateDeal', () => {
  it('changes properties and fields; the probability override lasts until the next stage change', () => {
    let deal = step(newDeal(), { type: 'updateDeal', patch: { amount: 30000, currency: 'EUR', probability: 25, fields: { color: 'red', trim: 'GT' } } });
    expect(deal).toMatchObject({ amount: 30000, currency: 'EUR', probability: 25, fields: { color: 'red', trim: 'GT' }, version: 2 });
    deal = step(deal, { type: 'updateDeal', patch: { removeFields: ['trim'] } });
    expect(deal.fields).toEqual({ color: 'red' });
    deal = step(deal, { type: 'moveToStage', stageId: 'test-drive' });
    expect(deal.probability).toBe(30);
    expect(deal.history).toHaveLength(2);
  });

  it('does nothing when the patch changes nothing', () => {
    const deal = newDeal({ amount: 5 });
    expect(applyDeal(ws, deal, { type: 'updateDeal', patch: { amount: 5 } }, { at: T0 }).events).toEqual([]);
  });

  it('refuses a lost reason on a deal that is not lost, and clearing a required one', () => {
    expectPipelineError(() => step(newDeal(), { type: 'updateDeal', patch: { lostReason: 'x' } }), 'invalid_input');
    const lost = step(newDeal(), { type: 'closeDeal', outcome: 'lost', lostReason: 'x' });
    expectPipelineError(() => step(lost, { type: 'updateDeal', patch: { lostReason: null } }), 'lost_reason_required');
    expect(step(lost, { type: 'updateDeal', patch: { lostReason: 'Price' } }).lostReason).toBe('Price');
  });

  it('refuses prototype-polluting field keys and non-JSON values', () => {
    const deal = newDeal();
    expectPipelineError(() => step(deal, { type: 'updateDeal', patch: { fields: JSON.parse('{"__proto__": {"x": 1}}') } }), 'invalid_input');
    expectPipelineError(() => step(deal, { type: 'updateDeal', patch: { fields: { a: { constructor: 1 } } } }), 'invalid_input');
    expectPipelineError(() => step(deal, { type: 'updateDeal', patch: { fields: { a: Number.NaN } } }), 'invalid_input');
    expectPipelineError(() => step(deal, { type: 'updateDeal', patch: { closingDate: '2026-02-30' } }), 'invalid_input');
  });
});

describe('replayDeal / evolveDeal', () => {
  it('replaying the events gives the deal the reducers produced', () => {
    const events: DealEvent[] = [];
    let result = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd', layoutId: 'sales', name: 'X', ...ready } }, { at: T0 });
    events.push(...result.events);
    for (const command of [
      { type: 'moveToStage', stageId: 'test-drive' },
      { type: 'updateDeal', patch: { amount: 50000 } },
      { type: 'moveToPipeline', pipelineId: 'used-cars' },
      { type: 'closeDeal', outcome: 'lost', lostReason: 'Price' },
    ] as const) {
      result = applyDeal(ws, result.deal, command, { at: result.deal.updatedAt + DAY });
      events.push(...result.events);
    }
    expect(replayDeal(events)).toEqual(result.deal);
    expect(checkInvariants(ws, [result.deal], { now: result.deal.updatedAt + DAY })).toEqual([]);
  });

  it('never mutates a frozen deal or workspace', () => {
    const deal = deepFreeze(newDeal(ready));
    const [event] = decideDeal(ws, deal, { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + DAY });
    const next = evolveDeal(deal, event!);
    expect(next.history).toHaveLength(2);
    expect(deal.history).toHaveLength(1);
  });

  it('refuses an event other than dealCreated without a deal', () => {
    const [event] = decideDeal(ws, newDeal(), { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + DAY });
    expectPipelineError(() => evolveDeal(null, event!), 'invalid_input');
    expectPipelineError(() => replayDeal([]), 'invalid_input');
  });

  it('refuses a malformed deal argument with invalid_input', () => {
    expectPipelineError(() => applyDeal(ws, { id: 'x' } as never, { type: 'moveToStage', stageId: 'quote' }, { at: T0 }), 'invalid_input');
  });
});
