import type { Deal } from '../../model/deal.js';

/** Deals by id, and their ids in list order (sorted again lazily after inserts). */
export class DealStore {
  readonly byId = new Map<string, Deal>();
  private ids: string[] = [];
  private sorted = true;

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
