import { guarded } from '../_internal/guard.js';
import * as z from 'zod';
import { PipelineError } from '../errors.js';
import type { Deal, FieldChange } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { CalendarDate, Id } from '../model/primitives.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { checkWindow, parseOptions, tallied, WindowShape, type Tally } from './common.js';
import { assertDealShallow, assertDealsShallow } from './dealAt.js';
import { valueFits } from './valueFits.js';

/**
 * One bar of a waterfall: how many deals, their amount, and which deals.
 *
 * @example
 * ```ts
 * const pushed: WaterfallBucket | undefined = pipelineWaterfall(ws, deals, { from, to }).EUR?.pushedOut;
 * ```
 * @category Metrics
 */
export interface WaterfallBucket {
  /** Distinct deals in the bucket. */
  count: number;
  /** Sum of the amounts the bucket moved (a deal in it twice counts twice). */
  amount: number;
  dealIds: string[];
}

/**
 * The waterfall of one currency. `start + created + pulledIn + increased + reopened + movedIn −
 * decreased − pushedOut − won − lost − movedOut = end`, always.
 *
 * @example
 * ```ts
 * const eur: WaterfallCurrency | undefined = pipelineWaterfall(ws, deals, { from, to }).EUR;
 * ```
 * @category Metrics
 */
export interface WaterfallCurrency {
  readonly start: WaterfallBucket;
  readonly created: WaterfallBucket;
  readonly pulledIn: WaterfallBucket;
  readonly increased: WaterfallBucket;
  readonly reopened: WaterfallBucket;
  readonly movedIn: WaterfallBucket;
  readonly decreased: WaterfallBucket;
  readonly pushedOut: WaterfallBucket;
  readonly won: WaterfallBucket;
  readonly lost: WaterfallBucket;
  readonly movedOut: WaterfallBucket;
  readonly end: WaterfallBucket;
}

type BucketName = keyof WaterfallCurrency;

const WaterfallOptions = z.strictObject({
  ...WindowShape,
  pipelineId: Id.optional(),
  closingFrom: CalendarDate.optional(),
  closingTo: CalendarDate.optional(),
});

const BUCKETS: readonly BucketName[] = ['start', 'created', 'pulledIn', 'increased', 'reopened', 'movedIn', 'decreased', 'pushedOut', 'won', 'lost', 'movedOut', 'end'];

/**
 * The pipeline waterfall between two instants (Salesforce's waterfall, Clari and Weflow's
 * pipeline flow), per currency, never converted.
 *
 * Definition. A deal is *in the pipeline* at an instant when it exists then, sits in an open stage
 * (of `pipelineId`, when given) and its closing date lies in `[closingFrom, closingTo]` (inclusive
 * calendar dates; without bounds every open deal counts, with one a deal without a closing date does
 * not). Everything is read with {@link dealAt}. `start` is the pipeline just before `from` (at
 * `from − 1` ms), `end` just before `to`, so everything that happened in `[from, to)` is counted.
 * Each instant in the window at which a deal changed is one step, classified:
 * - entering: `created` (the deal came into existence), `reopened` (from a closed stage), `movedIn`
 *   (from another pipeline), `pulledIn` (its closing date moved into the window) — its amount after;
 * - leaving: `won`, `lost`, `movedOut` (to another pipeline), `pushedOut` (its closing date moved out
 *   of the window, or was cleared) — its amount before;
 * - staying: `increased` / `decreased` by the change of amount. A change of currency counts as a
 *   decrease of the old amount in the old currency and an increase of the new one in the new.
 * A deal can appear in several buckets (pushed out, then pulled back in). Amounts are summed as
 * recorded; a deal without an amount counts with 0 (and still appears in the ids).
 *
 * Worked example, window March, no closing bounds: on 1 March A (10,000, open) and B (5,000, open)
 * are in the pipeline; on 3 March C is created with 8,000; on 10 March A's amount goes to 12,000;
 * on 20 March B is won. EUR: start 15,000 (A, B) + created 8,000 (C) + increased 2,000 (A) − won
 * 5,000 (B) = end 20,000 (A, C).
 *
 * @param ws - the workspace (checked)
 * @param deals - the deals
 * @param opts - `{ from, to, pipelineId?, closingFrom?, closingTo? }`
 * @returns `Record<currency, WaterfallCurrency>` (deals without a currency under `''`)
 * @example
 * ```ts
 * const eur = pipelineWaterfall(ws, deals, { from: '2026-03-01', to: '2026-04-01', closingTo: '2026-06-30' }).EUR;
 * // { start: { count: 2, amount: 15000, dealIds: ['a', 'b'] }, created: { count: 1, amount: 8000, dealIds: ['c'] }, ..., end: { count: 2, amount: 20000, ... } }
 * ```
 * @category Metrics
 * @function
 */
export const pipelineWaterfall = /* @__PURE__ */ guarded(function pipelineWaterfall(
  ws: Workspace,
  deals: readonly Deal[],
  opts: { from: Date | number | string; to: Date | number | string; pipelineId?: string; closingFrom?: string; closingTo?: string },
): Record<string, WaterfallCurrency> {
  const tally = waterfallTally(ws, opts);
  assertDealsShallow(deals);
  for (let i = 0; i < deals.length; i++) assertDealShallow(deals[i]!, i);
  return tallied(tally, deals);
}, ['workspace', 'deals', 'opts']);

/**
 * The waterfall as a {@link Tally}: each deal walked once into the buckets (the buckets hold the
 * ids). With `timelines`, it is given `DealTimeline`s, whose visits hold only the fields the walk
 * reads (no exit instant or probability to check).
 */
export function waterfallTally(ws: Workspace, opts: unknown, timelines = false): Tally<Record<string, WaterfallCurrency>> & { readonly before: number } {
  checkedWorkspace(ws);
  const o = parseOptions(WaterfallOptions, opts);
  checkWindow(o.from, o.to);
  const w: Walk = {
    from: o.from,
    to: o.to,
    pipelineId: o.pipelineId,
    closingFrom: o.closingFrom,
    closingTo: o.closingTo,
    bounded: o.closingFrom !== undefined || o.closingTo !== undefined,
    timelines,
    out: Object.create(null) as Record<string, WaterfallCurrency>,
    byCurrency: new Map(),
    lastCurrency: undefined,
    lastBuckets: [],
  };
  // Nothing at or after `to` is read: a store may leave later visits out (`before`).
  return { add: (deal) => walk(w, deal), result: () => w.out, before: o.to };
}

/** The options of one waterfall, read once, and the buckets it fills. */
interface Walk {
  readonly from: number;
  readonly to: number;
  readonly pipelineId: string | undefined;
  readonly closingFrom: string | undefined;
  readonly closingTo: string | undefined;
  /** Whether a closing bound is given (then a deal without a closing date is out). */
  readonly bounded: boolean;
  /** Whether the deals are timelines (see {@link waterfallTally}). */
  readonly timelines: boolean;
  readonly out: Record<string, WaterfallCurrency>;
  /** The buckets of each currency in {@link BUCKETS} order. */
  readonly byCurrency: Map<string, WaterfallBucket[]>;
  /** The currency last written to and its buckets: deals of one currency follow each other. */
  lastCurrency: string | undefined;
  lastBuckets: WaterfallBucket[];
}

// Indexes into BUCKETS.
const START = 0;
const CREATED = 1;
const PULLED_IN = 2;
const INCREASED = 3;
const REOPENED = 4;
const MOVED_IN = 5;
const DECREASED = 6;
const PUSHED_OUT = 7;
const WON = 8;
const LOST = 9;
const MOVED_OUT = 10;
const END = 11;

/** Adds `amount` and the deal to a bucket of a currency (a deal is listed once per run of puts). */
function put(w: Walk, currency: string | null, dealId: string, bucket: number, amount: number): void {
  const key = currency ?? '';
  let buckets = w.lastBuckets;
  if (key !== w.lastCurrency) {
    let found = w.byCurrency.get(key);
    if (found === undefined) {
      const c = emptyCurrency();
      w.out[key] = c;
      found = BUCKETS.map((name) => c[name]);
      w.byCurrency.set(key, found);
    }
    w.lastCurrency = key;
    w.lastBuckets = buckets = found;
  }
  const b = buckets[bucket]!;
  b.amount += amount;
  const ids = b.dealIds;
  if (ids[ids.length - 1] !== dealId) {
    ids.push(dealId);
    b.count++;
  }
}

/** Whether a state is in the pipeline the waterfall looks at. */
function inScope(w: Walk, exists: boolean, outcome: string, pipelineId: string | null, closingDate: string | null): boolean {
  if (!exists || outcome !== 'open' || (w.pipelineId !== undefined && pipelineId !== w.pipelineId)) return false;
  if (!w.bounded) return true;
  // 'YYYY-MM-DD' strings compare in calendar order.
  return closingDate !== null && (w.closingFrom === undefined || closingDate >= w.closingFrom) && (w.closingTo === undefined || closingDate <= w.closingTo);
}

/**
 * One pass over a deal's visits and changes, merged by time: the state before `from` is the start,
 * each instant in `[from, to)` is a step, the state after the last one is the end. Reads the deal
 * exactly as {@link dealAt} does (a logged value wins over the visit's snapshot). Each visit and
 * change is checked once, when it is first read; the state lives in locals, so nothing is
 * allocated per deal.
 */
function walk(w: Walk, deal: Deal): void {
  const id = deal.id;
  const h = deal.history;
  const log = deal.changes;
  const nVisits = h.length;
  const nChanges = log === undefined ? 0 : log.length;
  // The currency before the first logged change of it; changes below `checked` are checked already.
  let currency = deal.currency;
  let checked = 0;
  while (checked < nChanges) {
    const c = checkedChange(log!, checked++);
    if (c.field === 'currency') {
      currency = c.from as string | null;
      break;
    }
  }
  let exists = false;
  let pipelineId: string | null = null;
  let outcome = 'open';
  let amount: number | null = null;
  let closingDate: string | null = null;
  let amountLogged = false;
  let closingLogged = false;
  let started = false;
  // Whether the state before the current step is in scope (once started).
  let was = false;
  let i = 0;
  let j = 0;
  let tv = nVisits > 0 ? checkedVisit(h, 0, w.timelines).enteredAt : Infinity;
  let tc = nChanges > 0 ? (checked > 0 ? log![0]!.at : checkedChange(log!, 0).at) : Infinity;
  for (;;) {
    const t = tv < tc ? tv : tc;
    // Also stops at an instant that is not a number (NaN): nothing could be read at it.
    if (!(t < w.to)) break;
    if (!started && t >= w.from) {
      started = true;
      was = inScope(w, exists, outcome, pipelineId, closingDate);
      if (was) put(w, currency, id, START, amount ?? 0);
    }
    const prevExists = exists;
    const prevPipelineId = pipelineId;
    const prevOutcome = outcome;
    const prevAmount = amount;
    const prevCurrency = currency;
    while (tv === t) {
      const v = h[i++]!;
      exists = true;
      pipelineId = v.pipelineId;
      outcome = v.outcome;
      if (!amountLogged) amount = v.amount;
      if (!closingLogged) closingDate = v.closingDate;
      tv = i < nVisits ? checkedVisit(h, i, w.timelines).enteredAt : Infinity;
    }
    while (tc === t) {
      const c = log![j++]!;
      if (c.field === 'amount') {
        amount = c.to as number | null;
        amountLogged = true;
      } else if (c.field === 'closingDate') {
        closingDate = c.to as string | null;
        closingLogged = true;
      } else if (c.field === 'currency') currency = c.to as string | null;
      tc = j < nChanges ? (j < checked ? log![j]!.at : checkedChange(log!, j).at) : Infinity;
    }
    if (!started) continue;
    // Classifies the step (see the definition above).
    const is = inScope(w, exists, outcome, pipelineId, closingDate);
    if (was && is) {
      const before = prevAmount ?? 0;
      const after = amount ?? 0;
      if (prevCurrency !== currency) {
        put(w, prevCurrency, id, DECREASED, before);
        put(w, currency, id, INCREASED, after);
      } else if (after > before) put(w, currency, id, INCREASED, after - before);
      else if (after < before) put(w, currency, id, DECREASED, before - after);
    } else if (is) {
      const why = !prevExists ? CREATED : prevOutcome !== 'open' ? REOPENED : prevPipelineId !== pipelineId ? MOVED_IN : PULLED_IN;
      put(w, currency, id, why, amount ?? 0);
    } else if (was) {
      const why = outcome === 'won' ? WON : outcome === 'lost' ? LOST : prevPipelineId !== pipelineId ? MOVED_OUT : PUSHED_OUT;
      put(w, prevCurrency, id, why, prevAmount ?? 0);
    }
    was = is;
  }
  if (!started) {
    was = inScope(w, exists, outcome, pipelineId, closingDate);
    if (was) put(w, currency, id, START, amount ?? 0);
  }
  if (was) put(w, currency, id, END, amount ?? 0);
}

function checkedVisit(h: Deal['history'], i: number, timeline: boolean): Deal['history'][number] {
  const v = h[i] as unknown as Record<string, unknown> | null;
  const ok =
    typeof v === 'object' && v !== null && Number.isFinite(v.enteredAt) && (timeline || ((v.exitedAt === null || Number.isFinite(v.exitedAt)) && Number.isFinite(v.probability))) &&
    (v.pipelineId === null || typeof v.pipelineId === 'string') && typeof v.outcome === 'string' &&
    (v.amount === null || Number.isFinite(v.amount)) && (v.closingDate === null || typeof v.closingDate === 'string');
  if (!ok) throw new PipelineError('invalid_input', `deal.history[${i}]: expected a stage visit`, { path: `deal.history[${i}]` });
  return h[i]!;
}

function checkedChange(log: readonly FieldChange[], k: number): FieldChange {
  const c = log[k] as unknown as Record<string, unknown> | null;
  if (typeof c !== 'object' || c === null || !Number.isFinite(c.at) || !valueFits(c.field, c.to) || !valueFits(c.field, c.from)) {
    throw new PipelineError('invalid_input', `deal.changes[${k}]: expected a field change`, { path: `deal.changes[${k}]` });
  }
  return log[k]!;
}

function emptyCurrency(): WaterfallCurrency {
  const c = {} as Record<BucketName, WaterfallBucket>;
  for (const name of BUCKETS) c[name] = { count: 0, amount: 0, dealIds: [] };
  return c;
}
