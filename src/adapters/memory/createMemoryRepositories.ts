import { guarded } from '../../_internal/guard.js';
import { PipelineError } from '../../errors.js';
import type { Deal } from '../../model/deal.js';
import type { Workspace } from '../../model/layout.js';
import { checkDealQuery, matchesQuery } from '../../ports/dealQuery.js';
import {
  type DealErasure,
  type DealFilter,
  type DealQuery,
  type DealPage,
  type DealRepository,
  type DealTail,
  type DealTailPage,
  type OutboxRepository,
  type StageSummaryRow,
  type SummaryQuery,
  type VisitRepository,
  type WorkspaceRepository,
} from '../../ports/repositories.js';
import { emptyWorkspace } from '../../workspace/apply.js';
import type { WorkspaceEvent } from '../../workspace/events.js';
import { checkedWorkspace } from '../../workspace/validate.js';
import { assertDeal } from '../../deals/shape.js';
import { DealStore } from './dealStore.js';
import { freezeJson } from './freeze.js';
import { checkEvents, MemoryOutbox } from './outbox.js';
import { listDeals, summarize, tailOf } from './memoryQueries.js';
import { memoryVisits } from './visits.js';
import { eraseDeal } from './erase.js';
import { checkDealChanges, type CheckedDealChange } from '../../ports/dealChanges.js';

/**
 * The memory store's repositories: the ports, with the outbox and visits always present.
 *
 * @example
 * ```ts
 * const repos: MemoryRepositories = createMemoryRepositories();
 * await repos.outbox.pending(10); // []
 * ```
 * @category Storage
 */
export interface MemoryRepositories {
  readonly workspace: WorkspaceRepository;
  readonly deals: MemoryDealRepository;
  /** Every method of the port, claims, parking and purge included. */
  readonly outbox: Required<OutboxRepository>;
  readonly visits: VisitRepository;
}

/**
 * The memory store's deal repository: every method of the port, `summarize`, tails and erasure included.
 *
 * @example
 * ```ts
 * const rows = await createMemoryRepositories().deals.summarize({ pipelineId: 'new-cars', rottingBefore: {} }); // []
 * ```
 * @category Storage
 */
export interface MemoryDealRepository extends DealRepository {
  /** Per stage and currency totals of one pipeline, by walking the stored deals. */
  summarize(q: SummaryQuery): Promise<StageSummaryRow[]>;
  getTails(ids: readonly string[]): Promise<DealTail[]>;
  listTails(q: DealQuery): Promise<DealTailPage>;
  erase(id: string, erasure: DealErasure): Promise<void>;
}

/** The shared state of one memory store: what a deal save checks the workspace version against. */
interface State {
  workspace: Workspace;
  readonly deals: DealStore;
  readonly outbox: MemoryOutbox;
}

/**
 * The embedded default storage: workspace, deals, outbox and stage visits in memory, with
 * optimistic concurrency, all-or-nothing saves and the workspace-version check. State is
 * immutable: what is saved is deep-frozen in place (only the objects that are new, so a moved
 * deal costs what changed) and handed out as is, never copied. A host cannot change stored state
 * through an object it saved or got back; writing to one throws a `TypeError` in strict mode.
 * Good for tests, demos, single-process tools and browsers, and the reference for adapters of
 * your own.
 *
 * @param seed - optional initial workspace (kept as a frozen copy) and deals (frozen in place), and the clock that stamps
 *   outbox deliveries and parking (default `Date.now`; `purgeDelivered` compares against it)
 * @returns `{ workspace, deals, outbox, visits }` repositories
 * @example
 * ```ts
 * const repos = createMemoryRepositories();
 * const service = createPipelineService(repos);
 * ```
 * @category Storage
 * @function
 */
export const createMemoryRepositories = /* @__PURE__ */ guarded(function createMemoryRepositories(seed: { workspace?: Workspace; deals?: readonly Deal[]; clock?: () => number } = {}): MemoryRepositories {
  if (typeof seed !== 'object' || seed === null) throw new PipelineError('invalid_input', 'seed: expected { workspace?, deals? }', { path: 'seed' });
  // A seed workspace of the host's own is kept as a sealed copy: the host's object stays unfrozen.
  const seeded = seed.workspace === undefined ? emptyWorkspace() : checkedWorkspace(seed.workspace);
  const deals = seed.deals ?? [];
  if (!Array.isArray(deals)) throw new PipelineError('invalid_input', 'seed.deals: expected an array', { path: 'seed.deals' });
  const store = new DealStore();
  // A loop, not deals.forEach + spread: seeds of a million deals must not hit argument limits.
  const ids = new Set<string>();
  for (let i = 0; i < deals.length; i++) {
    const d = deals[i];
    assertDeal(d, `seed.deals[${i}]`);
    if (ids.has(d.id)) throw new PipelineError('invalid_input', `seed.deals: deal ${d.id} appears twice`, { path: 'seed.deals', dealId: d.id });
    ids.add(d.id);
    freezeJson(d, `seed.deals[${i}]`);
  }
  store.write(deals);
  const state: State = { workspace: freezeJson(seeded, 'seed.workspace'), deals: store, outbox: new MemoryOutbox(memoryClock(seed.clock)) };
  const repos: MemoryRepositories = {
    workspace: memoryWorkspace(state),
    deals: memoryDeals(state),
    outbox: state.outbox,
    visits: memoryVisits(store),
  };
  states.set(repos, state);
  return repos;
}, ['seed']);

const states = new WeakMap<object, State>();

/**
 * The whole stored state of memory repositories as text: workspace, deals, erased deals' visits,
 * every outbox row (delivered ones too). For tests that must prove a value is gone everywhere.
 */
export function dumpMemoryState(repos: MemoryRepositories): string {
  const state = states.get(repos);
  if (!state) throw new PipelineError('invalid_input', 'repos: expected repositories made by createMemoryRepositories', { path: 'repos' });
  return JSON.stringify({ workspace: state.workspace, deals: [...state.deals.byId], erased: [...state.deals.erased], outbox: state.outbox.rows() });
}

/** The clock of outbox stamps: the host's, checked on each reading, or `Date.now`. */
function memoryClock(clock: unknown): () => number {
  if (clock === undefined) return Date.now;
  if (typeof clock !== 'function') throw new PipelineError('invalid_input', 'seed.clock: expected a function returning epoch milliseconds', { path: 'seed.clock' });
  return () => {
    const t: unknown = clock();
    if (typeof t !== 'number' || !Number.isFinite(t)) throw new PipelineError('invalid_input', 'seed.clock: expected a function returning epoch milliseconds', { path: 'seed.clock' });
    return t;
  };
}

function memoryWorkspace(state: State): WorkspaceRepository {
  return {
    async load() {
      return state.workspace;
    },
    async save(ws, expectedVersion, options) {
      ws = checkedWorkspace(ws);
      const events = checkEvents<WorkspaceEvent>(options?.events, 'options.events');
      if (state.workspace.version !== expectedVersion) {
        throw new PipelineError('conflict', `workspace: stored version ${state.workspace.version}, expected ${expectedVersion}`, {
          ids: ['workspace'],
          storedVersion: state.workspace.version,
          expectedVersion,
        });
      }
      refuseInUse(state.deals, options?.unused);
      // Check and freeze everything before writing anything: a save is all or nothing.
      freezeJson(ws, 'workspace');
      freezeJson(events, 'options.events');
      state.workspace = ws;
      state.outbox.append(events);
    },
  };
}

/**
 * The in-use guard of a workspace save: a conflict naming how many stored deals match any of the
 * filters (and the first ten ids), checked in the same synchronous step as the write, so no deal
 * save can land between them.
 */
function refuseInUse(store: DealStore, unused: unknown): void {
  if (unused === undefined) return;
  if (!Array.isArray(unused)) throw new PipelineError('invalid_input', 'options.unused: expected an array of deal filters', { path: 'options.unused' });
  if (unused.length === 0) return;
  const queries = unused.map((f: unknown, i) => {
    if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new PipelineError('invalid_input', `options.unused[${i}]: expected a deal filter`, { path: `options.unused[${i}]` });
    return checkDealQuery({ ...(f as DealFilter), limit: 1 });
  });
  const dealIds: string[] = [];
  let count = 0;
  for (const id of store.orderedIds()) {
    const deal = store.byId.get(id)!;
    if (!queries.some((q) => matchesQuery(deal, q))) continue;
    if (dealIds.length < 10) dealIds.push(id);
    count++;
  }
  if (count > 0) {
    throw new PipelineError('conflict', `workspace: ${count} stored deal${count === 1 ? '' : 's'} still use what this change removes (${dealIds.join(', ')})`, { ids: [], inUse: { count, dealIds } });
  }
}

function memoryDeals(state: State): MemoryRepositories['deals'] {
  const store = state.deals;
  return {
    async get(id) {
      return store.byId.get(id) ?? null;
    },
    async getMany(list) {
      if (!Array.isArray(list)) throw new PipelineError('invalid_input', 'ids: expected an array', { path: 'ids' });
      const out: Deal[] = [];
      for (const id of list) {
        const d = store.byId.get(id);
        if (d) out.push(d);
      }
      return out;
    },
    async list(q): Promise<DealPage> {
      return listDeals(store, checkDealQuery(q));
    },
    async getTails(list) {
      if (!Array.isArray(list)) throw new PipelineError('invalid_input', 'ids: expected an array', { path: 'ids' });
      const out: DealTail[] = [];
      for (const id of list) {
        const d = store.byId.get(id);
        if (d) out.push(tailOf(d));
      }
      return out;
    },
    async listTails(q): Promise<DealTailPage> {
      // Whole deals (history and change log), cut to their last visit: a tail is saved back whole but for the visits before it.
      const page = listDeals(store, { ...checkDealQuery(q), history: true, changes: true });
      return { tails: page.deals.map(tailOf), next: page.next };
    },
    async save(input, options) {
      const { changes, events, workspaceVersion: expectedWs } = checkDealChanges(input, options);
      if (expectedWs !== undefined && expectedWs !== state.workspace.version) {
        throw new PipelineError('conflict', `the configuration changed since the decision: workspace version ${state.workspace.version}, expected ${expectedWs}`, {
          ids: [],
          workspaceVersion: { stored: state.workspace.version, expected: expectedWs },
        });
      }
      const conflicts: string[] = [];
      for (const { deal, expectedVersion } of changes) {
        if ((store.byId.get(deal.id)?.version ?? null) !== expectedVersion) conflicts.push(deal.id);
      }
      if (conflicts.length > 0) {
        throw new PipelineError('conflict', `deals changed since they were read: ${conflicts.slice(0, 10).join(', ')}${conflicts.length > 10 ? ', …' : ''}`, { ids: conflicts });
      }
      // Check and freeze everything before writing anything: a save is all or nothing.
      const deals = new Array<Deal>(changes.length);
      for (let i = 0; i < changes.length; i++) deals[i] = freezeJson(whole(changes[i]!, store.byId.get(changes[i]!.deal.id)), `changes[${i}].deal`);
      freezeJson(events, 'options.events');
      store.write(deals);
      state.outbox.append(events);
    },
    async summarize(q) {
      return summarize(store, q);
    },
    async erase(id, erasure) {
      eraseDeal(store, state.outbox, id, erasure);
    },
  };
}

/** The deal to store: the one saved, or for a tail (`historyStart`) the stored visits before it followed by its history. */
function whole(change: CheckedDealChange, stored: Deal | undefined): Deal {
  const { deal, start } = change;
  if (start === 0) return deal;
  // A start above 0 comes with an expected version, which matched: the deal is stored.
  const kept = stored!.history;
  if (start > kept.length) {
    const path = `changes[${change.index}].historyStart`;
    throw new PipelineError('invalid_input', `${path}: ${start} is past the ${kept.length} stored visits`, { path });
  }
  // Object.assign rather than a spread: in V8, a spread copy of a deal that is not frozen, frozen
  // afterwards, gets a hidden class of its own. Every deal of a bulk move then cost about 480 more
  // bytes (its own map and descriptors) and every later read of it missed the inline caches.
  return Object.assign({}, deal, { history: kept.slice(0, start).concat(deal.history) });
}
