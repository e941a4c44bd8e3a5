import { isPipelineError, PipelineError } from '../errors.js';
import type { DealEvent } from '../deals/events.js';
import type { Deal } from '../model/deal.js';
import { parseWith } from '../model/parse.js';
import { Id } from '../model/primitives.js';
import type { DealChange, DealDecision, DealErasedEvent, DealFilter, DealRepository, OutboxRepository, VisitRepository, WorkspaceRepository } from '../ports/repositories.js';
import { MAX_LIST_LIMIT } from '../ports/dealQuery.js';
import type { Workspace } from '../model/layout.js';
import type { WorkspaceEvent } from '../workspace/events.js';
import { createDelivery, type Delivery } from './delivery.js';
import { guardRepositories } from './storage.js';
import { createAuthorization, type Authorization } from './authorization.js';
import { DEFAULT_RETRY, retryingConflicts } from './retry.js';
import type { PipelineServiceOptions } from './types.js';

/** What the parts of the service share. */
export interface Runtime extends Authorization {
  readonly workspaces: WorkspaceRepository;
  readonly deals: DealRepository;
  readonly outbox: OutboxRepository | null;
  readonly visits: VisitRepository | null;
  readonly chunkSize: number;
  /** Deals per page the service reads: `chunkSize`, at most what a listing may ask for. */
  readonly pageSize: number;
  /** The service clock, in epoch ms. */
  now(): number;
  /** The instant to record a change of these deals at: the clock, or the latest of their last changes if a skewed clock wrote one later. */
  atFor(deals: readonly Deal[]): number;
  /**
   * Saves a workspace decided on `expectedVersion`, with its events, then delivers them. `unused`:
   * filters no stored deal may match when the save lands (what the change drops).
   */
  saveWorkspace(ws: Workspace, expectedVersion: number, events: readonly WorkspaceEvent[], unused?: readonly DealFilter[]): Promise<void>;
  /**
   * Saves planned deals in one all-or-nothing save against the version each was read at and the
   * workspace version the plan read, then delivers their events. `starts`: where the history of
   * deals planned from tails starts, by id.
   */
  commit(
    updated: readonly { deal: Deal; events: readonly DealEvent[] }[],
    workspaceVersion: number,
    expected?: (deal: Deal) => number | null,
    starts?: ReadonlyMap<string, number> | null,
  ): Promise<void>;
  /**
   * When the deal repository has `transact`: reads deal `id` and the workspace, decides and saves
   * in one storage transaction, then delivers the events. Null when it has none.
   */
  readonly transact: ((id: string, decide: (current: Deal | null, ws: Workspace) => DealDecision | null) => Promise<void>) | null;
  /** After an erasure: its event delivered (stored by the store's erase) or published. */
  afterErase(event: DealErasedEvent): Promise<void>;
  /** Outbox delivery (null without `onEvents` or without an outbox). */
  readonly delivery: Delivery | null;
  /** Runs `attempt` again after a version conflict, with exponential backoff and jitter. */
  retry<T>(attempt: () => Promise<T>): Promise<T>;
}

export { DEFAULT_RETRY, finalConflict } from './retry.js';

export function createRuntime(o: PipelineServiceOptions): Runtime {
  const retryOptions = { ...DEFAULT_RETRY, ...(o.maxRetries !== undefined ? { maxRetries: o.maxRetries } : {}), ...o.retry };
  const clock = o.clock ?? Date.now;
  const repos = guardRepositories(o);
  const outbox = o.onEvents ? (repos.outbox ?? null) : null;
  const random = o.random ?? Math.random;
  const chunkSize = o.chunkSize ?? 500;
  const delivery = outbox ? createDelivery(o, outbox, () => rtNow(clock), ownerId()) : null;

  const publishDirect = async (events: readonly (WorkspaceEvent | DealEvent | DealErasedEvent)[]) => {
    if (events.length === 0 || !o.onEvents) return;
    try {
      await o.onEvents(events);
    } catch (e) {
      if (isPipelineError(e)) throw e;
      throw new PipelineError('storage_failed', 'onEvents failed after the save: the change is stored, its events were not published (give the repositories an outbox for at-least-once delivery)', { operation: 'onEvents' }, { cause: e });
    }
  };

  /**
   * After a committed save: without an outbox, publish (a failure reaches the caller); with one,
   * start a delivery pass in the background. The write does not wait for delivery and nothing
   * delivery does reaches it: the change is committed.
   */
  const afterSave = async (events: readonly (WorkspaceEvent | DealEvent | DealErasedEvent)[]) => {
    if (events.length === 0) return;
    if (!delivery) return publishDirect(events);
    delivery.kick();
  };

  const rt: Runtime = {
    workspaces: repos.workspace,
    deals: repos.deals,
    outbox: repos.outbox ?? null,
    visits: repos.visits ?? null,
    chunkSize,
    pageSize: Math.min(chunkSize, MAX_LIST_LIMIT),
    ...createAuthorization(o.authorize),
    now: () => rtNow(clock),
    atFor(deals) {
      let at = this.now();
      for (let i = 0; i < deals.length; i++) if (deals[i]!.updatedAt > at) at = deals[i]!.updatedAt;
      return at;
    },
    async saveWorkspace(ws, expectedVersion, events, unused) {
      const guarded = unused !== undefined && unused.length > 0 ? { unused } : {};
      await repos.workspace.save(ws, expectedVersion, outbox ? { events, ...guarded } : guarded);
      await afterSave(events);
    },
    async commit(updated, workspaceVersion, expected = (d) => d.version - 1, starts = null) {
      if (updated.length === 0) return;
      const changes = new Array<DealChange>(updated.length);
      const events: DealEvent[] = [];
      for (let i = 0; i < updated.length; i++) {
        const u = updated[i]!;
        const historyStart = starts === null ? undefined : starts.get(u.deal.id);
        changes[i] = historyStart ? { deal: u.deal, expectedVersion: expected(u.deal), historyStart } : { deal: u.deal, expectedVersion: expected(u.deal) };
        for (const e of u.events) events.push(e);
      }
      await repos.deals.save(changes, outbox ? { workspaceVersion, events } : { workspaceVersion });
      await afterSave(events);
    },
    transact: repos.deals.transact
      ? async (id, decide) => {
          let events: readonly DealEvent[] = [];
          await repos.deals.transact!(id, (current, ws) => {
            const decision = decide(current, ws);
            events = decision === null ? [] : decision.events;
            return decision;
          }, { events: outbox !== null });
          await afterSave(events);
        }
      : null,
    delivery,
    afterErase: (event) => afterSave([event]),
    retry: retryingConflicts(retryOptions, random),
  };
  return rt;
}

/** The clock's reading in epoch ms. */
function rtNow(clock: () => Date | number): number {
  const t = clock();
  const ms = t instanceof Date ? t.getTime() : t;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new PipelineError('invalid_input', 'options.clock: expected a clock returning a Date or epoch milliseconds', { path: 'options.clock' });
  return ms;
}

/** A name for this service's outbox claims, unique across processes. */
function ownerId(): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  return `service-${uuid ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`}`;
}

/** Parses who is acting. */
export function actor(opts: { by?: string | null } | undefined): string | null {
  const by = opts?.by ?? null;
  return by === null ? null : parseWith(Id, by, 'opts.by');
}
