import type { Deal } from '../model/deal.js';
import type { DealQuery } from '../ports/repositories.js';
import type { Runtime } from './runtime.js';

/**
 * The stored deals a listing with `query` gives, one page at a time (`rt.pageSize` deals, in id
 * order): what every report and scan over the store reads, so that memory holds one page.
 */
export async function* storedPages(rt: Runtime, query: Omit<DealQuery, 'after' | 'limit'> = {}): AsyncGenerator<Deal[]> {
  let after: string | null = null;
  do {
    const page = await rt.deals.list({ ...query, after, limit: rt.pageSize });
    yield page.deals;
    after = page.next;
  } while (after !== null);
}
