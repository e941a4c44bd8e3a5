import { PipelineError } from '../../errors.js';
import type { Deal } from '../../model/deal.js';
import type { Workspace } from '../../model/layout.js';
import { dealMatches, type DealChange, type DealPage, type DealRepository, type Repositories, type WorkspaceRepository } from '../../ports/repositories.js';
import { emptyWorkspace } from '../../workspace/apply.js';
import { assertWorkspace } from '../../workspace/validate.js';
import { assertDeal } from '../../deals/shape.js';

function copy<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    throw new PipelineError('invalid_input', 'value: expected plain JSON data', { path: 'value' });
  }
}

/** Index of the first id greater than `id` in a sorted array. */
function upperBound(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid]! <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The embedded default storage: both repositories in memory, with optimistic concurrency,
 * all-or-nothing saves and copies in and out (nothing returned aliases stored state). Good for
 * tests, demos, single-process tools, and as the reference for adapters of your own.
 *
 * @param seed - optional initial workspace and deals
 * @returns `{ workspace, deals }` repositories
 * @example
 * ```ts
 * const repos = createMemoryRepositories();
 * const service = createPipelineService(repos);
 * ```
 */
export function createMemoryRepositories(seed: { workspace?: Workspace; deals?: readonly Deal[] } = {}): Repositories {
  if (typeof seed !== 'object' || seed === null) throw new PipelineError('invalid_input', 'seed: expected { workspace?, deals? }', { path: 'seed' });
  if (seed.workspace !== undefined) assertWorkspace(seed.workspace);
  if (seed.deals !== undefined) {
    if (!Array.isArray(seed.deals)) throw new PipelineError('invalid_input', 'seed.deals: expected an array', { path: 'seed.deals' });
    seed.deals.forEach((d, i) => assertDeal(d, `seed.deals[${i}]`));
  }
  const store = new DealStore();
  store.write((seed.deals ?? []).map((d) => copy(d)));
  return { workspace: memoryWorkspace(copy(seed.workspace ?? emptyWorkspace())), deals: memoryDeals(store) };
}

function memoryWorkspace(initial: Workspace): WorkspaceRepository {
  let workspace = initial;
  return {
    async load() {
      return copy(workspace);
    },
    async save(ws, expectedVersion) {
      assertWorkspace(ws);
      if (workspace.version !== expectedVersion) {
        throw new PipelineError('conflict', `workspace: stored version ${workspace.version}, expected ${expectedVersion}`, {
          ids: ['workspace'],
          storedVersion: workspace.version,
          expectedVersion,
        });
      }
      workspace = copy(ws);
    },
  };
}

/** Deals by id, and their ids in list order (sorted again lazily after inserts). */
class DealStore {
  readonly byId = new Map<string, Deal>();
  private readonly ids: string[] = [];
  private sorted = true;

  orderedIds(): readonly string[] {
    if (!this.sorted) {
      this.ids.sort();
      this.sorted = true;
    }
    return this.ids;
  }

  write(deals: readonly Deal[]): void {
    for (const deal of deals) {
      if (!this.byId.has(deal.id)) {
        this.ids.push(deal.id);
        this.sorted = false;
      }
      this.byId.set(deal.id, deal);
    }
  }
}

function memoryDeals(store: DealStore): DealRepository {
  return {
    async get(id) {
      const d = store.byId.get(id);
      return d ? copy(d) : null;
    },
    async getMany(list) {
      const out: Deal[] = [];
      for (const id of list) {
        const d = store.byId.get(id);
        if (d) out.push(copy(d));
      }
      return out;
    },
    async list(q): Promise<DealPage> {
      const limit = Math.max(1, Math.floor(q.limit));
      const order = store.orderedIds();
      const start = q.after == null ? 0 : upperBound(order, q.after);
      const page: Deal[] = [];
      for (let i = start; i < order.length; i++) {
        const d = store.byId.get(order[i]!)!;
        if (!dealMatches(d, q)) continue;
        if (page.length === limit) return { deals: page, next: page[page.length - 1]!.id };
        page.push(copy(d));
      }
      return { deals: page, next: null };
    },
    async save(changes) {
      checkChanges(changes);
      const conflicts = changes.filter(({ deal, expectedVersion }) => (store.byId.get(deal.id)?.version ?? null) !== expectedVersion).map((c) => c.deal.id);
      if (conflicts.length > 0) {
        throw new PipelineError('conflict', `deals changed since they were read: ${conflicts.slice(0, 10).join(', ')}`, { ids: conflicts });
      }
      // Copy everything before writing anything: a save is all or nothing.
      store.write(changes.map((c) => copy(c.deal)));
    },
  };
}

function checkChanges(changes: readonly DealChange[]): void {
  if (!Array.isArray(changes)) throw new PipelineError('invalid_input', 'changes: expected an array', { path: 'changes' });
  const seen = new Set<string>();
  for (const [i, change] of changes.entries()) {
    if (typeof change !== 'object' || change === null) throw new PipelineError('invalid_input', `changes[${i}]: expected { deal, expectedVersion }`, { path: `changes[${i}]` });
    assertDeal(change.deal, `changes[${i}].deal`);
    if (change.expectedVersion !== null && typeof change.expectedVersion !== 'number') {
      throw new PipelineError('invalid_input', `changes[${i}].expectedVersion: expected a number or null`, { path: `changes[${i}].expectedVersion` });
    }
    if (seen.has(change.deal.id)) throw new PipelineError('invalid_input', `changes: deal ${change.deal.id} appears twice`, { path: 'changes', dealId: change.deal.id });
    seen.add(change.deal.id);
  }
}
