import { guarded } from '../_internal/guard.js';
import { PipelineError } from '../errors.js';
import type { Deal, FieldChange, StageVisit } from '../model/deal.js';
import { Instant } from '../model/primitives.js';
import { parseWith } from '../model/parse.js';
import type { ForecastCategory, Outcome } from '../model/stage.js';
import { assertDeal, assertHistory } from '../deals/shape.js';
import { assertDeals } from './common.js';
import { valueFits } from './valueFits.js';

/**
 * A deal as it stood at an instant: where it was and the values of its tracked properties.
 *
 * @example
 * ```ts
 * const then: DealState | null = dealAt(deal, '2026-03-03T12:00:00Z');
 * ```
 * @category Metrics
 */
export interface DealState {
  readonly dealId: string;
  readonly pipelineId: string | null;
  readonly stageId: string;
  readonly outcome: Outcome;
  readonly forecastCategory: ForecastCategory;
  readonly amount: number | null;
  readonly currency: string | null;
  readonly probability: number;
  readonly closingDate: string | null;
  readonly ownerId: string | null;
}

/**
 * The deal as it stood at `instant` ("time travel"): pipeline, stage, outcome and forecast category
 * from the stage visit in force, and amount, currency, probability, closing date and owner from
 * the change log. Visits and changes take effect at their instant: at the instant of a move or an
 * update the deal already has its new values.
 *
 * Deals stored before the change log existed (no `changes`, or a log that began later) are read
 * this way: before a field's first logged change, amount, probability and closing date are the
 * snapshot the visit in force took when the deal entered its stage (changes within a visit were not
 * recorded then); currency and owner are the first logged change's `from`, else the deal's
 * current value. For a deal with a complete log both readings agree.
 *
 * Worked example: created on 1 March in "requirements" with 10,000 EUR closing 30 June; amount
 * raised to 12,000 on 3 March; moved to "quote" on 5 March. `dealAt(deal, 4 March)` gives stage
 * `requirements`, amount 12,000, probability 10; `dealAt(deal, 5 March)` stage `quote`,
 * probability 60; `dealAt(deal, 28 February)` null.
 *
 * @param deal - the deal
 * @param instant - a Date, epoch ms or ISO string
 * @returns the deal's state then, or null before the deal was created
 * @example
 * ```ts
 * dealAt(deal, '2026-03-04T00:00:00Z');
 * // { dealId: 'd1', pipelineId: 'new-cars', stageId: 'requirements', outcome: 'open', forecastCategory: 'pipeline',
 * //   amount: 12000, currency: 'EUR', probability: 10, closingDate: '2026-06-30', ownerId: 'ann' }
 * ```
 * @category Metrics
 * @function
 */
export const dealAt = /* @__PURE__ */ guarded(function dealAt(deal: Deal, instant: Date | number | string): DealState | null {
  assertDeal(deal);
  assertHistory(deal);
  assertChangeLog(deal);
  return stateAt(deal, parseWith(Instant, instant, 'instant'));
}, ['deal', 'instant']);

/** Checks the deals of an analytics metric: deals, their history rows and their change logs. */
export function assertTimelines(deals: unknown): asserts deals is readonly Deal[] {
  assertDeals(deals);
  for (let i = 0; i < deals.length; i++) assertChangeLog(deals[i]!, `deals[${i}]`);
}

/** Checks the fields of a change log that the metrics read. */
export function assertChangeLog(deal: Deal, label = 'deal'): void {
  const log: unknown = deal.changes;
  if (log === undefined) return;
  if (!Array.isArray(log)) throw new PipelineError('invalid_input', `${label}.changes: expected an array of field changes`, { path: `${label}.changes` });
  for (let i = 0; i < log.length; i++) {
    const c = log[i] as Record<string, unknown> | null;
    if (typeof c !== 'object' || c === null || !Number.isFinite(c.at) || !valueFits(c.field, c.to) || !valueFits(c.field, c.from)) {
      throw new PipelineError('invalid_input', `${label}.changes[${i}]: expected a field change`, { path: `${label}.changes[${i}]` });
    }
  }
}


/**
 * Index of the visit in force at `t` (the last one entered at or before `t`), or -1. Searches from
 * the end, in steps that double, then halves the last step: most instants asked about are recent,
 * so the visits read are few and near the end, and a long history still costs O(log n) reads.
 */
export function visitIndexAt(history: readonly StageVisit[], t: number): number {
  let hi = history.length - 1;
  if (hi < 0 || enteredAt(history, hi) <= t) return hi;
  // From here on: visit `hi` was entered after t, visit `lo` (or the start, -1) at or before t.
  let lo = hi - 1;
  for (let step = 1; lo >= 0 && enteredAt(history, lo) > t; step *= 2) {
    hi = lo;
    lo = hi - step;
  }
  if (lo < 0) lo = -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (enteredAt(history, mid) <= t) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** `enteredAt` of visit `i`, checked: metrics read visits without a pass over the whole history first. */
function enteredAt(history: readonly StageVisit[], i: number): number {
  const v = history[i] as unknown as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || !Number.isFinite(v.enteredAt)) badVisit(i);
  return v!.enteredAt as number;
}

function badVisit(i: number): never {
  throw new PipelineError('invalid_input', `deal.history[${i}]: expected a stage visit`, { path: `deal.history[${i}]` });
}

function badChange(i: number): never {
  throw new PipelineError('invalid_input', `deal.changes[${i}]: expected a field change`, { path: `deal.changes[${i}]` });
}

/**
 * A cheap check of the deals handed to the snapshot and the waterfall: the array here, the
 * top-level fields of each deal ({@link assertDealShallow}) in the metric's own loop, visits and
 * changes as they are read, so that no extra pass over the deals or their history is needed.
 */
export function assertDealsShallow(deals: unknown): asserts deals is readonly Deal[] {
  if (!Array.isArray(deals)) throw new PipelineError('invalid_input', 'deals: expected an array of deals', { path: 'deals' });
}

/**
 * The per-deal half of {@link assertDealsShallow}, done in the metric's own pass over the deals:
 * the deal's own fields and its open visit as every other function checks them (finite numbers,
 * epoch-ms instants), then the change log's type; the earlier visits and the changes are checked
 * as they are read.
 */
export function assertDealShallow(d: unknown, i: number): asserts d is Deal {
  assertDeal(d, 'deals', i);
  if (d.changes !== undefined && !Array.isArray(d.changes)) {
    throw new PipelineError('invalid_input', `deals[${i}].changes: expected an array of field changes`, { path: `deals[${i}].changes` });
  }
}

/** A {@link DealState} a reader fills in place: one per pass over many deals instead of one per deal. */
export type StateSlot = { -readonly [K in keyof DealState]: DealState[K] };

/** A blank {@link StateSlot}, for {@link readStateAt} to fill. */
export function stateSlot(): StateSlot {
  return { dealId: '', pipelineId: null, stageId: '', outcome: 'open', forecastCategory: 'pipeline', amount: null, currency: null, probability: 0, closingDate: null, ownerId: null };
}

/** {@link dealAt} on a checked deal and an instant in epoch ms. */
export function stateAt(deal: Deal, t: number): DealState | null {
  const s = stateSlot();
  return readStateAt(deal, t, s) ? s : null;
}

/**
 * {@link stateAt} into `into`: fills it and gives true, or gives false (leaving it partly
 * overwritten) when the deal did not exist or had ended at `t`. Checks the visit in force and every
 * logged change as it reads them.
 */
export function readStateAt(deal: Deal, t: number, into: StateSlot): boolean {
  const h = deal.history;
  const i = visitIndexAt(h, t);
  const v = h[i];
  if (v === undefined) return false;
  if ((v.exitedAt !== null && !Number.isFinite(v.exitedAt)) || typeof v.stageId !== 'string' || (v.pipelineId !== null && typeof v.pipelineId !== 'string')) badVisit(i);
  if (v.exitedAt !== null && t >= v.exitedAt) return false;
  if ((v.amount !== null && !Number.isFinite(v.amount)) || !Number.isFinite(v.probability)) badVisit(i);
  // Before the first logged change of a field, amount, probability and closing date are the visit's
  // snapshot, currency and owner the deal's current value (or the first later change's `from`).
  let amount = v.amount;
  let probability = v.probability;
  let closingDate = v.closingDate;
  let currency = deal.currency;
  let currencyLogged = false;
  let ownerId = deal.ownerId;
  let ownerLogged = false;
  const log = deal.changes;
  if (log !== undefined) {
    for (let k = 0; k < log.length; k++) {
      const c = log[k]!;
      if (typeof c !== 'object' || c === null || !Number.isFinite(c.at)) badChange(k);
      // Before t: the latest value wins. After t: the first change's `from` is the value at t
      // (used for currency and owner, which no visit snapshots). `to` is checked against its
      // field here, a number's `from` too, a text's `from` only where it is read, below.
      const past = c.at <= t;
      const to = c.to;
      switch (c.field) {
        case 'amount':
          if ((to !== null && !isFiniteNumber(to)) || (c.from !== null && !isFiniteNumber(c.from))) badChange(k);
          if (past) amount = to;
          break;
        case 'probability':
          if (!isFiniteNumber(to) || !isFiniteNumber(c.from)) badChange(k);
          if (past) probability = to;
          break;
        case 'closingDate':
          if (to !== null && typeof to !== 'string') badChange(k);
          if (past) closingDate = to;
          break;
        case 'currency':
          if (to !== null && typeof to !== 'string') badChange(k);
          if (past) {
            currency = to;
            currencyLogged = true;
          } else if (!currencyLogged) {
            currency = fitting(c, k) as string | null;
            currencyLogged = true;
          }
          break;
        case 'ownerId':
          if (to !== null && typeof to !== 'string') badChange(k);
          if (past) {
            ownerId = to;
            ownerLogged = true;
          } else if (!ownerLogged) {
            ownerId = fitting(c, k) as string | null;
            ownerLogged = true;
          }
          break;
        default:
          badChange(k);
      }
    }
  }
  into.dealId = deal.id;
  into.pipelineId = v.pipelineId;
  into.stageId = v.stageId;
  into.outcome = v.outcome;
  into.forecastCategory = v.forecastCategory;
  into.amount = amount;
  into.currency = currency;
  into.probability = probability;
  into.closingDate = closingDate;
  into.ownerId = ownerId;
  return true;
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The `from` of a change, checked. */
function fitting(c: FieldChange, k: number): FieldChange['from'] {
  return valueFits(c.field, c.from) ? c.from : badChange(k);
}

/**
 * The distinct instants in `[from, to)` at which the deal's state may change (visit entries and
 * logged changes), in time order. Between two of them, and before the first, the state is constant.
 */
export function changeInstants(deal: Deal, from: number, to: number): number[] {
  const h = deal.history;
  const log = deal.changes ?? [];
  const out: number[] = [];
  let i = 0;
  let j = 0;
  let last = NaN;
  // Visits and changes are each in time order: merge them, keeping instants in [from, to) once.
  for (;;) {
    const tv = i < h.length ? enteredAt(h, i) : Infinity;
    const c = log[j];
    if (j < log.length && (typeof c !== 'object' || c === null || !Number.isFinite(c.at))) badChange(j);
    const tc = j < log.length ? c!.at : Infinity;
    let t: number;
    if (tv <= tc) {
      t = tv;
      i++;
    } else {
      t = tc;
      j++;
    }
    if (t === Infinity || t >= to) break;
    if (t >= from && t !== last) out.push((last = t));
  }
  return out;
}
