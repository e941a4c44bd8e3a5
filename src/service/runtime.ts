import { isPipelineError, PipelineError } from '../errors.js';
import type { DealEvent } from '../deals/events.js';
import type { Deal } from '../model/deal.js';
import { parseWith } from '../model/parse.js';
import { Id } from '../model/primitives.js';
import type { DealChange, DealDecision, DealErasedEvent, DealFilter, DealRepository, OutboxRepository, VisitRepository, WorkspaceRepository } from '../ports/repositories.js';
import type { Workspace } from '../model/layout.js';
import type { WorkspaceEvent } from '../workspace/events.js';
import { createDelivery, type Delivery } from './delivery.js';
import { guardRepositories } from './storage.js';
import type { AuthorizationRequest, PipelineServiceOptions, RetryOptions } from './types.js';

/** What the parts of the service share. */
export interface Runtime {
  readonly workspaces: WorkspaceRepository;
  readonly deals: DealRepository;
  readonly outbox: OutboxRepository | null;
  readonly visits: VisitRepository | null;
  readonly chunkSize: number;
  /** Whether the host gave an authorize function (without one, only bypassRules is refused). */
  readonly authorizes: boolean;
  /** The service clock, in epoch ms. */
  now(): number;
  /** The instant to record a change of these deals at: the clock, or the latest of their last changes if a skewed clock wrote one later. */
  atFor(deals: readonly Deal[]): number;
  authorize(request: AuthorizationRequest): Promise<void>;
  /** Whether the host allows a request (true when it gave no authorize function and no bypass is asked). */
  allows(request: AuthorizationRequest): Promise<boolean>;
  /**
   * {@link Runtime.allows} without waiting: a boolean when the host's answer is synchronous (so it
   * can be asked inside a storage transaction), else the promise of one.
   */
  ask(request: AuthorizationRequest): boolean | Promise<boolean>;
  /** The `forbidden` error of a refused request. */
  refusal(request: AuthorizationRequest): PipelineError;
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

/** Conflicts that a retry cannot cure (a caller's stale expected version). */
const final = new WeakSet<object>();

/** Marks a conflict as not to be retried, and returns it. */
export function finalConflict(e: PipelineError): PipelineError {
  final.add(e);
  return e;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { maxRetries: 20, baseDelayMs: 2, maxDelayMs: 250 };

export function createRuntime(o: PipelineServiceOptions): Runtime {
  const retryOptions = { ...DEFAULT_RETRY, ...(o.maxRetries !== undefined ? { maxRetries: o.maxRetries } : {}), ...o.retry };
  const clock = o.clock ?? Date.now;
  const repos = guardRepositories(o);
  const outbox = o.onEvents ? (repos.outbox ?? null) : null;
  const random = o.random ?? Math.random;
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
    chunkSize: o.chunkSize ?? 500,
    authorizes: o.authorize !== undefined,
    now: () => rtNow(clock),
    atFor(deals) {
      let at = this.now();
      for (let i = 0; i < deals.length; i++) if (deals[i]!.updatedAt > at) at = deals[i]!.updatedAt;
      return at;
    },
    async allows(request) {
      return this.ask(request);
    },
    ask(request) {
      if (!o.authorize) return !request.bypassRules;
      // Fail closed: an authorizer that cannot answer refuses.
      const failed = (e: unknown): never => {
        if (isPipelineError(e)) throw e;
        throw new PipelineError('forbidden', `authorize failed for ${request.action}; the request is refused`, { action: request.action }, { cause: e });
      };
      let answer: boolean | Promise<boolean>;
      try {
        answer = o.authorize(request);
      } catch (e) {
        return failed(e);
      }
      if (typeof answer === 'boolean') return answer;
      return Promise.resolve(answer).then((a) => a === true, failed);
    },
    refusal(request) {
      if (request.bypassRules && !o.authorize) {
        return new PipelineError('forbidden', `${request.action} with bypassRules: needs an authorize function that allows it`, { action: request.action, bypassRules: true });
      }
      const target = request.dealId ? ` deal ${request.dealId}` : '';
      const what = request.bypassRules ? `${request.action}${target} with bypassRules (bypassing the pipeline's rules)` : `${request.action}${target}`;
      return new PipelineError('forbidden', `${request.by ?? 'anonymous'} may not ${what}`, {
        action: request.action,
        by: request.by,
        bypassRules: request.bypassRules,
        ...(request.dealId ? { dealId: request.dealId } : {}),
      });
    },
    async authorize(request) {
      if (!(await this.allows(request))) throw this.refusal(request);
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
    async retry(attempt) {
      for (let tries = 0; ; tries++) {
        try {
          return await attempt();
        } catch (e) {
          if (!isPipelineError(e, 'conflict') || final.has(e) || tries >= retryOptions.maxRetries) throw e;
          // Full jitter: callers that collided spread out instead of colliding again.
          const cap = Math.min(retryOptions.maxDelayMs, retryOptions.baseDelayMs * 2 ** tries);
          const delay = Math.floor(random() * cap);
          if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    },
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
