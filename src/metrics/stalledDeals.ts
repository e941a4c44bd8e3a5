import { guarded } from '../_internal/guard.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { scopeOfDeal } from '../deals/scope.js';
import { assertWorkspace } from '../workspace/validate.js';
import { assertDeals, DAY_MS, NowOptions, parseOptions } from './common.js';

/**
 * An open deal that has sat in its stage longer than the stage allows.
 *
 * @example
 * ```ts
 * stalledDeals(ws, deals, { now }).forEach((s: StalledDeal) => remind(s.dealId));
 * ```
 */
export interface StalledDeal {
  readonly dealId: string;
  readonly pipelineId: string | null;
  readonly stageId: string;
  /** Time in the current visit, up to `now`. */
  readonly dwellMs: number;
  /** The rotting threshold: `rotAfterDays` of the pipeline stage, else of the stage, in ms. */
  readonly thresholdMs: number;
}

/**
 * Rotting deals (Pipedrive, Odoo): open deals whose current visit has lasted longer than the
 * rotting threshold of their stage (the pipeline's `rotAfterDays` override, else the stage's).
 * A stage without a threshold, or with 0, never rots. Sorted by how far past the threshold
 * each deal is, the worst first.
 *
 * @param ws - the workspace (thresholds)
 * @param deals - the deals to look at
 * @param opts - `{ now }`
 * @returns the stalled deals
 * @example
 * ```ts
 * stalledDeals(ws, deals, { now: '2026-03-20T00:00:00Z' });
 * // [{ dealId: 'd7', pipelineId: 'new-cars', stageId: 'quote', dwellMs: 1_209_600_000, thresholdMs: 864_000_000 }]
 * ```
 */
export const stalledDeals = /* @__PURE__ */ guarded(function stalledDeals(ws: Workspace, deals: readonly Deal[], opts: { now: Date | number | string }): StalledDeal[] {
  assertWorkspace(ws);
  const { now } = parseOptions(NowOptions, opts);
  assertDeals(deals);
  const out: StalledDeal[] = [];
  for (const deal of deals) {
    const slot = scopeOfDeal(ws, deal)?.slots.get(deal.stageId);
    if (!slot || slot.def.outcome !== 'open' || !slot.rotAfterDays) continue;
    const visit = deal.history[deal.history.length - 1]!;
    const dwellMs = now - visit.enteredAt;
    const thresholdMs = slot.rotAfterDays * DAY_MS;
    if (dwellMs > thresholdMs) out.push({ dealId: deal.id, pipelineId: deal.pipelineId, stageId: deal.stageId, dwellMs, thresholdMs });
  }
  return out.sort((a, b) => b.dwellMs - b.thresholdMs - (a.dwellMs - a.thresholdMs) || (a.dealId < b.dealId ? -1 : a.dealId > b.dealId ? 1 : 0));
}, ['workspace', 'deals', 'opts']);
