import { PipelineError } from '../errors.js';
import type { Deal, StageVisit } from '../model/deal.js';
import type { JsonValue } from '../model/primitives.js';
import type { DealEvent } from './events.js';

const expected = (amount: number | null, probability: number): number | null =>
  amount === null ? null : (amount * probability) / 100;

/**
 * Applies one deal event. Total over a well-formed event stream: a `dealCreated` needs no deal,
 * every other event needs one (otherwise a PipelineError `invalid_input`). Never mutates its
 * inputs; unchanged parts (older history rows, fields) are shared.
 *
 * Written by hand rather than with immer: this is the hot path of bulk updates.
 *
 * @param deal - the deal before the event, or null before `dealCreated`
 * @param event - an event from {@link decideDeal}
 * @returns the deal after the event
 * @example
 * ```ts
 * const events = decideDeal(ws, null, { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', name: 'Fleet' } }, { at: 0 });
 * const deal = evolveDeal(null, events[0]);
 * deal.version; // 1
 * ```
 */
export function evolveDeal(deal: Deal | null, event: DealEvent): Deal {
  if (event.type === 'dealCreated') return created(event);
  if (deal === null) {
    throw new PipelineError('invalid_input', `event ${event.type}: deal ${event.dealId} does not exist yet`, { dealId: event.dealId });
  }
  return event.type === 'dealStageChanged' ? stageChanged(deal, event) : updated(deal, event);
}

function created(e: Extract<DealEvent, { type: 'dealCreated' }>): Deal {
  const visit: StageVisit = {
    pipelineId: e.pipelineId,
    stageId: e.stageId,
    enteredAt: e.at,
    exitedAt: null,
    amount: e.amount,
    probability: e.probability,
    expectedRevenue: expected(e.amount, e.probability),
    closingDate: e.closingDate,
    forecastCategory: e.forecastCategory,
    outcome: e.outcome,
    by: e.by,
    bypassedRules: e.bypassedRules,
  };
  return {
    id: e.dealId,
    layoutId: e.layoutId,
    pipelineId: e.pipelineId,
    stageId: e.stageId,
    name: e.name,
    amount: e.amount,
    currency: e.currency,
    probability: e.probability,
    closingDate: e.closingDate,
    ownerId: e.ownerId,
    lostReason: e.lostReason,
    fields: { ...e.fields },
    createdAt: e.at,
    updatedAt: e.at,
    version: e.version,
    history: [visit],
  };
}

function stageChanged(deal: Deal, e: Extract<DealEvent, { type: 'dealStageChanged' }>): Deal {
  const last = deal.history.length - 1;
  const history = deal.history.slice();
  const open = history[last];
  if (open) history[last] = { ...open, exitedAt: e.at };
  history.push({
    pipelineId: e.to.pipelineId,
    stageId: e.to.stageId,
    enteredAt: e.at,
    exitedAt: null,
    amount: deal.amount,
    probability: e.probability,
    expectedRevenue: expected(deal.amount, e.probability),
    closingDate: deal.closingDate,
    forecastCategory: e.forecastCategory,
    outcome: e.to.outcome,
    by: e.by,
    bypassedRules: e.bypassedRules,
  });
  return {
    ...deal,
    layoutId: e.to.layoutId,
    pipelineId: e.to.pipelineId,
    stageId: e.to.stageId,
    probability: e.probability,
    lostReason: e.lostReason,
    updatedAt: e.at,
    version: e.version,
    history,
  };
}

function updated(deal: Deal, e: Extract<DealEvent, { type: 'dealUpdated' }>): Deal {
  let fields: Record<string, JsonValue> = deal.fields;
  if (Object.keys(e.fields).length > 0 || e.removeFields.length > 0) {
    fields = { ...deal.fields, ...e.fields };
    for (const key of e.removeFields) delete fields[key];
  }
  return { ...deal, ...e.changes, fields, updatedAt: e.at, version: e.version } as Deal;
}
