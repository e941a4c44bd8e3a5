import { checkedWorkspace } from '../../workspace/validate.js';
import { addWeighted, type WeightedCurrency } from '../../metrics/weightedPipeline.js';
import type { Runtime } from '../runtime.js';
import { storedPages } from '../pages.js';

/**
 * `weightedPipeline` over the stored deals: open deals read page by page in id order (lean: the
 * current stage, amount and probability are all it needs) into one running sum, so memory holds
 * one page and the totals. Summed in the same order as `weightedPipeline(ws, allDeals)`, so the
 * figures are the same to the last digit.
 */
export async function storedWeightedPipeline(rt: Runtime): Promise<Record<string, WeightedCurrency>> {
  const ws = checkedWorkspace(await rt.workspaces.load());
  const out: Record<string, WeightedCurrency> = {};
  for await (const deals of storedPages(rt, { outcome: 'open' })) for (const deal of deals) addWeighted(ws, out, deal);
  return out;
}
