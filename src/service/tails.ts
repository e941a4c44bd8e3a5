import type { Deal } from '../model/deal.js';
import type { DealQuery, DealTail } from '../ports/repositories.js';
import type { Runtime } from './runtime.js';

/**
 * Deals as the service reads them for planning: whole, or as tails when the store offers them
 * (the reducers decide every command from the last visit), with where each tail's history starts
 * (by id; absent for 0), which the save of the planned deal is handed as `historyStart`.
 */
export interface PlanningRead {
  readonly deals: Deal[];
  readonly starts: Map<string, number> | null;
}

function fromTails(tails: readonly DealTail[]): PlanningRead {
  const deals = new Array<Deal>(tails.length);
  const starts = new Map<string, number>();
  for (let i = 0; i < tails.length; i++) {
    const { deal, historyStart } = tails[i]!;
    deals[i] = deal;
    if (historyStart > 0) starts.set(deal.id, historyStart);
  }
  return { deals, starts };
}

/** The deals with these ids that exist, for planning. */
export async function readForPlanning(rt: Runtime, ids: readonly string[]): Promise<PlanningRead> {
  if (rt.deals.getTails) return fromTails(await rt.deals.getTails(ids));
  return { deals: await rt.deals.getMany(ids), starts: null };
}

/** One page of the deals matching a query, for planning, and the cursor of the next. */
export async function pageForPlanning(rt: Runtime, q: DealQuery): Promise<{ read: PlanningRead; next: string | null }> {
  if (rt.deals.listTails) {
    const page = await rt.deals.listTails(q);
    return { read: fromTails(page.tails), next: page.next };
  }
  // Whole deals: they are saved back as they are planned.
  const page = await rt.deals.list({ ...q, include: ['history', 'changes'] });
  return { read: { deals: page.deals, starts: null }, next: page.next };
}
