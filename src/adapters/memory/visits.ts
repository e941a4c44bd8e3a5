import { DwellGroups, type StageDwellStats } from '../../metrics/dwellStats.js';
import { workingTime } from '../../metrics/calendar.js';
import { checkDwellQuery } from '../../ports/dwellQuery.js';
import { checkFunnelQuery, FunnelGroups, type FunnelGroup, type FunnelQuery } from '../../metrics/funnelGroups.js';
import type { DwellQuery, VisitRepository } from '../../ports/repositories.js';
import type { DealStore } from './dealStore.js';
import { listVisits } from './memoryQueries.js';

/**
 * The memory store's visits: `list` by (deal id, position), and `dwell` over every stored visit
 * (erased deals' included), with a period (`dwellPeriods`), and the funnel's counts (`funnel`).
 */
export function memoryVisits(store: DealStore): VisitRepository & Required<Pick<VisitRepository, 'dwell' | 'funnel'>> {
  return {
    list: async (q) => listVisits(store, q),
    dwell: async (q) => dwellOf(store, q),
    dwellPeriods: true,
    funnel: async (q) => funnelOf(store, q),
  };
}

/** The funnel's groups over the stored visits (erased deals' included). */
function funnelOf(store: DealStore, query: FunnelQuery): FunnelGroup[] {
  const groups = new FunnelGroups(checkFunnelQuery(query));
  for (const id of store.orderedVisitIds()) groups.add(store.visitsOf(id)!.history);
  return groups.rows();
}

/** `dwellStats` in calendar time over the stored visits: only the counted durations are held. */
function dwellOf(store: DealStore, query: DwellQuery): StageDwellStats[] {
  const groups = new DwellGroups(checkDwellQuery(query), workingTime(false));
  for (const id of store.orderedVisitIds()) for (const v of store.visitsOf(id)!.history) groups.add(v);
  return groups.rows();
}
