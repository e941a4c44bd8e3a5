import type { Deal, StageVisit } from '../../model/deal.js';

/** What an erased deal leaves for the figures: its layout and its anonymised stage visits. */
export interface ErasedVisits {
  readonly layoutId: string;
  readonly history: readonly StageVisit[];
}

/** Deals by id, and their ids in list order (sorted again lazily after inserts). */
export class DealStore {
  readonly byId = new Map<string, Deal>();
  /** The visits of erased deals, by deal id. */
  readonly erased = new Map<string, ErasedVisits>();
  private ids: string[] = [];
  private sorted = true;
  private visitIds: string[] | null = null;

  /** The ids of stored and erased deals, sorted: the deals stage visits are listed for. */
  orderedVisitIds(): readonly string[] {
    if (this.erased.size === 0) return this.orderedIds();
    this.visitIds ??= [...new Set([...this.orderedIds(), ...this.erased.keys()])].sort();
    return this.visitIds;
  }

  /** Every stage visit stored for an id: an erased deal's first, then the stored deal's. */
  visitsOf(id: string): { readonly layoutId: string; readonly history: readonly StageVisit[] } | undefined {
    const deal = this.byId.get(id);
    const gone = this.erased.get(id);
    if (!gone) return deal;
    return deal ? { layoutId: deal.layoutId, history: [...gone.history, ...deal.history] } : gone;
  }

  /** Removes a deal, keeping its visits anonymised. */
  erase(id: string, visits: ErasedVisits): void {
    this.byId.delete(id);
    this.ids = this.ids.filter((x) => x !== id);
    const before = this.erased.get(id);
    this.erased.set(id, before ? { layoutId: visits.layoutId, history: [...before.history, ...visits.history] } : visits);
    this.visitIds = null;
  }

  orderedIds(): readonly string[] {
    if (!this.sorted) {
      this.ids.sort();
      this.sorted = true;
    }
    return this.ids;
  }

  write(deals: readonly Deal[]): void {
    const byId = this.byId;
    for (let i = 0; i < deals.length; i++) {
      const deal = deals[i]!;
      // One lookup rather than has() then set(): the map grows exactly when the id is new.
      const size = byId.size;
      byId.set(deal.id, deal);
      if (byId.size !== size) {
        this.ids.push(deal.id);
        this.sorted = false;
        this.visitIds = null;
      }
    }
  }
}

/** Index of the first id greater than `id` in a sorted array. */
export function upperBound(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid]! <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
