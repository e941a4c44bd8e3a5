import type { Deal, VisitRow } from '../model/deal.js';
import type { DealQuery, DealTimeline, TimelinePage, VisitQuery } from '../ports/repositories.js';
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
 * The stored deals as timelines, one page at a time (`rt.pageSize` deals, in id order), with
 * their visits begun before `before` when given. The store must offer `deals.timelines`. The next
 * page is asked for before this one is handed over, so that the store reads it while the caller
 * tallies this one: memory holds two pages.
 */
export async function* storedTimelines(rt: Runtime, before: number | undefined): AsyncGenerator<DealTimeline[]> {
  const read = (after: string | null): Promise<TimelinePage> => {
    const page = Promise.resolve({ limit: rt.pageSize, after, ...(before === undefined ? {} : { before }) }).then((q) => rt.deals.timelines!(q));
    // A page asked for ahead may fail after the caller stopped early: never an unhandled rejection.
    page.catch(() => undefined);
    return page;
  };
  let pending: Promise<TimelinePage> | null = read(null);
  while (pending !== null) {
    const page: TimelinePage = await pending;
    pending = page.next === null ? null : read(page.next);
    yield page.deals;
  }
}
