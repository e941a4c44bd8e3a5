import type { DealEvent } from '../deals/events.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import type { DwellRow } from '../metrics/dwellStats.js';
import type { WorkspaceEvent } from '../workspace/events.js';

/**
 * What a workspace save stores besides the workspace.
 *
 * @example
 * ```ts
 * await repo.save(next, ws.version, { events }); // the events land in the outbox with the workspace, or neither does
 * ```
 */
export interface WorkspaceSaveOptions {
  /** Events of the change, stored in the outbox in the same all-or-nothing write. */
  readonly events?: readonly WorkspaceEvent[];
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
 * A page request over deals: filters, a cursor (`after`: the last id seen) and a page size.
 *
 * @example
 * ```ts
 * const query: DealQuery = { layoutId: 'sales', pipelineId: null, after: null, limit: 500 }; // deals of a layout without pipelines
 * ```
 */
export interface DealQuery {
  readonly layoutId?: string;
  /** A pipeline id, or null for deals of layouts without pipelines; omit for any. */
  readonly pipelineId?: string | null;
  readonly stageId?: string;
  readonly after?: string | null;
  readonly limit: number;
}

/** The filters of a {@link DealQuery}, without the paging. */
export type DealFilter = Omit<DealQuery, 'after' | 'limit'>;

/** Whether a deal matches a query's filters: what `list` returns, for stores that filter in code. */
export function dealMatches(deal: Deal, q: DealFilter): boolean {
  return (
    (q.layoutId === undefined || deal.layoutId === q.layoutId) &&
    (q.pipelineId === undefined || deal.pipelineId === q.pipelineId) &&
    (q.stageId === undefined || deal.stageId === q.stageId)
  );
}

/**
 * One page of deals, in a stable order (by id), and the cursor of the next page.
 *
 * @example
 * ```ts
 * const { deals, next }: DealPage = await repo.list({ pipelineId: 'new-cars', limit: 100 });
 * ```
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
 */
export interface DealTailPage {
  readonly tails: DealTail[];
  readonly next: string | null;
}

/**
 * What a deal save checks and stores besides the deals.
 *
 * @example
 * ```ts
 * await deals.save([{ deal, expectedVersion: deal.version - 1 }], { workspaceVersion: ws.version, events });
 * ```
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
 */
export interface DealRepository {
  /** One deal, or null when it does not exist. */
  get(id: string): Promise<Deal | null>;
  /** The deals with these ids that exist; unknown ids are skipped. */
  getMany(ids: readonly string[]): Promise<Deal[]>;
  /** One page of the deals matching the filters, in id order, after the cursor. */
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
}

/**
 * What a decision inside `DealRepository.transact` saves: the deal and the events that made it.
 *
 * @example
 * ```ts
 * const decision: DealDecision = applyDeal(ws, deal, { type: 'moveToStage', stageId: 'quote' }, { at: Date.now() });
 * ```
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
 */
export interface DealTransactOptions {
  readonly events?: boolean;
}

/**
 * One stored event and its place in the outbox: `seq` rises in the order saves committed.
 *
 * @example
 * ```ts
 * const [first]: OutboxEntry[] = await outbox.pending(100);
 * first.event.id; // 'deal/2/0/d1'
 * ```
 */
export interface OutboxEntry {
  readonly seq: number;
  readonly event: WorkspaceEvent | DealEvent;
}

/**
 * The transactional outbox: events stored by the same saves as the state they describe, until
 * they are delivered. The service hands pending events to `onEvents` and then marks them.
 *
 * @example
 * ```ts
 * const pending = await repos.outbox!.pending(500);
 * await publish(pending.map((p) => p.event));
 * await repos.outbox!.markDelivered(pending.map((p) => p.seq));
 * ```
 */
export interface OutboxRepository {
  /** Up to `limit` undelivered events, oldest first (by `seq`). */
  pending(limit: number): Promise<OutboxEntry[]>;
  /** Marks events delivered; unknown or already delivered seqs are ignored. */
  markDelivered(seqs: readonly number[]): Promise<void>;
}

/**
 * One stage visit as a row: what SQL and BI tools read from a visits table.
 *
 * @example
 * ```ts
 * const row: VisitRow = { dealId: 'd1', layoutId: 'sales', pipelineId: 'new-cars', stageId: 'quote', enteredAt: 0, exitedAt: null };
 * ```
 */
export interface VisitRow {
  readonly dealId: string;
  /** The layout of the deal now (visits of a deal that changed layout carry its current layout). */
  readonly layoutId: string;
  readonly pipelineId: string | null;
  readonly stageId: string;
  readonly enteredAt: number;
  readonly exitedAt: number | null;
}

/**
 * A page request over stage visits: filters on the visit's own pipeline, a cursor and a size.
 *
 * @example
 * ```ts
 * const q: VisitQuery = { pipelineId: 'new-cars', after: null, limit: 10_000 };
 * ```
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
 */
export interface VisitRepository {
  /** One page of visits, ordered by deal id then position in the deal's history, after the cursor. */
  list(q: VisitQuery): Promise<VisitPage>;
  /**
   * Optional: dwell statistics computed by the store, the same rows to the last digit as
   * `dwellStats` over the stored deals with `{ now, pipelineId, includeOpen }` (calendar time,
   * no `businessDays`). `service.dwellStats` uses it when present.
   */
  dwell?(q: DwellQuery): Promise<DwellRow[]>;
}

/**
 * What {@link VisitRepository.dwell} is asked: the options of `dwellStats` in calendar time,
 * `now` as epoch milliseconds.
 *
 * @example
 * ```ts
 * const q: DwellQuery = { now: Date.now(), pipelineId: 'new-cars', includeOpen: true };
 * ```
 */
export interface DwellQuery {
  /** Where open visits end when `includeOpen` (epoch milliseconds). */
  readonly now: number;
  /** Only visits made in this pipeline. */
  readonly pipelineId?: string;
  /** Count open visits up to `now`; default false (completed visits only). */
  readonly includeOpen?: boolean;
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
 */
export interface Repositories {
  readonly workspace: WorkspaceRepository;
  readonly deals: DealRepository;
  readonly outbox?: OutboxRepository;
  readonly visits?: VisitRepository;
}
