import { checkedWorkspace } from '../../workspace/validate.js';
import { addWeighted, type WeightedCurrency } from '../../metrics/weightedPipeline.js';
import type { Runtime } from '../runtime.js';

/**
 * `weightedPipeline` over the stored deals: open deals read page by page in id order (lean: the
 * current stage, amount and probability are all it needs) into one running sum, so memory holds
 * one page and the totals. Summed in the same order as `weightedPipeline(ws, allDeals)`, so the
 * figures are the same to the last digit.
 */
export async function storedWeightedPipeline(rt: Runtime): Promise<Record<string, WeightedCurrency>> {
  const ws = checkedWorkspace(await rt.workspaces.load());
  const out: Record<string, WeightedCurrency> = {};
  let after: string | null = null;
  do {
    const page = await rt.deals.list({ outcome: 'open', after, limit: rt.pageSize });
    for (const deal of page.deals) addWeighted(ws, out, deal);
    after = page.next;
  } while (after !== null);
  return out;
}
