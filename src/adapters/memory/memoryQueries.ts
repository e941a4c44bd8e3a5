import { PipelineError } from '../../errors.js';
import type { Deal } from '../../model/deal.js';
import { encodeCursor, leanDeal, matchesQuery, pageOfDeals, type CheckedDealQuery } from '../../ports/dealQuery.js';
import type { DealPage, DealTail, StageSummaryRow, SummaryQuery, VisitPage, VisitQuery, VisitRow } from '../../ports/repositories.js';
import { DealStore, upperBound } from './dealStore.js';
import { StageSummary } from '../../ports/summarizeDeals.js';

/**
 * One page of a listing: by the ordered id index for the default order (id ascending), else
 * `pageOfDeals` over every stored deal (the reference every store is held to).
 */
export function listDeals(store: DealStore, q: CheckedDealQuery): DealPage {
  if (q.sort !== 'id' || q.order !== 'asc') return pageOfDeals(store.byId.values(), q);
  const order = store.orderedIds();
  const page: Deal[] = [];
  for (let i = q.after === null ? 0 : upperBound(order, q.after.id); i < order.length; i++) {
    const d = store.byId.get(order[i]!)!;
    if (!matchesQuery(d, q)) continue;
    if (page.length === q.limit) {
      const last = page[page.length - 1]!.id;
      return { deals: page, next: encodeCursor('id', 'asc', last, last) };
    }
    page.push(leanDeal(d, q));
  }
  return { deals: page, next: null };
}

/** A deal with only its last visit, and that visit's position. */
export function tailOf(deal: Deal): DealTail {
  const at = deal.history.length - 1;
  return { deal: at === 0 ? deal : { ...deal, history: [deal.history[at]!] }, historyStart: at };
}

/** Per stage and currency totals of one pipeline, by walking the stored deals. */
export function summarize(store: DealStore, q: SummaryQuery): StageSummaryRow[] {
  if (typeof q !== 'object' || q === null || typeof q.pipelineId !== 'string' || typeof q.rottingBefore !== 'object' || q.rottingBefore === null) {
    throw new PipelineError('invalid_input', 'query: expected { pipelineId, rottingBefore }', { path: 'query' });
  }
  const summary = new StageSummary(q);
  for (const deal of store.byId.values()) summary.add(deal);
  return summary.result();
}

/** Stage visits of the stored deals, by deal id then position in the history. */
export function listVisits(store: DealStore, q: VisitQuery): VisitPage {
  if (typeof q !== 'object' || q === null || typeof q.limit !== 'number' || !(q.limit >= 1)) {
    throw new PipelineError('invalid_input', 'query.limit: expected a positive number', { path: 'query.limit' });
  }
  const limit = Math.floor(q.limit);
  const [afterId, afterSeq] = parseCursor(q.after ?? null);
  const order = store.orderedVisitIds();
  const visits: VisitRow[] = [];
  const resume = afterId === null ? 0 : upperBound(order, afterId);
  const start = afterId !== null && order[resume - 1] === afterId ? resume - 1 : resume;
  for (let i = start; i < order.length; i++) {
    const deal = { id: order[i]!, ...store.visitsOf(order[i]!)! };
    if (q.layoutId !== undefined && deal.layoutId !== q.layoutId) continue;
    const first = deal.id === afterId ? afterSeq + 1 : 0;
    for (let seq = first; seq < deal.history.length; seq++) {
      const v = deal.history[seq]!;
      if (q.pipelineId !== undefined && v.pipelineId !== q.pipelineId) continue;
      if (visits.length === limit) return { visits, next: cursor(deal.id, seq - 1) };
      visits.push({ dealId: deal.id, layoutId: deal.layoutId, pipelineId: v.pipelineId, stageId: v.stageId, enteredAt: v.enteredAt, exitedAt: v.exitedAt });
    }
  }
  return { visits, next: null };
}

const cursor = (dealId: string, seq: number) => JSON.stringify([dealId, seq]);

function parseCursor(after: string | null): [string | null, number] {
  if (after === null) return [null, -1];
  try {
    const parsed: unknown = JSON.parse(after);
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && Number.isInteger(parsed[1])) return [parsed[0], parsed[1] as number];
  } catch {
    // fall through to the error below
  }
  throw new PipelineError('invalid_input', 'query.after: not a cursor returned by visits.list', { path: 'query.after' });
}
