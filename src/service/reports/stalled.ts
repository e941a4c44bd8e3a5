import { PipelineError } from '../../errors.js';
import { byHowLongRotting, stalledDeals, type StalledDeal } from '../../metrics/stalledDeals.js';
import type { Runtime } from '../runtime.js';
import { storedPages } from '../pages.js';
import type { StoredRottingOptions } from '../types.js';

/**
 * `stalledDeals` over the stored deals: open deals read page by page (lean: the current visit is
 * all the report needs), each page judged on its own and the rotting ones kept, so memory holds
 * one page and the answer, never the whole table. The same rows as `stalledDeals(ws, allDeals)`.
 */
export async function storedStalledDeals(rt: Runtime, input: StoredRottingOptions | undefined): Promise<StalledDeal[]> {
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new PipelineError('invalid_input', 'opts: expected an object', { path: 'opts' });
  }
  const opts = { ...input, now: input?.now ?? rt.now() };
  const ws = await rt.workspaces.load();
  stalledDeals(ws, [], opts); // checks the options before any page is read
  const out: StalledDeal[] = [];
  for await (const deals of storedPages(rt, { outcome: 'open' })) for (const row of stalledDeals(ws, deals, opts)) out.push(row);
  return out.sort(byHowLongRotting);
}
