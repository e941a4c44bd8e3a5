// Listings hand out lean deals unless the query includes history and changes: tests that compare
// whole stores read every deal whole through this helper.
import type { Deal, DealQuery } from '../../src/index.js';

/** Every deal of the repositories, whole (history and change log), by paging through `list`. */
export async function wholeDeals(repos: { deals: { list(q: DealQuery): Promise<{ deals: Deal[]; next: string | null }> } }): Promise<Deal[]> {
  const out: Deal[] = [];
  let after: string | null = null;
  do {
    const page = await repos.deals.list({ after, limit: 7, include: ['history', 'changes'] });
    out.push(...page.deals);
    after = page.next;
  } while (after !== null);
  return out;
}
