import type { Deal, VisitRow } from '../model/deal.js';
import type { DealQuery, DealTimeline, VisitQuery } from '../ports/repositories.js';
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

/** Visit rows read a page at a time: many more rows fit in a page than deals. */
const VISIT_PAGE = 10_000;

/**
 * The store's visit rows a `visits.list` with `query` gives, a page at a time (by deal id, then
 * position in the deal's history). The store must have a visits port.
 */
export async function* storedVisitPages(rt: Runtime, query: Omit<VisitQuery, 'after' | 'limit'> = {}): AsyncGenerator<VisitRow[]> {
  let after: string | null = null;
  do {
    const page = await rt.visits!.list({ ...query, after, limit: VISIT_PAGE });
    yield page.visits;
    after = page.next;
  } while (after !== null);
}

/**
 * Pages read one ahead: the page after each one is asked for before that one is handed over, so
 * the store reads it while the caller works on this one (memory holds two pages). A page asked
 * for ahead that fails after the caller stopped early is never an unhandled rejection.
 */
export async function* readAhead<P extends { readonly next: string | null }>(read: (after: string | null) => Promise<P>): AsyncGenerator<P> {
  const ask = (after: string | null): Promise<P> => {
    // An async call: a read that throws at once fails the promise too.
    const page = (async () => read(after))();
    page.catch(() => undefined);
    return page;
  };
  for (let pending: Promise<P> | null = ask(null); pending !== null; ) {
    const page: P = await pending;
    pending = page.next === null ? null : ask(page.next);
    yield page;
  }
}

/**
 * The stored deals as timelines, one page at a time (`rt.pageSize` deals, in id order), with
 * their visits begun before `before` when given. The store must offer `deals.timelines`. Pages
 * are read one ahead ({@link readAhead}): the store reads the next while the caller tallies this one.
 */
export async function* storedTimelines(rt: Runtime, before: number | undefined): AsyncGenerator<DealTimeline[]> {
  const pages = readAhead((after) => rt.deals.timelines!({ limit: rt.pageSize, after, ...(before === undefined ? {} : { before }) }));
  for await (const page of pages) yield page.deals;
}
