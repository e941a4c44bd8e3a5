import { guarded } from '../_internal/guard.js';
import * as z from 'zod';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { Id, Instant } from '../model/primitives.js';
import { parseWith } from '../model/parse.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { parseOptions } from './common.js';
import { assertDealShallow, assertDealsShallow, readStateAt, stateSlot } from './dealAt.js';
import type { WeightedCurrency, WeightedTotals } from './weightedPipeline.js';

const SnapshotOptions = z.strictObject({ pipelineId: Id.optional() });

const emptyTotals = (): WeightedTotals => ({ count: 0, total: 0, weighted: 0 });

/** Totals by key while summing, with the entry last added to at hand: deals in a row often share it. */
interface Tally {
  readonly map: Map<string, WeightedTotals>;
  lastKey: string | undefined;
  last: WeightedTotals | undefined;
}

interface Group {
  readonly totals: WeightedTotals;
  readonly byPipeline: Tally;
  readonly byStage: Tally;
  readonly byForecastCategory: Tally;
}

const emptyTally = (): Tally => ({ map: new Map(), lastKey: undefined, last: undefined });

function add(into: Tally, key: string, amount: number, weighted: number): void {
  let t = into.last;
  if (key !== into.lastKey || t === undefined) {
    t = into.map.get(key);
    if (!t) into.map.set(key, (t = emptyTotals()));
    into.lastKey = key;
    into.last = t;
  }
  t.count++;
  t.total += amount;
  t.weighted += weighted;
}

function record(tally: Tally): Record<string, WeightedTotals> {
  const out: Record<string, WeightedTotals> = Object.create(null);
  for (const [key, t] of tally.map) out[key] = t;
  return out;
}

/**
 * The open pipeline as it stood at `instant`, in the shape of {@link weightedPipeline}: per
 * currency, count, total amount and weighted amount (amount × probability / 100), by pipeline,
 * stage and forecast category. Each deal is read with {@link dealAt}: a deal counts when it existed
 * and sat in an open stage then; its stage's outcome and forecast category are those its visit
 * recorded (a stage recategorised later does not rewrite the past), amount, currency and probability
 * those of that instant. Deals without an amount count with 0, deals without a currency go under
 * `''`. At `now` the result equals `weightedPipeline`'s as long as no stage changed outcome or
 * forecast category since the deals entered it; deals are summed in the order given (no sort, so
 * that a snapshot of 100k deals costs one pass), hence pass them in id order, as `weightedPipeline`
 * sums them, for sums equal to the last bit.
 *
 * Worked example: on 10 March deal A (20,000 EUR, quote at 60 %) and deal B (10,000 EUR,
 * requirements at 10 %) were open; B was won on 12 March. The snapshot at 11 March gives
 * `EUR: { count: 2, total: 30000, weighted: 13000 }`; at 12 March `{ count: 1, total: 20000, weighted: 12000 }`.
 *
 * @param ws - the workspace (checked; the past is read from the deals' own records)
 * @param deals - the deals
 * @param instant - a Date, epoch ms or ISO string
 * @param opts - `{ pipelineId? }`: only deals that were in that pipeline then
 * @returns `Record<currency, { count, total, weighted, byPipeline, byStage, byForecastCategory }>`
 * @example
 * ```ts
 * pipelineSnapshot(ws, deals, '2026-03-11T00:00:00Z', { pipelineId: 'new-cars' }).EUR;
 * // { count: 2, total: 30000, weighted: 13000, byStage: { quote: { count: 1, total: 20000, weighted: 12000 }, ... }, ... }
 * ```
 * @category Metrics
 * @function
 */
export const pipelineSnapshot = /* @__PURE__ */ guarded(function pipelineSnapshot(
  ws: Workspace,
  deals: readonly Deal[],
  instant: Date | number | string,
  opts: { pipelineId?: string } = {},
): Record<string, WeightedCurrency> {
  ws = checkedWorkspace(ws);
  const t = parseWith(Instant, instant, 'instant');
  const { pipelineId } = parseOptions(SnapshotOptions, opts);
  assertDealsShallow(deals);
  // Maps while summing, null-prototype records in the answer: keys come from the deals, and none
  // may reach Object.prototype.
  const acc = new Map<string, Group>();
  // One state read into per call; the group last summed into, as deals of one currency follow each other.
  const s = stateSlot();
  let lastKey: string | undefined;
  let g: Group | undefined;
  for (let i = 0; i < deals.length; i++) {
    const deal = deals[i]!;
    assertDealShallow(deal, i);
    if (!readStateAt(deal, t, s) || s.outcome !== 'open' || (pipelineId !== undefined && s.pipelineId !== pipelineId)) continue;
    const amount = s.amount ?? 0;
    const weighted = (amount * s.probability) / 100;
    const key = s.currency ?? '';
    if (key !== lastKey || g === undefined) {
      g = acc.get(key);
      if (!g) acc.set(key, (g = { totals: emptyTotals(), byPipeline: emptyTally(), byStage: emptyTally(), byForecastCategory: emptyTally() }));
      lastKey = key;
    }
    g.totals.count++;
    g.totals.total += amount;
    g.totals.weighted += weighted;
    add(g.byPipeline, s.pipelineId ?? '', amount, weighted);
    add(g.byStage, s.stageId, amount, weighted);
    add(g.byForecastCategory, s.forecastCategory, amount, weighted);
  }
  const out: Record<string, WeightedCurrency> = Object.create(null);
  for (const [currency, g] of acc) {
    out[currency] = { ...g.totals, byPipeline: record(g.byPipeline), byStage: record(g.byStage), byForecastCategory: record(g.byForecastCategory) };
  }
  return out;
}, ['workspace', 'deals', 'instant', 'opts']);
