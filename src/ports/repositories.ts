import type { DealEvent } from '../deals/events.js';
import type { Deal, FieldChange, StageVisit } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import type { StageDwellStats } from '../metrics/dwellStats.js';
import type { FunnelGroup, FunnelQuery } from '../metrics/funnelGroups.js';
import type { WorkspaceEvent } from '../workspace/events.js';
import { checkDealQuery, matchesQuery, type DealInclude, type DealSort, type RottingThresholds } from './dealQuery.js';
import type { VisitRow } from '../model/deal.js';

// A visit row is part of the model (beside StageVisit); the ports keep its name for stores.
export type { VisitRow };

/**
 * What a workspace save stores besides the workspace.
 *
 * @example
 * ```ts
 * await repo.save(next, ws.version, { events }); // the events land in the outbox with the workspace, or neither does
 * ```
 * @category Storage
 */
export interface WorkspaceSaveOptions {
  /** Events of the change, stored in the outbox in the same all-or-nothing write. */
  readonly events?: readonly WorkspaceEvent[];
  /**
   * Filters no stored deal may match when the save lands: a change that drops a stage or a
   * pipeline names what it drops (`{ pipelineId }`, `{ pipelineId, stageId }`, `{ layoutId,
   * stageId }`). Checked atomically with the write, after every deal save that committed before it
   * and before any that commits after it (deal saves check the workspace version). When a deal
   * matches, the save writes nothing and throws `conflict` with details `{ ids: [], inUse: { count,
   * dealIds } }` (a sample of at most 10 ids); the service then decides again and refuses with
   * `pipeline_in_use` / `stage_in_use`. This is what keeps a deal command that commits between
   * the service's own in-use check and the workspace save from stranding a deal in a stage or
   * pipeline that no longer exists.
   */
  readonly unused?: readonly DealFilter[];
}

/**
 * Where the host keeps its workspace (configuration). `save` must refuse with a
 * `PipelineError` code `conflict` when the stored version is not `expectedVersion`.
 *
 * @example
 * ```ts
 * const ws = await repo.load();               // { version: 0, layouts: [] } when nothing is stored
 * await repo.save(next, ws.version);          // conflict if someone saved in between
 * ```
 * @category Storage
 */
export interface WorkspaceRepository {
  /** The stored workspace, or `emptyWorkspace()` (version 0) when none is stored. */
  load(): Promise<Workspace>;
  /**
   * Stores `ws` (and `options.events` in the outbox) if the stored version is still
   * `expectedVersion`; else throws `conflict`. Excludes concurrent deal saves that check the
   * workspace version: a deal save either lands before (and is checked against the old version)
   * or after (and is checked against the new one).
   */
  save(ws: Workspace, expectedVersion: number, options?: WorkspaceSaveOptions): Promise<void>;
}

/**
 * A page request over deals: filters (all optional, combined with AND), a sort, a cursor and a
 * page size. Every store answers it alike (see `checkDealQuery`, `pageOfDeals`): order by the
 * sort key, nulls last in both orders, ties by id ascending; `next` is an opaque cursor; date
 * and amount bounds inclusive; `search` is a case-insensitive "name contains" on lower-cased
 * names. Deals come lean unless `include` asks for more: `history` holds only the current
 * visit, and there is no `changes` (a store may hand out more than asked; the service trims).
 *
 * @example
 * ```ts
 * const query: DealQuery = { ownerId: 'ann', closingFrom: '2026-03-01', closingTo: '2026-03-31', sort: 'amount', order: 'desc', limit: 100 };
 * ```
 * @category Storage
 */
export interface DealQuery {
  readonly layoutId?: string;
  /** A pipeline id, or null for deals of layouts without pipelines; omit for any. */
  readonly pipelineId?: string | null;
  readonly stageId?: string;
  /** An owner id, or null for deals without an owner. */
  readonly ownerId?: string | null;
  /** The outcome of the deal's current stage. */
  readonly outcome?: 'open' | 'won' | 'lost';
  /** Closing date on or after, 'YYYY-MM-DD' (deals without one are left out). */
  readonly closingFrom?: string;
  /** Closing date on or before, 'YYYY-MM-DD' (deals without one are left out). */
  readonly closingTo?: string;
  /** Amount at least (deals without one are left out). */
  readonly amountMin?: number;
  /** Amount at most (deals without one are left out). */
  readonly amountMax?: number;
  /** Case-insensitive "name contains" (both sides lower-cased, no locale rules). */
  readonly search?: string;
  /** Only rotting deals (true) or only deals not rotting (false), judged by `rottingBefore`. */
  readonly rotting?: boolean;
  /** Set by the service from the workspace and `now` when `rotting` is asked; see {@link RottingThresholds}. */
  readonly rottingBefore?: RottingThresholds;
  /** Default `id`. */
  readonly sort?: DealSort;
  /** Default `asc`. */
  readonly order?: 'asc' | 'desc';
  /** What to add to each lean deal: its whole history, its change log. */
  readonly include?: readonly DealInclude[];
  /** The cursor of the previous page (with the default sort, the last id seen). */
  readonly after?: string | null;
  /** 1 to 1000. */
  readonly limit: number;
}

/**
 * The filters of a {@link DealQuery}, without the sort, the paging and `include`.
 * @category Storage
 */
export type DealFilter = Omit<DealQuery, 'after' | 'limit' | 'sort' | 'order' | 'include'>;

/**
 * Whether a deal matches a query's filters (what `list` returns), with the filter checked once:
 * for stores and bulk updates that test many deals in code.
 */
export function dealMatcher(q: DealFilter): (deal: Deal) => boolean {
  const checked = checkDealQuery({ ...q, limit: 1 });
  return (deal) => matchesQuery(deal, checked);
}

/**
 * One page of deals, in the query's order, and the cursor of the next page.
 *
 * @example
 * ```ts
 * const { deals, next }: DealPage = await repo.list({ pipelineId: 'new-cars', limit: 100 });
 * ```
 * @category Storage
 */
export interface DealPage {
  readonly deals: Deal[];
  readonly next: string | null;
}

/**
 * One deal to save and the version the caller read (null: the deal must not exist yet).
 *
 * @example
 * ```ts
 * await deals.save([{ deal: moved, expectedVersion: moved.version - 1 }, { deal: created, expectedVersion: null }]);
 * ```
 * @category Storage
 */
export interface DealChange {
  readonly deal: Deal;
  readonly expectedVersion: number | null;
  /**
   * Where `deal.history` starts in the stored history (0 when absent): the deal was read as a
   * {@link DealTail}, and the stored visits before this position stay as they are. Needs an
   * `expectedVersion` (the version check is what guarantees those visits); a position past the
   * stored visits is `invalid_input` naming `changes[i].historyStart`. A store that offers
   * `getTails` and `listTails` must accept it; the service sends it to no other store (the
   * shipped memory store accepts it too).
   */
  readonly historyStart?: number;
}

/**
 * A deal read with only the end of its history: `deal.history` holds the stored visits from
 * position `historyStart` on, at least the last one. The reducers decide and apply every command
 * from the last visit alone, so a bulk update plans with tails and saves them with
 * `DealChange.historyStart`, without reading or writing the closed visits.
 *
 * @example
 * ```ts
 * const [tail] = await deals.getTails!(['d1']);
 * tail.historyStart + tail.deal.history.length; // the number of stored visits
 * await deals.save([{ deal: moved, expectedVersion: tail.deal.version, historyStart: tail.historyStart }]);
 * ```
 * @category Storage
 */
export interface DealTail {
  readonly deal: Deal;
  readonly historyStart: number;
}

/**
 * One page of deal tails, in id order, and the cursor of the next page.
 *
 * @example
 * ```ts
 * const { tails, next }: DealTailPage = await deals.listTails!({ pipelineId: 'new-cars', limit: 500 });
 * ```
 * @category Storage
 */
export interface DealTailPage {
  readonly tails: DealTail[];
  readonly next: string | null;
}

/**
 * What {@link DealRepository.timelines} is asked: a page of `limit` deals (at most 1,000) after the
 * cursor, with their visits begun before `before` (epoch ms; every visit without it).
 *
 * @example
 * ```ts
 * const q: TimelineQuery = { limit: 1000, before: Date.parse('2026-04-01T00:00:00Z') };
 * ```
 * @category Storage
 */
export interface TimelineQuery {
  readonly limit: number;
  readonly after?: string | null;
  readonly before?: number;
}

/**
 * A stored deal as a report follows it through time: its id and currency, its visits (begun
 * before the query's `before`, in history order, with the fields the deal's place in a pipeline
 * and its value are read from: pipeline, start, outcome, amount and closing date), and the
 * changes of amount, closing date and currency from its change log, in order.
 *
 * @example
 * ```ts
 * const t: DealTimeline = { id: 'd1', currency: 'EUR', history: [{ pipelineId: 'new-cars', enteredAt: 0, outcome: 'open', amount: 900, closingDate: null }], changes: [] };
 * ```
 * @category Storage
 */
export interface DealTimeline {
  readonly id: string;
  readonly currency: string | null;
  readonly history: readonly Pick<StageVisit, 'pipelineId' | 'enteredAt' | 'outcome' | 'amount' | 'closingDate'>[];
  readonly changes: readonly FieldChange[];
}

/**
 * One page of {@link DealTimeline}s and the cursor of the next.
 *
 * @example
 * ```ts
 * const { deals, next }: TimelinePage = await repos.deals.timelines!({ limit: 1000 });
 * ```
 * @category Storage
 */
export interface TimelinePage {
  readonly deals: DealTimeline[];
  readonly next: string | null;
}

/**
 * What a deal save checks and stores besides the deals.
 *
 * @example
 * ```ts
 * await deals.save([{ deal, expectedVersion: deal.version - 1 }], { workspaceVersion: ws.version, events });
 * ```
 * @category Storage
 */
export interface DealSaveOptions {
  /**
   * The workspace version the decision read. When given, the save is refused with `conflict`
   * (details `{ ids: [], workspaceVersion: { stored, expected } }`) if the stored workspace
   * version differs, checked atomically with the write.
   */
  readonly workspaceVersion?: number;
  /** Events of the change, stored in the outbox in the same all-or-nothing write. */
  readonly events?: readonly DealEvent[];
}

/**
 * Per stage and currency of one pipeline: how many deals, their amounts and weighted amounts,
 * and how many are rotting. What a board shows above each column.
 *
 * @example
 * ```ts
 * const rows: StageSummaryRow[] = await deals.summarize!({ pipelineId: 'new-cars', rottingBefore: { quote: now - 7 * 86_400_000 } });
 * ```
 * @category Storage
 */
export interface StageSummaryRow {
  readonly stageId: string;
  /** The deals' currency; null for deals without one. */
  readonly currency: string | null;
  readonly count: number;
  /** Sum of amounts (deals without an amount count as 0). */
  readonly amount: number;
  /** Sum of amount × probability / 100. */
  readonly weighted: number;
  /** Deals that entered their current stage before `rottingBefore[stageId]`. */
  readonly rotting: number;
}

/**
 * A board's summary request: one pipeline, and per stage the instant before which a deal that
 * entered it is rotting (stages without a threshold are absent).
 *
 * @example
 * ```ts
 * const q: SummaryQuery = { pipelineId: 'new-cars', rottingBefore: { quote: Date.parse('2026-03-01T00:00:00Z') } };
 * ```
 * @category Storage
 */
export interface SummaryQuery {
  readonly pipelineId: string;
  readonly rottingBefore: Readonly<Record<string, number>>;
}

/**
 * Where the host keeps its deals. Returned deals are the caller's to keep (never aliased to
 * stored state); `list` pages in a stable order by id; `save` writes all changes or none, and
 * refuses with `conflict` (naming the ids) when a stored version differs from the expected one.
 *
 * @example
 * ```ts
 * let page = await deals.list({ pipelineId: 'new-cars', limit: 100 });
 * while (page.next) page = await deals.list({ pipelineId: 'new-cars', after: page.next, limit: 100 });
 * ```
 * @category Storage
 */
export interface DealRepository {
  /** One deal, or null when it does not exist. */
  get(id: string): Promise<Deal | null>;
  /** The deals with these ids that exist; unknown ids are skipped. */
  getMany(ids: readonly string[]): Promise<Deal[]>;
  /** One page of the deals matching the filters, in the query's order, after the cursor (see {@link DealQuery}). */
  list(q: DealQuery): Promise<DealPage>;
  /**
   * Optional, together with `listTails`: like `getMany`, each deal with only its last visit (see
   * {@link DealTail}). A store that offers both accepts `DealChange.historyStart`;
   * `service.bulkUpdate` and the configuration sweeps then read and write only the visits a
   * change touches. With only one of the two, the service reads whole deals.
   */
  getTails?(ids: readonly string[]): Promise<DealTail[]>;
  /** Optional, together with `getTails`: like `list`, each deal with only its last visit (see {@link DealTail}). */
  listTails?(q: DealQuery): Promise<DealTailPage>;
  /**
   * Optional: the stored deals as {@link DealTimeline}s (what a report follows through time: the
   * visits begun before `q.before`, the logged changes of amount, closing date and currency), in
   * id order, a page of `q.limit` after the cursor. `service.pipelineWaterfall` reads it when
   * present, instead of whole deals.
   */
  timelines?(q: TimelineQuery): Promise<TimelinePage>;
  /**
   * Writes every change (and `options.events`, in the outbox) or none; throws `conflict` naming
   * the ids whose stored version differs, or when `options.workspaceVersion` is given and the
   * stored workspace version differs.
   */
  save(changes: readonly DealChange[], options?: DealSaveOptions): Promise<void>;
  /**
   * Optional: per stage and currency totals of one pipeline, computed by the store (SQL
   * `GROUP BY`). When absent, `service.board` pages through `list` instead.
   */
  summarize?(q: SummaryQuery): Promise<StageSummaryRow[]>;
  /**
   * Optional: one read-decide-write transaction. Reads deal `id` (null when it does not exist)
   * and the workspace, calls `decide` with them, and saves the deal it returns as `save` would
   * (against the version read; its events in the outbox when `options.events` is true) before any
   * other writer can change either. `decide` is synchronous; what it throws rolls back and
   * rejects the call unchanged; null saves nothing. Without it, the service reads with `get` and
   * `workspace.load` and saves with `save`, checking the workspace version.
   */
  transact?(id: string, decide: (current: Deal | null, workspace: Workspace) => DealDecision | null, options?: DealTransactOptions): Promise<void>;
  /**
   * Optional: erases a deal (a data-protection request). In one all-or-nothing write: the deal
   * row and its change log are gone; its stage visits stay for the figures, anonymised (stage,
   * pipeline, times, amounts, probabilities, forecast category and outcome kept; `by` null); every
   * outbox event of the deal, pending or delivered, is redacted to `{ type, id, dealId, version,
   * at, redacted: true }`; and `erasure.event` is stored in the outbox. Throws `not_found` when the
   * deal does not exist, `conflict` when `expectedVersion` is given and differs. After it, no
   * value of the deal's name, owner, lost reason, custom fields or change log remains in any
   * table (a contract check proves it for the shipped stores).
   */
  erase?(id: string, erasure: DealErasure): Promise<void>;
}

/**
 * What {@link DealRepository.erase} records: who erased, when, and the event that says so
 * (without the erased data).
 *
 * @example
 * ```ts
 * await deals.erase!('d1', { by: 'dpo', at: Date.now(), event: { type: 'dealErased', id: 'erased/d1', dealId: 'd1', version: 4, at: Date.now(), by: 'dpo' } });
 * ```
 * @category Storage
 */
export interface DealErasure {
  readonly by: string | null;
  readonly at: number;
  readonly expectedVersion?: number;
  /** Stored in the outbox in the same write (when the store has one). */
  readonly event: DealErasedEvent;
}

/**
 * The event an erasure stores in the outbox: that deal `dealId` was erased at `at` by `by`,
 * nothing else about it.
 *
 * @example
 * ```ts
 * const e: DealErasedEvent = { type: 'dealErased', id: 'erased/d1', dealId: 'd1', version: 4, at: 1767225600000, by: 'dpo' };
 * ```
 * @category Storage
 */
export interface DealErasedEvent {
  readonly type: 'dealErased';
  readonly id: string;
  readonly dealId: string;
  /** The deal's version when it was erased. */
  readonly version: number;
  readonly at: number;
  readonly by: string | null;
}

/**
 * What a decision inside `DealRepository.transact` saves: the deal and the events that made it.
 *
 * @example
 * ```ts
 * const decision: DealDecision = applyDeal(ws, deal, { type: 'moveToStage', stageId: 'quote' }, { at: Date.now() });
 * ```
 * @category Storage
 */
export interface DealDecision {
  readonly deal: Deal;
  readonly events: readonly DealEvent[];
}

/**
 * Options of `DealRepository.transact`: `events: true` stores the decision's events in the outbox.
 *
 * @example
 * ```ts
 * const options: DealTransactOptions = { events: true };
 * ```
 * @category Storage
 */
export interface DealTransactOptions {
  readonly events?: boolean;
}

/**
 * One stored event and its place in the outbox. `seq` is unique per tenant; the order a store
 * promises is per stream (a deal's events by version, the workspace's by version), not across
 * streams: see {@link OutboxRepository}.
 *
 * @example
 * ```ts
 * const [first]: OutboxEntry[] = await outbox.pending(100);
 * first.event.id; // 'deal/2/0/d1'
 * ```
 * @category Storage
 */
export interface OutboxEntry {
  readonly seq: number;
  readonly event: WorkspaceEvent | DealEvent | DealErasedEvent;
  /** Failed deliveries so far (claims only). */
  readonly attempts?: number;
  /** The last delivery error's message (claims and parked events only). */
  readonly lastError?: string | null;
}

/**
 * A failed delivery as a delivery worker records it: who held the events, the error, when they are
 * due again (`null` parks them), and the worker's instant (`now`, optional for hosts' own stores,
 * which may use their own clock without it).
 *
 * @example
 * ```ts
 * const failure: OutboxFailure = { owner: 'worker-1', error: 'timeout', retryAt: null, now: Date.now() };
 * ```
 * @category Storage
 */
export interface OutboxFailure {
  readonly owner: string;
  readonly error: string;
  readonly retryAt: number | null;
  readonly now?: number;
}

/**
 * A delivery worker's claim: up to `limit` due events, held by `owner` until `now + leaseMs`.
 *
 * @example
 * ```ts
 * const claim: OutboxClaim = { owner: 'worker-1', limit: 500, leaseMs: 30_000, now: Date.now() };
 * ```
 * @category Storage
 */
export interface OutboxClaim {
  readonly owner: string;
  readonly limit: number;
  readonly leaseMs: number;
  readonly now: number;
}

/**
 * The transactional outbox: events stored by the same saves as the state they describe, until
 * they are delivered. Order: a stream's events (one deal's, or the workspace's) are handed out in
 * version order, an event only once every earlier event of its stream is delivered or parked;
 * across streams there is no order beyond a batch sorted by `seq`. Ordering needs no global
 * sequence: on a sharded database where each node numbers `seq` itself, a deal's events still
 * come in version order.
 *
 * `pending`/`markDelivered` are the simple form (one deliverer). `claim`/`fail`/`parked`/
 * `retryParked`/`purgeDelivered` (all or none) let several processes deliver apart from the
 * writes: a claim holds events for a lease, so each is handed to one worker at a time (claimed
 * with `FOR UPDATE SKIP LOCKED` or the store's equivalent); a failed event is retried after
 * `retryAt`, or parked, and a parked event blocks nothing (its stream goes on without it).
 *
 * @example
 * ```ts
 * const batch = await outbox.claim!({ owner: 'w1', limit: 500, leaseMs: 30_000, now: Date.now() });
 * await publish(batch.map((p) => p.event));
 * await outbox.markDelivered(batch.map((p) => p.seq));
 * ```
 * @category Storage
 */
export interface OutboxRepository {
  /** Up to `limit` undelivered, unparked events, oldest first (by `seq`). */
  pending(limit: number): Promise<OutboxEntry[]>;
  /** Marks events delivered; unknown or already delivered seqs are ignored. */
  markDelivered(seqs: readonly number[]): Promise<void>;
  /**
   * Claims up to `limit` due events (undelivered, not parked, `retryAt` reached, no live lease of
   * another owner), each the next of its stream, sorted by `seq`, and holds them for `owner`
   * until `now + leaseMs`. Two concurrent claims never return the same event while its lease
   * lives.
   */
  claim?(claim: OutboxClaim): Promise<OutboxEntry[]>;
  /**
   * Records a failed delivery of events this owner claimed: `attempts` rises, the lease ends, and
   * the event is due again at `retryAt`, or parked when `retryAt` is null. `now` (epoch ms, the
   * service's clock) stamps a parked event; a store may fall back to its own clock without it.
   */
  fail?(seqs: readonly number[], failure: OutboxFailure): Promise<void>;
  /** Parked events (oldest first), with their attempts and last error. */
  parked?(limit: number): Promise<OutboxEntry[]>;
  /** Makes parked events due again now (attempts reset); returns how many. */
  retryParked?(seqs: readonly number[]): Promise<number>;
  /** Deletes delivered events delivered before `before` (epoch ms); returns how many. */
  purgeDelivered?(before: number): Promise<number>;
}

/**
 * A page request over stage visits: filters on the visit's own pipeline, a cursor and a size.
 *
 * @example
 * ```ts
 * const q: VisitQuery = { pipelineId: 'new-cars', after: null, limit: 10_000 };
 * ```
 * @category Storage
 */
export interface VisitQuery {
  readonly layoutId?: string;
  readonly pipelineId?: string | null;
  /** The opaque cursor of the previous page. */
  readonly after?: string | null;
  readonly limit: number;
}

/**
 * One page of visits and the cursor of the next.
 *
 * @example
 * ```ts
 * const { visits, next }: VisitPage = await repos.visits!.list({ limit: 10_000 });
 * ```
 * @category Storage
 */
export interface VisitPage {
  readonly visits: VisitRow[];
  readonly next: string | null;
}

/**
 * Optional: stage visits read straight from the store, for metrics over many deals without
 * materialising them.
 *
 * @example
 * ```ts
 * for (let page = await visits.list({ limit: 10_000 }); ; page = await visits.list({ after: page.next, limit: 10_000 })) { use(page.visits); if (!page.next) break; }
 * ```
 * @category Storage
 */
export interface VisitRepository {
  /** One page of visits, ordered by deal id then position in the deal's history, after the cursor. */
  list(q: VisitQuery): Promise<VisitPage>;
  /**
   * Optional: dwell statistics computed by the store, the same rows to the last digit as
   * `dwellStats` over the stored deals with `{ now, pipelineId, includeOpen }` (calendar time,
   * no `businessDays`). `service.dwellStats` uses it when present.
   */
  dwell?(q: DwellQuery): Promise<StageDwellStats[]>;
  /** True when `dwell` honours `DwellQuery.from`/`to` (a period); else the service computes periods itself. */
  readonly dwellPeriods?: boolean;
  /**
   * Optional: the counts behind `conversionFunnel`, computed by the store over its visits (erased
   * deals' included, as for dwell): the deals whose first visit to `pipelineId` began in
   * `[from, to)`, grouped by reach and closed stages entered, counting only visits begun before
   * `to`. `service.conversionFunnel` uses it when present.
   */
  funnel?(q: FunnelQuery): Promise<FunnelGroup[]>;
}


/**
 * What {@link VisitRepository.dwell} is asked: the options of `dwellStats` in calendar time,
 * `now` as epoch milliseconds.
 *
 * @example
 * ```ts
 * const q: DwellQuery = { now: Date.now(), pipelineId: 'new-cars', includeOpen: true };
 * ```
 * @category Storage
 */
export interface DwellQuery {
  /** Where open visits end when `includeOpen` (epoch milliseconds). */
  readonly now: number;
  /** Only visits made in this pipeline. */
  readonly pipelineId?: string;
  /** Count open visits up to `now`; default false (completed visits only). */
  readonly includeOpen?: boolean;
  /**
   * A period, epoch ms, half-open [from, to): completed visits that exited inside it (whole
   * durations), and with `includeOpen` the visits still open at min(now, to), measured to it. The
   * service sends a period only to a store that declares `dwellPeriods: true` on its visits port.
   */
  readonly from?: number;
  readonly to?: number;
}

/**
 * The repositories of one tenant. `outbox` and `visits` are optional for hosts' own adapters:
 * without an outbox the service publishes after each save (at most once); without `visits`
 * metrics over stored deals read the deals.
 *
 * @example
 * ```ts
 * const repos: Repositories = createMemoryRepositories();
 * ```
 * @category Storage
 */
export interface Repositories {
  readonly workspace: WorkspaceRepository;
  readonly deals: DealRepository;
  readonly outbox?: OutboxRepository;
  readonly visits?: VisitRepository;
}
