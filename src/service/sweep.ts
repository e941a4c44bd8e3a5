import { PipelineError } from '../errors.js';
import { planBulkUpdate } from '../bulk/planBulkUpdate.js';
import type { BulkChangeInput } from '../model/commands.js';
import type { Deal } from '../model/deal.js';
import { dealMatcher, type DealFilter } from '../ports/repositories.js';
import type { Runtime } from './runtime.js';
import { pageForPlanning, readForPlanning, type PlanningRead } from './tails.js';

/**
 * Moves every deal that matches `query` with `change` (rules bypassed: this is the system
 * finishing a configuration change), page by page, each page saved on its own. Safe to run
 * again after a crash: deals already moved no longer match or are left unchanged.
 */
export async function sweep(rt: Runtime, query: DealFilter, change: (deal: Deal) => BulkChangeInput, by: string | null): Promise<number> {
  let moved = 0;
  let after: string | null = null;
  do {
    const page = await pageForPlanning(rt, { ...query, after, limit: rt.pageSize });
    moved += await movePage(rt, query, page.read, change, by);
    after = page.next;
  } while (after !== null);
  return moved;
}

async function movePage(
  rt: Runtime,
  query: DealFilter,
  first: PlanningRead,
  change: (deal: Deal) => BulkChangeInput,
  by: string | null,
): Promise<number> {
  let { deals, starts } = first;
  return rt.retry(async () => {
    const plans = groupByChange(deals, change);
    const ws = await rt.workspaces.load();
    const updated = [];
    for (const [c, group] of plans) {
      const plan = planBulkUpdate(ws, group, { ...c, bypassRules: true } as BulkChangeInput, { at: rt.atFor(group), by, mode: 'bestEffort' });
      const failure = plan.rejected[0];
      if (failure) {
        throw new PipelineError(failure.error.code, `deal ${failure.dealId} could not be moved: ${failure.error.message}`, { dealId: failure.dealId, ...failure.error.details });
      }
      for (const u of plan.updated) updated.push(u);
    }
    try {
      await rt.commit(updated, ws.version, undefined, starts);
    } catch (e) {
      // Someone else changed some of these deals: read them again, keep those still concerned.
      const again = await readForPlanning(rt, deals.map((d) => d.id));
      deals = again.deals.filter(dealMatcher(query));
      starts = again.starts;
      throw e;
    }
    return updated.length;
  });
}

/** Groups deals by the change they get (usually one change for all). */
function groupByChange(deals: readonly Deal[], change: (deal: Deal) => BulkChangeInput): Map<BulkChangeInput, Deal[]> {
  const byKey = new Map<string, { change: BulkChangeInput; deals: Deal[] }>();
  for (const deal of deals) {
    const c = change(deal);
    const key = JSON.stringify(c);
    const entry = byKey.get(key);
    if (entry) entry.deals.push(deal);
    else byKey.set(key, { change: c, deals: [deal] });
  }
  return new Map([...byKey.values()].map((e) => [e.change, e.deals]));
}

/** A sample of the deals matching a query, and how many there are. */
export async function usage(rt: Runtime, query: DealFilter, sampleSize = 10): Promise<{ sample: string[]; count: number }> {
  const sample: string[] = [];
  let count = 0;
  let after: string | null = null;
  do {
    const page = await pageForPlanning(rt, { ...query, after, limit: rt.pageSize });
    for (const d of page.read.deals) {
      if (sample.length < sampleSize) sample.push(d.id);
      count++;
    }
    after = page.next;
  } while (after !== null);
  return { sample, count };
}
