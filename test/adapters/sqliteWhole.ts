// Listings hand out lean deals unless the query includes history and changes. The service of this
// release and the contract checks written before lean listings read whole deals from `list`; until
// they ask for what they need, the suites that predate lean listings run through this wrapper.
import type { Deal, DealQuery } from '../../src/index.js';
import type { SqliteRepositories } from '../../src/sqlite.js';

/** The repositories with `deals.list` asking for whole deals when the query does not say. */
export function wholeListings(repos: SqliteRepositories): SqliteRepositories {
  const deals = repos.deals;
  const list = (q: DealQuery) => deals.list(typeof q === 'object' && q !== null && q.include === undefined ? { ...q, include: ['history', 'changes'] } : q);
  return { ...repos, deals: { ...deals, list } };
}

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
