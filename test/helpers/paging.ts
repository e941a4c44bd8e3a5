import type { Deal, DealQuery } from '../../src/index.js';

/** A page of a cursor listing: the deals, visits or events of the page, and the cursor of the next. */
export interface CursorPage {
  readonly next: string | null;
}

/**
 * Every page of a cursor listing, in order: `list` is asked with `after: null`, then with each
 * page's `next`, until a page's `next` is null. A listing still going after `maxPages` pages is a
 * failure (a cursor that does not advance would otherwise hang the test).
 */
export async function everyPage<P extends CursorPage>(list: (after: string | null) => Promise<P>, maxPages = 1000): Promise<P[]> {
  const pages: P[] = [];
  let after: string | null = null;
  do {
    if (pages.length === maxPages) throw new Error(`the listing did not end after ${maxPages} pages`);
    const page: P = await list(after);
    pages.push(page);
    after = page.next;
  } while (after !== null);
  return pages;
}

/** Every deal of the repositories, whole (history and change log), `limit` a page. */
export async function wholeDeals(repos: { deals: { list(q: DealQuery): Promise<{ deals: Deal[]; next: string | null }> } }, limit = 7): Promise<Deal[]> {
  const pages = await everyPage((after) => repos.deals.list({ after, limit, include: ['history', 'changes'] }));
  return pages.flatMap((p) => p.deals);
}
