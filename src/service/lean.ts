import type { Deal } from '../model/deal.js';
import { leanDeal as portsLeanDeal } from '../ports/dealQuery.js';
import * as z from 'zod';
import type { DealInclude } from './types.js';

/** The `include` option as parsed: the parts listed, once each. */
export const Include = z.array(z.enum(['history', 'changes'])).max(2);

/**
 * A deal as a card: unless asked, `history` holds only the current (last, open) visit and there is
 * no `changes` key. The trimming is the ports' `leanDeal`, which every store's listing uses.
 */
export function leanDeal(deal: Deal, include: readonly DealInclude[] | undefined): Deal {
  return portsLeanDeal(deal, { history: include?.includes('history') === true, changes: include?.includes('changes') === true });
}

/** {@link leanDeal} over a list. */
export const leanDeals = (deals: readonly Deal[], include: readonly DealInclude[] | undefined): Deal[] => deals.map((d) => leanDeal(d, include));
