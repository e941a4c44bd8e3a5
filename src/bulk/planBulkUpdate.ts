import { guarded } from '../_internal/guard.js';
import { fail, isPipelineError, PipelineError } from '../errors.js';
import { BulkChange, BulkContext, DEFAULT_LIMITS, type BulkChangeInput, type BulkContextInput, type Context } from '../model/commands.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { parseWith } from '../model/parse.js';
import { applyEvents } from '../deals/apply.js';
import { decideDealParsed } from '../deals/decide.js';
import type { DealEvent } from '../deals/events.js';
import { assertDeal } from '../deals/shape.js';
import { checkedWorkspace } from '../workspace/validate.js';

/**
 * What {@link planBulkUpdate} returns: every input deal in exactly one list, in input order.
 *
 * @example
 * ```ts
 * const { updated, rejected, unchanged, aborted }: BulkPlan = planBulkUpdate(ws, deals, change, ctx);
 * ```
 * @category Bulk updates
 */
export interface BulkPlan {
  /** Deals the change applies to, with their new state and events. */
  readonly updated: { deal: Deal; events: DealEvent[] }[];
  /** Deals the change was refused for, with the reason. */
  readonly rejected: { dealId: string; error: PipelineError }[];
  /**
   * Deals left as they were: already in the requested state, or, in atomic mode after a
   * rejection, deals the change would have applied to.
   */
  readonly unchanged: string[];
  /** True when atomic mode discarded the updates because of a rejection. */
  readonly aborted: boolean;
}

/**
 * Plans a bulk update ("mass update"): applies one change to many deals exactly as the single
 * command would (probability, history, version and rules), without saving anything.
 * `bestEffort` judges each deal on its own; `atomic` returns no update as soon as one deal is
 * rejected (every rejection is still listed). The change is validated once; the cost per deal
 * is constant.
 *
 * @param ws - the workspace
 * @param deals - the deals to change (ids must be unique)
 * @param change - `moveToStage`, `moveToPipeline`, `updateDeal` or `closeDeal`
 * @param ctx - `{ at, by?, mode: 'atomic' | 'bestEffort' }`
 * @returns `{ updated, rejected, unchanged, aborted }`, a partition of the input
 * @example
 * ```ts
 * const plan = planBulkUpdate(ws, deals, { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } },
 *   { at: '2026-03-10T09:00:00Z', by: 'manager', mode: 'bestEffort' });
 * plan.updated.length + plan.rejected.length + plan.unchanged.length === deals.length; // true
 * ```
 * @category Bulk updates
 * @function
 */
export const planBulkUpdate = /* @__PURE__ */ guarded(function planBulkUpdate(ws: Workspace, deals: readonly Deal[], change: BulkChangeInput, ctx: BulkContextInput): BulkPlan {
  ws = checkedWorkspace(ws);
  const parsedChange = parseWith(BulkChange, change, 'change');
  const parsedCtx = parseWith(BulkContext, ctx, 'ctx');
  const context: Context = { at: parsedCtx.at, by: parsedCtx.by ?? null, limits: DEFAULT_LIMITS };
  checkDeals(deals);
  const updated: BulkPlan['updated'][number][] = [];
  const rejected: BulkPlan['rejected'][number][] = [];
  const unchanged: string[] = [];
  for (const deal of deals) {
    try {
      const events = decideDealParsed(ws, deal, parsedChange, context);
      if (events.length === 0) unchanged.push(deal.id);
      else updated.push({ deal: applyEvents(deal, events, parsedChange.type), events });
    } catch (e) {
      if (!isPipelineError(e)) throw e;
      rejected.push({ dealId: deal.id, error: e });
    }
  }
  if (parsedCtx.mode === 'atomic' && rejected.length > 0) {
    const wouldChange = new Set(updated.map((u) => u.deal.id));
    const kept = new Set(unchanged);
    return { updated: [], rejected, unchanged: deals.filter((d) => wouldChange.has(d.id) || kept.has(d.id)).map((d) => d.id), aborted: true };
  }
  return { updated, rejected, unchanged, aborted: false };
}, ['workspace', 'deals', 'change', 'ctx']);

function checkDeals(deals: readonly Deal[]): void {
  if (!Array.isArray(deals)) fail('invalid_input', 'deals: expected an array of deals', { path: 'deals' });
  const seen = new Set<string>();
  for (let i = 0; i < deals.length; i++) {
    const deal = deals[i];
    assertDeal(deal, 'deals', i);
    if (seen.has(deal.id)) fail('invalid_input', `deals[${i}]: deal ${deal.id} is listed twice`, { path: `deals[${i}]`, dealId: deal.id });
    seen.add(deal.id);
  }
}
