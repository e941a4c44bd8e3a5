import { guarded, malformed } from '../_internal/guard.js';
import { PipelineError } from '../errors.js';
import { assertDeal, assertHistory } from './shape.js';
import type { Deal, FieldChange, StageVisit, TrackedField } from '../model/deal.js';
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
 * @category Deals and rules
 * @function
 */
export const evolveDeal = /* @__PURE__ */ guarded(function evolveDeal(deal: Deal | null, event: DealEvent): Deal {
  if (deal !== null) {
    assertDeal(deal);
    assertHistory(deal);
  }
  return evolveChecked(deal, event);
}, ['deal', 'event']);

/** Checks the event, then applies it; anything malformed becomes `invalid_input`. */
export function evolveChecked(deal: Deal | null, event: DealEvent, label = 'event'): Deal {
  assertDealEvent(event, label);
  try {
    return evolveTrusted(deal, event);
  } catch (e) {
    throw malformed(e, event, label, `${event.type} event`);
  }
}

const EVENT_TYPES = new Set(['dealCreated', 'dealStageChanged', 'dealUpdated']);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** A cheap check of the fields `evolveDeal` reads from an event. */
export function assertDealEvent(e: unknown, label = 'event'): asserts e is DealEvent {
  const bad = (what: string): never => {
    throw new PipelineError('invalid_input', `${label}: ${what}`, { path: label });
  };
  if (!isObj(e) || !EVENT_TYPES.has(e.type as string)) bad('expected a deal event');
  const ev = e as Record<string, unknown>;
  if (typeof ev.dealId !== 'string' || typeof ev.at !== 'number' || typeof ev.version !== 'number') bad('expected dealId, at and version');
  if (ev.type === 'dealCreated' && (typeof ev.stageId !== 'string' || typeof ev.layoutId !== 'string' || !isObj(ev.fields))) bad('expected layoutId, stageId and fields');
  if (ev.type === 'dealStageChanged' && (!isObj(ev.to) || typeof ev.to.stageId !== 'string' || typeof ev.probability !== 'number')) bad('expected the target position and probability');
  if (ev.type === 'dealUpdated' && (!isObj(ev.changes) || !isObj(ev.fields) || !Array.isArray(ev.removeFields))) bad('expected changes, fields and removeFields');
}

/** {@link evolveDeal} for events this library decided itself: no checks. */
export function evolveTrusted(deal: Deal | null, event: DealEvent): Deal {
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
    changes: [],
  };
}

/**
 * A deal after a stage change. `ownsHistory`: the caller owns `deal.history` (a replay building
 * the deal from nothing) and it is appended to in place, which keeps a replay linear in the
 * number of events; otherwise it is copied, as immutability requires.
 */
export function stageChanged(deal: Deal, e: Extract<DealEvent, { type: 'dealStageChanged' }>, ownsHistory = false, ownsLog = false): Deal {
  const before = deal.history;
  const last = before.length - 1;
  const visit: StageVisit = {
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
  };
  const open = before[last];
  const closed = open ? { ...open, exitedAt: e.at } : open;
  let history: StageVisit[];
  if (ownsHistory) {
    history = before as StageVisit[];
    if (closed) history[last] = closed;
    history.push(visit);
  } else {
    // Sized once and filled: slice() then push() copies the rows twice and keeps a larger array.
    history = new Array<StageVisit>(last + 2);
    for (let i = 0; i < last; i++) history[i] = before[i]!;
    if (last >= 0) history[last] = closed!;
    history[last + 1] = visit;
  }
  if (e.probability === deal.probability) return moved(deal, e, history, deal.changes);
  const entry = change(e, 'probability', deal.probability, e.probability);
  return moved(deal, e, history, deal.changes === undefined ? [entry] : logged(deal, ownsLog, [entry]));
}

/**
 * The deal in its new place, in one object literal: a spread followed by overrides costs more
 * on every move, and a spread that adds `changes` gives an object V8 copies several times slower
 * on every later move. `changes` stays absent while it is absent and nothing is logged.
 */
function moved(d: Deal, e: Extract<DealEvent, { type: 'dealStageChanged' }>, history: StageVisit[], changes: FieldChange[] | undefined): Deal {
  const to = e.to;
  if (changes === undefined) {
    return {
      id: d.id, layoutId: to.layoutId, pipelineId: to.pipelineId, stageId: to.stageId, name: d.name, amount: d.amount, currency: d.currency,
      probability: e.probability, closingDate: d.closingDate, ownerId: d.ownerId, lostReason: e.lostReason, fields: d.fields,
      createdAt: d.createdAt, updatedAt: e.at, version: e.version, history,
    };
  }
  return {
    id: d.id, layoutId: to.layoutId, pipelineId: to.pipelineId, stageId: to.stageId, name: d.name, amount: d.amount, currency: d.currency,
    probability: e.probability, closingDate: d.closingDate, ownerId: d.ownerId, lostReason: e.lostReason, fields: d.fields,
    createdAt: d.createdAt, updatedAt: e.at, version: e.version, history, changes,
  };
}

export function updated(deal: Deal, e: Extract<DealEvent, { type: 'dealUpdated' }>, ownsLog = false): Deal {
  let fields: Record<string, JsonValue> = deal.fields;
  if (Object.keys(e.fields).length > 0 || e.removeFields.length > 0) {
    fields = { ...deal.fields, ...e.fields };
    for (const key of e.removeFields) delete fields[key];
  }
  let entries: FieldChange[] | null = null;
  for (const field of TRACKED) {
    const to = e.changes[field];
    if (to === undefined || to === deal[field]) continue;
    (entries ??= []).push(change(e, field, deal[field], to));
  }
  const next = { ...deal, ...e.changes, fields, updatedAt: e.at, version: e.version } as Deal;
  if (entries === null) return next;
  if (deal.changes === undefined) return withLog(next, entries);
  next.changes = logged(deal, ownsLog, entries);
  return next;
}

/**
 * A deal stored before the log, with its first entries. Spelled out rather than spread: an object
 * spread that adds a key gives an object V8 copies several times slower on every later move.
 */
function withLog(d: Deal, changes: FieldChange[]): Deal {
  return {
    id: d.id, layoutId: d.layoutId, pipelineId: d.pipelineId, stageId: d.stageId, name: d.name, amount: d.amount, currency: d.currency,
    probability: d.probability, closingDate: d.closingDate, ownerId: d.ownerId, lostReason: d.lostReason, fields: d.fields,
    createdAt: d.createdAt, updatedAt: d.updatedAt, version: d.version, history: d.history, changes,
  };
}

const TRACKED: readonly TrackedField[] = ['amount', 'currency', 'closingDate', 'probability', 'ownerId'];

const change = (e: DealEvent, field: TrackedField, from: FieldChange['from'], to: FieldChange['to']): FieldChange => ({ at: e.at, by: e.by, field, from, to });

/**
 * The deal's change log with `entries` appended. A deal stored before the log existed starts one
 * at its first tracked change (see `dealAt` for what the metrics assume before that). With
 * `owned`, the log is the caller's own array (a replay building a deal) and grows in place.
 */
function logged(deal: Deal, owned: boolean, entries: FieldChange[]): FieldChange[] {
  const log: unknown = deal.changes;
  if (log === undefined) return entries;
  if (!Array.isArray(log)) throw new PipelineError('invalid_input', `deal.changes: expected an array of field changes`, { path: 'deal.changes' });
  if (!owned) return (log as FieldChange[]).concat(entries);
  for (const entry of entries) (log as FieldChange[]).push(entry);
  return log as FieldChange[];
}
