import { guarded } from '../_internal/guard.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { scopeOfDeal } from '../deals/scope.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { assertDeals } from './common.js';
import { ownOrSet } from '../_internal/records.js';

/**
 * Count, total amount and weighted amount of a group of deals.
 *
 * @example
 * ```ts
 * Object.entries(weightedPipeline(ws, deals).EUR?.byStage ?? {}).map(([stageId, t]: [string, WeightedTotals]) => [stageId, t.weighted]);
 * ```
 * @category Metrics
 */
export interface WeightedTotals {
  count: number;
  total: number;
  weighted: number;
}

/**
 * The weighted pipeline of one currency.
 *
 * @example
 * ```ts
 * const eur: WeightedCurrency | undefined = weightedPipeline(ws, deals).EUR;
 * ```
 * @category Metrics
 */
export interface WeightedCurrency extends WeightedTotals {
  readonly byPipeline: Record<string, WeightedTotals>;
  readonly byStage: Record<string, WeightedTotals>;
  readonly byForecastCategory: Record<string, WeightedTotals>;
}

const empty = (): WeightedTotals => ({ count: 0, total: 0, weighted: 0 });

function add(into: Record<string, WeightedTotals>, key: string, amount: number, weighted: number): void {
  const t = ownOrSet(into, key, empty);
  t.count++;
  t.total += amount;
  t.weighted += weighted;
}

/**
 * The weighted pipeline (expected revenue) of open deals, per currency: weighted value = amount ×
 * the deal's probability / 100, never converted between currencies. Deals without a currency go
 * under `''`, deals without an amount count with amount 0. Grouped by pipeline (`''` for deals of
 * a layout without pipelines), by stage and by the stage's forecast category. Deals are summed in
 * id order, so the result does not depend on the order of the input.
 *
 * @param ws - the workspace (which stages are open, forecast categories)
 * @param deals - the deals
 * @returns `Record<currency, { count, total, weighted, byPipeline, byStage, byForecastCategory }>`
 * @example
 * ```ts
 * weightedPipeline(ws, deals).EUR;
 * // { count: 2, total: 70000, weighted: 30000, byStage: { quote: { count: 1, total: 30000, weighted: 18000 }, ... }, ... }
 * ```
 * @category Metrics
 * @function
 */
export const weightedPipeline = /* @__PURE__ */ guarded(function weightedPipeline(ws: Workspace, deals: readonly Deal[]): Record<string, WeightedCurrency> {
  ws = checkedWorkspace(ws);
  assertDeals(deals);
  const out: Record<string, WeightedCurrency> = {};
  const sorted = [...deals].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const deal of sorted) addWeighted(ws, out, deal);
  return out;
}, ['workspace', 'deals']);

/**
 * Adds one deal to a weighted pipeline being summed: what `weightedPipeline` does per deal, for
 * sums that stream deals in id order (the service over the store, page by page).
 */
export function addWeighted(ws: Workspace, out: Record<string, WeightedCurrency>, deal: Deal): void {
  const slot = scopeOfDeal(ws, deal)?.slots.get(deal.stageId);
  if (!slot || slot.def.outcome !== 'open') return;
  const amount = deal.amount ?? 0;
  const weighted = (amount * deal.probability) / 100;
  const c = ownOrSet(out, deal.currency ?? '', (): WeightedCurrency => ({ ...empty(), byPipeline: {}, byStage: {}, byForecastCategory: {} }));
  c.count++;
  c.total += amount;
  c.weighted += weighted;
  add(c.byPipeline, deal.pipelineId ?? '', amount, weighted);
  add(c.byStage, deal.stageId, amount, weighted);
  add(c.byForecastCategory, slot.def.forecastCategory, amount, weighted);
}
