import * as z from 'zod';
import { PipelineError } from '../errors.js';
import type { Deal, FieldChange } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { CalendarDate, Id } from '../model/primitives.js';
import { assertWorkspace } from '../workspace/validate.js';
import { checkWindow, parseOptions, WindowShape } from './common.js';
import { assertDealShallow, assertDealsShallow } from './dealAt.js';
import { valueFits } from './valueFits.js';

/**
 * One bar of a waterfall: how many deals, their amount, and which deals.
 *
 * @example
 * ```ts
 * const pushed: WaterfallBucket | undefined = pipelineWaterfall(ws, deals, { from, to }).EUR?.pushedOut;
 * ```
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
 */
export function pipelineWaterfall(
  ws: Workspace,
  deals: readonly Deal[],
  opts: { from: Date | number | string; to: Date | number | string; pipelineId?: string; closingFrom?: string; closingTo?: string },
): Record<string, WaterfallCurrency> {
  assertWorkspace(ws);
  const o = parseOptions(WaterfallOptions, opts);
  checkWindow(o.from, o.to);
  assertDealsShallow(deals);
  const inScope = membership(o.pipelineId, o.closingFrom, o.closingTo);
  const out: Record<string, WaterfallCurrency> = Object.create(null);
  const put: Put = (p, bucket, amount) => {
    const c = (out[p.currency ?? ''] ??= emptyCurrency());
    const b = c[bucket];
    b.amount += amount;
    if (b.dealIds[b.dealIds.length - 1] !== p.dealId) {
      b.dealIds.push(p.dealId);
      b.count++;
    }
  };
  for (let i = 0; i < deals.length; i++) {
    const deal = deals[i]!;
    assertDealShallow(deal, i);
    walk(deal, o.from, o.to, inScope, put);
  }
  return out;
}

/** What the waterfall tracks of a deal while it walks its timeline. */
interface Position {
  dealId: string;
  exists: boolean;
  pipelineId: string | null;
  outcome: string;
  amount: number | null;
  currency: string | null;
  closingDate: string | null;
}

type Put = (p: Position, bucket: BucketName, amount: number) => void;

/** Copies `from` into `into`: one scratch object per deal instead of one per step. */
function assign(into: Position, from: Position): Position {
  into.dealId = from.dealId;
  into.exists = from.exists;
  into.pipelineId = from.pipelineId;
  into.outcome = from.outcome;
  into.amount = from.amount;
  into.currency = from.currency;
  into.closingDate = from.closingDate;
  return into;
}

/**
 * One pass over a deal's visits and changes, merged by time: the state before `from` is the start,
 * each instant in `[from, to)` is a step, the state after the last one is the end. Reads the deal
 * exactly as {@link dealAt} does (a logged value wins over the visit's snapshot).
 */
function walk(deal: Deal, from: number, to: number, inScope: (p: Position) => boolean, put: Put): void {
  const h = deal.history;
  const log = deal.changes ?? [];
  let currency = deal.currency;
  for (let k = 0; k < log.length; k++) {
    const c = checkedChange(log, k);
    if (c.field === 'currency') {
      currency = c.from as string | null;
      break;
    }
  }
  const cur: Position = { dealId: deal.id, exists: false, pipelineId: null, outcome: 'open', amount: null, currency, closingDate: null };
  const prev: Position = { ...cur };
  let amountLogged = false;
  let closingLogged = false;
  let started = false;
  let i = 0;
  let j = 0;
  for (;;) {
    const tv = i < h.length ? checkedVisit(h, i).enteredAt : Infinity;
    const tc = j < log.length ? checkedChange(log, j).at : Infinity;
    const t = tv < tc ? tv : tc;
    if (t === Infinity || t >= to) break;
    if (!started && t >= from) {
      started = true;
      if (inScope(cur)) put(cur, 'start', cur.amount ?? 0);
    }
    const before = started ? assign(prev, cur) : null;
    while (i < h.length && checkedVisit(h, i).enteredAt === t) {
      const v = h[i++]!;
      cur.exists = true;
      cur.pipelineId = v.pipelineId;
      cur.outcome = v.outcome;
      if (!amountLogged) cur.amount = v.amount;
      if (!closingLogged) cur.closingDate = v.closingDate;
    }
    while (j < log.length && checkedChange(log, j).at === t) {
      const c = log[j++]!;
      if (c.field === 'amount') {
        cur.amount = c.to as number | null;
        amountLogged = true;
      } else if (c.field === 'closingDate') {
        cur.closingDate = c.to as string | null;
        closingLogged = true;
      } else if (c.field === 'currency') cur.currency = c.to as string | null;
    }
    if (before) step(before, cur, inScope, put);
  }
  if (!started && inScope(cur)) put(cur, 'start', cur.amount ?? 0);
  if (inScope(cur)) put(cur, 'end', cur.amount ?? 0);
}

function checkedVisit(h: Deal['history'], i: number): Deal['history'][number] {
  const v = h[i] as unknown as Record<string, unknown> | null;
  const ok =
    typeof v === 'object' && v !== null && typeof v.enteredAt === 'number' && (v.pipelineId === null || typeof v.pipelineId === 'string') &&
    typeof v.outcome === 'string' && (v.amount === null || typeof v.amount === 'number') && (v.closingDate === null || typeof v.closingDate === 'string');
  if (!ok) throw new PipelineError('invalid_input', `deal.history[${i}]: expected a stage visit`, { path: `deal.history[${i}]` });
  return h[i]!;
}

function checkedChange(log: readonly FieldChange[], k: number): FieldChange {
  const c = log[k] as unknown as Record<string, unknown> | null;
  if (typeof c !== 'object' || c === null || typeof c.at !== 'number' || !valueFits(c.field, c.to) || !valueFits(c.field, c.from)) {
    throw new PipelineError('invalid_input', `deal.changes[${k}]: expected a field change`, { path: `deal.changes[${k}]` });
  }
  return log[k]!;
}

/** Classifies one change of a deal's state (see the definition above). */
function step(prev: Position, next: Position, inScope: (p: Position) => boolean, put: Put): void {
  const was = inScope(prev);
  const is = inScope(next);
  if (!was && !is) return;
  if (was && is) {
    const before = prev.amount ?? 0;
    const after = next.amount ?? 0;
    if (prev.currency !== next.currency) {
      put(prev, 'decreased', before);
      put(next, 'increased', after);
    } else if (after > before) put(next, 'increased', after - before);
    else if (after < before) put(next, 'decreased', before - after);
    return;
  }
  if (is) {
    const why: BucketName = !prev.exists ? 'created' : prev.outcome !== 'open' ? 'reopened' : prev.pipelineId !== next.pipelineId ? 'movedIn' : 'pulledIn';
    put(next, why, next.amount ?? 0);
    return;
  }
  const why: BucketName = next.outcome === 'won' ? 'won' : next.outcome === 'lost' ? 'lost' : prev.pipelineId !== next.pipelineId ? 'movedOut' : 'pushedOut';
  put(prev, why, prev.amount ?? 0);
}

/** Whether a state is in the pipeline the waterfall looks at. */
function membership(pipelineId: string | undefined, closingFrom: string | undefined, closingTo: string | undefined): (p: Position) => boolean {
  const bounded = closingFrom !== undefined || closingTo !== undefined;
  return (s) => {
    if (!s.exists || s.outcome !== 'open' || (pipelineId !== undefined && s.pipelineId !== pipelineId)) return false;
    if (!bounded) return true;
    const d = s.closingDate;
    // 'YYYY-MM-DD' strings compare in calendar order.
    return d !== null && (closingFrom === undefined || d >= closingFrom) && (closingTo === undefined || d <= closingTo);
  };
}

function emptyCurrency(): WaterfallCurrency {
  const c = {} as Record<BucketName, WaterfallBucket>;
  for (const name of BUCKETS) c[name] = { count: 0, amount: 0, dealIds: [] };
  return c;
}
