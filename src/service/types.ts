import type { PipelineErrorCode } from '../errors.js';
import type { DealEvent } from '../deals/events.js';
import type { Pipeline } from '../model/pipeline.js';
import type { StageDef } from '../model/stage.js';
import type { BulkChangeInput, DealCommandInput, WorkspaceCommand, WorkspaceCommandInput } from '../model/commands.js';
import type { DesiredConfiguration } from '../configuration/desired.js';
import type { StageDwellStats } from '../metrics/dwellStats.js';
import type { BusinessCalendar } from '../metrics/calendar.js';
import type { RottingOptions } from '../metrics/rotsAt.js';
import type { BacktestOptions, BacktestRow } from '../forecast/backtest.js';
import type { ForecastRow } from '../forecast/forecast.js';
import type { PipelineModel } from '../forecast/pipelineModel.js';
import type { DealSummary, StalledDeal } from '../metrics/stalledDeals.js';
import type { WeightedCurrency } from '../metrics/weightedPipeline.js';
import type { Funnel } from '../metrics/conversionFunnel.js';
import type { MovementStats } from '../metrics/movementStats.js';
import type { Coverage } from '../metrics/pipelineCoverage.js';
import type { WaterfallCurrency } from '../metrics/pipelineWaterfall.js';
import type { SalesCycle } from '../metrics/salesCycle.js';
import type { SalesVelocity } from '../metrics/salesVelocity.js';
import type { Slippage } from '../metrics/slippage.js';
import type { StageConversionStats } from '../metrics/stageConversion.js';
import type { DealInput } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import type { Deal } from '../model/deal.js';
import type { DealErasedEvent, DealFilter, DealPage, OutboxEntry, Repositories } from '../ports/repositories.js';
import type { WorkspaceEvent } from '../workspace/events.js';
import type { DealQuery } from '../ports/repositories.js';
import type { PeriodUnit } from '../forecast/periods.js';

/** An instant as the service's options take it: a Date, epoch ms or an ISO string. */
type At = Date | number | string;

/**
 * What `authorize` is asked before every command. For a command on a stored deal it also gets
 * the deal as the decision reads it (owner, pipeline, stage), inside the same read-decide-write:
 * the answer is used only while the deal is at that version, so a row-level rule ("a seller
 * moves only their own deals") cannot race a concurrent change; a retry asks again.
 *
 * @example
 * ```ts
 * createPipelineService({ ...repos, authorize: (r: AuthorizationRequest) =>
 *   (!r.bypassRules || r.by === 'manager') && (r.deal === undefined || r.by === 'manager' || r.deal.ownerId === r.by) });
 * ```
 * @category Service
 */
export interface AuthorizationRequest {
  readonly by: string | null;
  /** The command type (`createPipeline`, `moveToStage`, …). */
  readonly action: string;
  readonly dealId?: string;
  readonly bypassRules: boolean;
  /** True when the command is part of a `bulkUpdate` (asked once per deal). */
  readonly bulk?: boolean;
  /**
   * The stored deal the command applies to, as read for the decision (absent for configuration,
   * `createDeal` and a deal that does not exist). In a bulk update its `history` may hold only
   * the last visit. A synchronous answer is given inside the storage transaction of stores with
   * `transact`; a promise is awaited outside it and used only while the deal keeps that version.
   */
  readonly deal?: Deal;
}

/**
 * Options of {@link createPipelineService}.
 *
 * @example
 * ```ts
 * const options: PipelineServiceOptions = { ...createMemoryRepositories(), clock: () => Date.now(), maxRetries: 5 };
 * ```
 * @category Service
 */
export interface PipelineServiceOptions extends Repositories {
  /** The clock (default `Date.now`). */
  readonly clock?: () => Date | number;
  /** Asked before every command, with the deal it applies to (see {@link AuthorizationRequest}); false gives `forbidden`. Required for `bypassRules`. */
  readonly authorize?: (request: AuthorizationRequest) => boolean | Promise<boolean>;
  /**
   * Receives events after the save that stored them, in commit order. With an `outbox` in the
   * repositories, events are stored in the same save as the state and delivered at least once:
   * if `onEvents` throws or the process dies, they stay pending until the next delivery or
   * `deliverPending()`; consumers de-duplicate by `event.id`. Without an outbox, events are
   * published once after the save and an error reaches the caller.
   */
  readonly onEvents?: (events: readonly (WorkspaceEvent | DealEvent | DealErasedEvent)[]) => void | Promise<void>;
  /**
   * Told when delivering stored events failed (never the writer: a write returns once its own
   * transaction commits). With an outbox that offers claims, called once per failed event with
   * `failure`: the event, its attempts so far and whether it is now parked. What it throws is
   * ignored.
   */
  readonly onDeliveryError?: (error: unknown, failure?: DeliveryFailure) => void;
  /** How outbox events are delivered: batch size, lease, retries with backoff, parking, retention. */
  readonly delivery?: DeliveryOptions;
  /** Retries after a version conflict (default 20); the same as `retry.maxRetries`. */
  readonly maxRetries?: number;
  /** Retries after a version conflict: how many, and the exponential backoff with full jitter between them. */
  readonly retry?: RetryOptions;
  /** Random numbers in [0, 1) for the jitter (default `Math.random`). */
  readonly random?: () => number;
  /** Deals per page and per save in multi-step operations (default 500). */
  readonly chunkSize?: number;
}

/**
 * How the service delivers outbox events. After each committed write it starts a delivery pass in
 * the background (one at a time per service; the write does not wait for it): the pass claims
 * up to `batchSize` due events at a time for `leaseMs`, hands them to `onEvents` and marks them
 * delivered. A failed event is due again after `baseDelayMs × 2^(attempts − 1)` (at most
 * `maxDelayMs`) and parked after `maxAttempts`; a parked event blocks nothing and waits for
 * `service.retryParked`. With `retentionMs`, each pass deletes events delivered longer ago.
 *
 * @example
 * ```ts
 * createPipelineService({ ...repos, onEvents, delivery: { batchSize: 200, maxAttempts: 5, retentionMs: 7 * 86_400_000 } });
 * ```
 * @category Service
 */
export interface DeliveryOptions {
  /** Events per claim and per `onEvents` call (default 500). */
  readonly batchSize?: number;
  /** How long a claim holds its events before another process may take them (default 30 000 ms). */
  readonly leaseMs?: number;
  /** Failed deliveries before an event is parked (default 10). */
  readonly maxAttempts?: number;
  /** The first retry delay (default 1 000 ms), doubled per attempt. */
  readonly baseDelayMs?: number;
  /** The longest retry delay (default 600 000 ms). */
  readonly maxDelayMs?: number;
  /** Delete delivered events older than this during each pass (default: keep them). */
  readonly retentionMs?: number;
}

/**
 * What `onDeliveryError` is told about one event whose delivery failed.
 *
 * @example
 * ```ts
 * const onDeliveryError = (error: unknown, f?: DeliveryFailure) => f?.parked && alert(`event ${f.event.id} parked after ${f.attempts} attempts`);
 * ```
 * @category Service
 */
export interface DeliveryFailure {
  readonly event: WorkspaceEvent | DealEvent | DealErasedEvent;
  readonly seq: number;
  /** Failed deliveries so far, this one included. */
  readonly attempts: number;
  /** True when this failure parked the event. */
  readonly parked: boolean;
}

/**
 * Retries after a version conflict: attempt n waits a random time in [0, min(maxDelayMs,
 * baseDelayMs × 2^n)) ("full jitter").
 *
 * @example
 * ```ts
 * createPipelineService({ ...repos, retry: { maxRetries: 30, baseDelayMs: 5, maxDelayMs: 1000 } });
 * ```
 * @category Service
 */
export interface RetryOptions {
  /** Default 20. */
  readonly maxRetries?: number;
  /** Default 2 ms. */
  readonly baseDelayMs?: number;
  /** Default 250 ms. */
  readonly maxDelayMs?: number;
}

/**
 * Who is acting.
 *
 * @example
 * ```ts
 * await service.dispatch('d1', { type: 'moveToStage', stageId: 'quote' }, { by: 'ann' });
 * ```
 * @category Service
 */
export interface ActOptions {
  readonly by?: string | null;
}

/**
 * A bulk update request: deal ids or a query, the change, the mode.
 *
 * @example
 * ```ts
 * await service.bulkUpdate({ query: { pipelineId: 'new-cars', stageId: 'quote' }, change: { type: 'moveToStage', stageId: 'negotiation' }, mode: 'bestEffort', chunkSize: 200, by: 'manager' });
 * ```
 * @category Service
 */
export type BulkRequest = {
  readonly change: BulkChangeInput;
  readonly mode: 'atomic' | 'bestEffort';
  readonly chunkSize?: number;
  readonly by?: string | null;
  readonly bypassRules?: boolean;
  /** With `dealIds`: the version the caller saw per deal; a deal at another version is rejected with `conflict` (no retry). */
  readonly expectedVersions?: Readonly<Record<string, number>>;
  /** Told after each chunk is committed (and once at the end of an atomic update): for a progress bar. */
  readonly onProgress?: (progress: BulkProgress) => void;
  /**
   * Stops the update between chunks: chunks already committed stay committed and are in the
   * report, which says `cancelled: true`; deals not reached are in none of its lists.
   */
  readonly signal?: AbortSignal;
} & ({ readonly dealIds: readonly string[]; readonly query?: undefined } | { readonly query: DealFilter; readonly dealIds?: undefined });

/**
 * The outcome of a bulk update: every deal in exactly one list.
 *
 * @example
 * ```ts
 * const report: BulkReport = await service.bulkUpdate({ dealIds: ['d1', 'd2'], change, mode: 'bestEffort' });
 * report.rejected; // [{ dealId: 'd2', code: 'transition_not_allowed', message: '...' }]
 * ```
 * @category Service
 */
export interface BulkReport {
  readonly updated: string[];
  readonly rejected: { dealId: string; code: PipelineErrorCode; message: string }[];
  readonly unchanged: string[];
  /** Atomic mode only: true when a rejection stopped the whole update and nothing was saved. */
  readonly aborted?: boolean;
  /**
   * True when the request's `signal` stopped the update between chunks. The lists hold the chunks
   * committed before it; deals not reached are in none of them. (Not `aborted`, which says that
   * nothing was saved.)
   */
  readonly cancelled?: boolean;
}

/**
 * How far a bulk update is: deals reported so far (updated, rejected or unchanged) and how many
 * there are in all (null while a query is still being paged through in `bestEffort` mode).
 *
 * @example
 * ```ts
 * await service.bulkUpdate({ dealIds, change, mode: 'bestEffort', chunkSize: 100,
 *   onProgress: ({ done, total }: BulkProgress) => console.log(`${done} of ${total ?? '?'}`) });
 * ```
 * @category Service
 */
export interface BulkProgress {
  readonly done: number;
  readonly total: number | null;
}

/**
 * Options of {@link PipelineService.importDeals}. `mode: 'create'` stores new deals only (an id
 * that exists is refused `duplicate_id`); `upsert` also re-syncs stored ones. `by` is who the
 * events name; `expectedVersions` (upsert) refuses with `conflict` a deal not at the version the
 * caller saw (or missing); `chunkSize` deals per save (default the service's `chunkSize`);
 * `onProgress` is told after each committed chunk; `signal` stops between chunks.
 *
 * @example
 * ```ts
 * const opts: ImportDealsOptions = { mode: 'upsert', by: 'hubspot-sync', chunkSize: 200, onProgress: ({ done, total }) => console.log(done, total) };
 * ```
 * @category Service
 */
export interface ImportDealsOptions {
  readonly mode: 'create' | 'upsert';
  readonly by?: string | null;
  readonly expectedVersions?: Readonly<Record<string, number>>;
  readonly chunkSize?: number;
  /** Told after each committed chunk: deals reported so far, of `total` given. */
  readonly onProgress?: (progress: BulkProgress) => void;
  /** Stops between chunks: chunks already committed stay committed and are in the report (`cancelled: true`). */
  readonly signal?: AbortSignal;
}

/**
 * The outcome of an import: every deal given in exactly one list (none of them for deals not
 * reached when `cancelled`).
 *
 * - `created`: stored new, with its history as given, and a `dealCreated` event.
 * - `updated` (upsert): the vendor's new visits and change-log entries appended after the stored
 *   ones, its values taken, one new version, `dealStageChanged` / `dealUpdated` events.
 * - `unchanged` (upsert): stored with the same data; no new version, no event.
 * - `refused`: `invalid_input` (not a deal, or an invariant broken against the stored
 *   configuration, named), `duplicate_id` (exists in `create` mode, or given twice),
 *   `conflict` (the vendor rewrote history already stored, the deal changed here since it was
 *   imported, a stale expected version, or it kept changing during the import), `forbidden`.
 *
 * @example
 * ```ts
 * const report: ImportReport = await service.importDeals(result.deals, { mode: 'upsert' });
 * report.refused; // [{ dealId: '118', code: 'conflict', message: 'deal 118: visit 2 differs from the stored one; …' }]
 * ```
 * @category Service
 */
export interface ImportReport {
  readonly created: string[];
  readonly updated: string[];
  readonly unchanged: string[];
  readonly refused: { dealId: string; code: PipelineErrorCode; message: string }[];
  /** True when `signal` stopped the import between chunks. */
  readonly cancelled?: boolean;
}

/**
 * Options of {@link PipelineService.dispatch}.
 *
 * @example
 * ```ts
 * await service.dispatch('d1', { type: 'moveToStage', stageId: 'quote' }, { by: 'ann', expectedVersion: 3 }); // conflict if d1 is no longer at version 3
 * ```
 * @category Service
 */
export interface DispatchOptions extends ActOptions {
  readonly bypassRules?: boolean;
  /** The version the caller saw (an HTTP `If-Match`); another stored version is `conflict` at once, with `details.currentVersion`. */
  readonly expectedVersion?: number;
}

/**
 * One column of a {@link Board}: the stage (its definition with the pipeline's overrides), how
 * many deals sit in it, their totals per currency (`''` for deals without one), how many are
 * rotting, and the first `perStage` deals in id order (`next` pages on with `listDeals`).
 *
 * @example
 * ```ts
 * const column: BoardColumn = board.columns[0];
 * `${column.stage.name}: ${column.count} deals, ${column.totals.EUR?.amount ?? 0} EUR`;
 * ```
 * @category Service
 */
export interface BoardColumn {
  readonly stage: StageDef & { readonly probability: number; readonly requiredFields: readonly string[] };
  readonly count: number;
  readonly totals: Readonly<Record<string, { readonly amount: number; readonly weighted: number }>>;
  readonly rotting: number;
  readonly deals: Deal[];
  readonly next: string | null;
}

/**
 * A pipeline as a kanban board: columns in the pipeline's stage order.
 *
 * @example
 * ```ts
 * const board: Board = await service.board('new-cars', { perStage: 20 });
 * board.columns.map((c) => `${c.stage.name} (${c.count})`);
 * ```
 * @category Service
 */
export interface Board {
  readonly pipeline: Pipeline;
  readonly columns: BoardColumn[];
}

/**
 * Options of {@link PipelineService.board}.
 *
 * @example
 * ```ts
 * await service.board('new-cars', { perStage: 10, now: Date.parse('2026-03-10T00:00:00Z') });
 * ```
 * @category Service
 */
export interface BoardOptions {
  /** Deals per column (default 20, at most 500). */
  readonly perStage?: number;
  /** The instant rotting is judged at (default the service clock). */
  readonly now?: Date | number | string;
  /** What the cards carry besides their current visit: `history` (every visit), `changes` (the change log). Default none. */
  readonly include?: readonly DealInclude[];
  /** Count rotting in working time, as `stalledDeals` does (`true` or a {@link BusinessCalendar}). */
  readonly businessDays?: boolean | BusinessCalendar;
}

/**
 * A listing query of {@link PipelineService.listDeals}: the store's filters, sort and paging, what
 * the deals carry besides their current visit (`include`), and the instant `rotting` is judged at
 * (`now`, default the clock).
 *
 * @example
 * ```ts
 * const query: DealListQuery = { pipelineId: 'new-cars', stageId: 'quote', include: ['history'], limit: 50 };
 * ```
 * @category Service
 */
export type DealListQuery = ListDealsQuery;

/**
 * The service a host calls: loads, decides, saves with optimistic concurrency, publishes.
 *
 * @example
 * ```ts
 * const service: PipelineService = createPipelineService(createMemoryRepositories());
 * await service.getWorkspace(); // { version: 0, layouts: [] }
 * ```
 * @category Service
 */
export interface PipelineService {
  /** Runs any workspace command (multi-step ones move deals first); returns the new workspace. */
  configure(command: WorkspaceCommandInput, opts?: ActOptions): Promise<Workspace>;
  /** Creates a deal (default pipeline and first stage unless given); returns it. */
  createDeal(input: DealInput, opts?: ActOptions): Promise<Deal>;
  /**
   * Stores deals built elsewhere (an importer's result; `importInto` calls it) with their history
   * and change log as they are, not replayed as commands: each deal is checked against the stored
   * configuration (shape and invariants) and refused on its own, never failing the whole call;
   * `authorize` is asked per deal as action `importDeal` (with the stored deal, if any). Deals are
   * saved `chunkSize` at a time, each chunk in one all-or-nothing save with the events the service
   * emits for a created or changed deal (in the outbox when there is one). `upsert` re-syncs:
   * unchanged deals are left alone, changed ones get the vendor's new visits appended after the
   * stored history (a vendor that rewrote stored history is refused `conflict`). See
   * {@link ImportReport}.
   */
  importDeals(deals: readonly Deal[], opts: ImportDealsOptions): Promise<ImportReport>;
  /** Runs any deal command on a stored deal; `bypassRules` needs `authorize` to allow it. */
  dispatch(dealId: string, command: DealCommandInput, opts?: DispatchOptions): Promise<Deal>;
  /** Applies one change to many deals, by ids or by query; reports every deal. */
  bulkUpdate(request: BulkRequest): Promise<BulkReport>;
  /** One stored deal, or null. */
  getDeal(id: string): Promise<Deal | null>;
  /** The stored workspace. */
  getWorkspace(): Promise<Workspace>;
  /**
   * One page of deals matching the filters (owner, closing dates, amounts, outcome, name search,
   * layout, pipeline, stage, rotting at `query.now`), sorted (`sort`, `order`; nulls last, ties by
   * id), after the cursor `after` (`limit` 1..1000). Deals come lean (only their current visit, no
   * change log) unless `include` asks for `history` or `changes`.
   */
  listDeals(query: ListDealsQuery): Promise<DealPage>;
  /** A pipeline as a kanban board: per stage its definition, count, totals per currency, rotting count and first deals (lean cards unless `include` asks for more). */
  board(pipelineId: string, options?: BoardOptions): Promise<Board>;
  /**
   * Runs a delivery pass now (after the one in progress, if any) and waits for it: hands the due
   * outbox events to `onEvents` in batches and marks them delivered; returns how many. Writes
   * start passes in the background themselves; call this at start-up, on a timer, or in tests.
   */
  deliverPending(): Promise<number>;
  /** Resolves once no delivery pass of this service is running or waiting. */
  idle(): Promise<void>;
  /** Events parked after `delivery.maxAttempts` failed deliveries, oldest first, with their attempts and last error (`limit` default 100). */
  parkedEvents(limit?: number): Promise<OutboxEntry[]>;
  /** Makes parked events due again (attempts reset) and starts a delivery pass; returns how many. */
  retryParked(seqs: readonly number[]): Promise<number>;
  /**
   * Erases a deal (a data-protection request), asked of `authorize` as action `eraseDeal`: the
   * deal and its change log are removed; its stage visits stay, anonymised, for the figures; its
   * outbox events, pending and delivered, are redacted; a `dealErased` event records who erased
   * it and when. `expectedVersion`: refuse with `conflict` if the deal changed. `not_found` when
   * it does not exist. Needs a store that offers `deals.erase` (the shipped ones do).
   */
  eraseDeal(dealId: string, opts?: ActOptions & { expectedVersion?: number }): Promise<void>;
  /** Deletes outbox events delivered before `before` (an instant); returns how many. */
  purgeDelivered(opts: { readonly before: Date | number | string }): Promise<number>;
  /**
   * @deprecated pass `{ before }`: the service takes instants in an options object, as every
   * report does; the positional form goes in the next minor version.
   */
  purgeDelivered(before: Date | number | string): Promise<number>;
  /**
   * `dwellStats` over every stored deal: computed by the store when its visits port offers `dwell`
   * (with a period, when it declares `dwellPeriods`), else read as stage-visit rows from the
   * store's visits table (`repositories.visits`) without materialising deals, or from the deals
   * when the store has no visits port; only the counted durations are held. The same rows as
   * `dwellStats(allDeals, opts)`; `now` defaults to the clock. With `from`/`to`: completed visits
   * that exited in `[from, to)`, and with `includeOpen` the visits open at `min(now, to)`,
   * measured to it.
   *
   * @example
   * ```ts
   * const quarter = await service.dwellStats({ pipelineId: 'new-cars', from: '2026-01-01', to: '2026-04-01' });
   * ```
   */
  dwellStats(opts?: StoredDwellOptions): Promise<StageDwellStats[]>;
  /**
   * The stored deals that start rotting in the period `[from, to)` with the instant each does (see
   * `rotsAt`), soonest first: what a scheduler asks for the next slot instead of polling every
   * deal. Takes the period and the {@link RottingOptions} in one object, as the reports do.
   *
   * @example
   * ```ts
   * const due = await service.rottingBetween({ from: now, to: now + 3_600_000, businessDays: true });
   * ```
   */
  rottingBetween(opts: StoredPeriodOptions & RottingOptions): Promise<RottingDeal[]>;
  /** The same with the period's bounds first: `rottingBetween(from, to, opts)` is `rottingBetween({ from, to, ...opts })`. */
  rottingBetween(from: Date | number | string, to: Date | number | string, opts?: RottingOptions): Promise<RottingDeal[]>;
  /** `learnPipeline` over every stored deal, read page by page (none is kept); `until` defaults to the clock. */
  learnPipeline(opts?: StoredLearnOptions): Promise<PipelineModel>;
  /** `forecast` of the deals open at `from` (default the clock), with the model learned from the store as of `from`. */
  forecast(opts: StoredForecastOptions): Promise<ForecastRow[]>;
  /** `backtest` over every stored deal (all are held in memory: each instant replays every history). */
  backtest(opts: BacktestOptions): Promise<BacktestRow[]>;
  /**
   * The stored deals rotting at `now`: `stalledDeals` over every stored deal, read page by page
   * (`chunkSize` deals at a time, at most 1,000), the same rows as
   * `stalledDeals(ws, allDeals, opts)`, each with the deal's name, owner, amount and currency;
   * `now` defaults to the clock.
   */
  stalledDeals(opts?: StoredRottingOptions): Promise<StalledDeal[]>;
  /** `weightedPipeline` over every stored open deal, read page by page: the same figures as `weightedPipeline(ws, allDeals)`. */
  weightedPipeline(): Promise<Record<string, WeightedCurrency>>;
  /*
   * The period reports below read the stored deals page by page (`chunkSize` deals, at most
   * 1,000, in id order, with their history, and their change log where the report reads a deal
   * as it stood at an instant) into a running tally: memory holds one page and the tally, never
   * the whole table.
   * Each gives the same figures as the array function of the same name over all stored deals.
   */
  /**
   * `conversionFunnel` over every stored deal: the cohort is the deals whose first entry into the
   * pipeline lies in `[from, to)` (every deal that entered it without a period).
   *
   * @example
   * ```ts
   * const funnel = await service.conversionFunnel({ pipelineId: 'new-cars', from: '2026-01-01', to: '2026-04-01' });
   * funnel.stages.map((s) => `${s.stageId}: ${s.entered} → ${s.advanced}`);
   * ```
   */
  conversionFunnel(opts: StoredFunnelOptions): Promise<Funnel>;
  /**
   * `stageConversion` over every stored deal: for each pair of stages, the deals that entered the
   * first in `[from, to)` and reached the second before `to`.
   *
   * @example
   * ```ts
   * const { wonConversion } = await service.stageConversion({ pipelineId: 'new-cars', from: '2026-01-01', to: '2026-04-01' });
   * ```
   */
  stageConversion(opts: StoredConversionOptions): Promise<StageConversionStats>;
  /**
   * `movementStats` over every stored deal: deals created, won and lost, and the moves made inside
   * `[from, to)`; the deals left open just before `to`.
   *
   * @example
   * ```ts
   * const { newDeals, won, betweenStages } = await service.movementStats({ from: '2026-03-01', to: '2026-04-01', pipelineId: 'new-cars' });
   * ```
   */
  movementStats(opts: StoredMovementOptions): Promise<MovementStats>;
  /**
   * `salesCycle` over every stored deal: the deals that closed inside `[from, to)`. Holds the
   * cycle of each deal won in the period (for the median), not the deals.
   *
   * @example
   * ```ts
   * const { winRate, medianCycleMs } = await service.salesCycle({ from: '2026-01-01', to: '2026-04-01' });
   * ```
   */
  salesCycle(opts: StoredPeriodOptions): Promise<SalesCycle>;
  /**
   * `salesVelocity` over every stored deal: deals open just before `to`, and those that closed
   * inside `[from, to)`, per currency.
   *
   * @example
   * ```ts
   * const eur = (await service.salesVelocity({ from: '2026-03-01', to: '2026-04-01' })).EUR;
   * ```
   */
  salesVelocity(opts: StoredPeriodOptions): Promise<Record<string, SalesVelocity>>;
  /**
   * `slippage` over every stored deal: closing dates pushed later by changes made inside `[from, to)`.
   *
   * @example
   * ```ts
   * const { totals } = await service.slippage({ from: '2026-03-01', to: '2026-04-01' });
   * ```
   */
  slippage(opts: StoredPeriodOptions): Promise<Slippage>;
  /**
   * `pipelineWaterfall` over every stored deal: the pipeline just before `from`, every change in
   * `[from, to)` by bucket, and the pipeline just before `to`, per currency.
   *
   * @example
   * ```ts
   * const eur = (await service.pipelineWaterfall({ from: '2026-03-01', to: '2026-04-01' })).EUR;
   * ```
   */
  pipelineWaterfall(opts: StoredWaterfallOptions): Promise<Record<string, WaterfallCurrency>>;
  /**
   * `pipelineCoverage` over every stored deal: open deals (at `asOf`, default their current state)
   * whose closing date falls in the calendar days of `[from, to)`, against the target.
   *
   * @example
   * ```ts
   * const eur = (await service.pipelineCoverage({ from: '2026-04-01', to: '2026-07-01', target: { EUR: 100_000 } })).EUR;
   * ```
   */
  pipelineCoverage(opts: StoredCoverageOptions): Promise<Record<string, Coverage>>;
  /**
   * Makes the stored configuration look like `desired` (see `planConfiguration`), running each
   * planned command through {@link PipelineService.configure}; `dryRun` only plans. Returns the
   * commands (planned, or run). Running it again once applied plans and runs nothing.
   */
  applyConfiguration(desired: DesiredConfiguration, opts?: ActOptions & { dryRun?: boolean }): Promise<{ commands: WorkspaceCommand[] }>;
}

/**
 * Options of `service.dwellStats`: those of `dwellStats`, with `now` defaulting to the clock.
 *
 * @example
 * ```ts
 * const o: StoredDwellOptions = { pipelineId: 'new-cars', from: '2026-01-01', to: '2026-04-01' };
 * ```
 * @category Service
 */
export interface StoredDwellOptions {
  readonly now?: Date | number | string;
  readonly pipelineId?: string;
  readonly includeOpen?: boolean;
  readonly businessDays?: boolean | BusinessCalendar;
  /** Start of the period (inclusive): completed visits that exited at or after it. */
  readonly from?: Date | number | string;
  /** End of the period (exclusive); open visits are measured to `min(now, to)`. */
  readonly to?: Date | number | string;
}

/**
 * A deal that starts rotting in the period asked about, and when: one row of
 * `service.rottingBetween`. (A deal rotting already is a {@link StalledDeal}.)
 *
 * @example
 * ```ts
 * const due: RottingDeal[] = await service.rottingBetween({ from: now, to: now + 3_600_000 });
 * for (const d of due) schedule(d.rotsAt, () => remind(d.ownerId, `${d.name} starts rotting`));
 * ```
 * @category Service
 */
export interface RottingDeal extends DealSummary {
  /** The first millisecond the deal counts as rotting (see `rotsAt`). */
  readonly rotsAt: number;
}

/**
 * The former name of {@link RottingOptions}: the same type.
 *
 * @deprecated use `RottingOptions` (one name for how the rotting clock runs, whichever function
 * takes it); this alias goes in the next minor version.
 * @example
 * ```ts
 * const opts: RottingBetweenOptions = { businessDays: { timeZone: 'Europe/Berlin' } }; // write RottingOptions
 * ```
 * @category Service
 */
export type RottingBetweenOptions = RottingOptions;

/**
 * Options of {@link PipelineService.learnPipeline}: those of `learnPipeline`, `until` defaulting to the clock.
 *
 * @example
 * ```ts
 * const opts: StoredLearnOptions = { window: 180 };
 * ```
 * @category Service
 */
export interface StoredLearnOptions {
  readonly until?: Date | number | string;
  readonly window?: number;
}

/**
 * Options of {@link PipelineService.forecast}: those of `forecast`, with `from` defaulting to the
 * clock, and `window` for the model learned from the store as of `from`.
 *
 * @example
 * ```ts
 * const opts: StoredForecastOptions = { to: '2026-12-31T00:00:00Z', period: 'quarter', seed: 7 };
 * ```
 * @category Service
 */
export interface StoredForecastOptions {
  readonly from?: Date | number | string;
  readonly to: Date | number | string;
  readonly period: PeriodUnit;
  readonly window?: number;
  readonly runs?: number;
  readonly seed?: number;
  readonly timeZone?: string;
}

/**
 * What `service.listDeals` takes: a {@link DealQuery} without `rottingBefore` (the service builds
 * it from the workspace's `rotAfterDays`), and `now`, the instant rotting is judged at (default
 * the service clock).
 *
 * @example
 * ```ts
 * const q: ListDealsQuery = { ownerId: 'ann', rotting: true, sort: 'stageEnteredAt', limit: 50, now: '2026-03-10T00:00:00Z' };
 * ```
 * @category Service
 */
export type ListDealsQuery = Omit<DealQuery, 'rottingBefore'> & { readonly now?: Date | number | string };

/**
 * Options of `service.stalledDeals`, the deals rotting at `now`: those of `stalledDeals`, the
 * {@link RottingOptions} and `now`, defaulting to the clock.
 *
 * @example
 * ```ts
 * const o: StoredRottingOptions = { since: 'lastUpdate', businessDays: true };
 * const rotting = await service.stalledDeals(o);
 * ```
 * @category Service
 */
export interface StoredRottingOptions extends RottingOptions {
  readonly now?: Date | number | string;
}

/**
 * The former name of {@link StoredRottingOptions}: the same type.
 *
 * @deprecated use `StoredRottingOptions` (the concept is rotting, in every name outside the
 * contract's `stalledDeals`); this alias goes in the next minor version.
 * @example
 * ```ts
 * const o: StoredStalledOptions = { since: 'lastUpdate' }; // write StoredRottingOptions
 * ```
 * @category Service
 */
export type StoredStalledOptions = StoredRottingOptions;

/**
 * Options of `service.conversionFunnel`: those of `conversionFunnel`. The period selects the
 * cohort: deals whose first entry into the pipeline lies in `[from, to)`.
 *
 * @example
 * ```ts
 * const o: StoredFunnelOptions = { pipelineId: 'new-cars', from: '2026-01-01', to: '2026-04-01' };
 * ```
 * @category Service
 */
export interface StoredFunnelOptions {
  readonly pipelineId: string;
  readonly from?: At;
  readonly to?: At;
}

/**
 * Options of the period reports over the store (`slippage`, `salesVelocity`, `salesCycle`): those
 * of the array functions, a half-open period `[from, to)`.
 *
 * @example
 * ```ts
 * const o: StoredPeriodOptions = { from: '2026-01-01', to: '2026-04-01' };
 * ```
 * @category Service
 */
export interface StoredPeriodOptions {
  readonly from: At;
  readonly to: At;
}

/**
 * Options of `service.pipelineWaterfall`: those of `pipelineWaterfall`.
 *
 * @example
 * ```ts
 * const o: StoredWaterfallOptions = { from: '2026-01-01', to: '2026-04-01', closingTo: '2026-06-30' };
 * ```
 * @category Service
 */
export interface StoredWaterfallOptions extends StoredPeriodOptions {
  readonly pipelineId?: string;
  readonly closingFrom?: string;
  readonly closingTo?: string;
}

/**
 * Options of `service.stageConversion`: those of `stageConversion`.
 *
 * @example
 * ```ts
 * const o: StoredConversionOptions = { pipelineId: 'new-cars', from: '2026-01-01', to: '2026-04-01' };
 * ```
 * @category Service
 */
export interface StoredConversionOptions extends StoredPeriodOptions {
  readonly pipelineId: string;
}

/**
 * Options of `service.movementStats`: those of `movementStats`.
 *
 * @example
 * ```ts
 * const o: StoredMovementOptions = { from: '2026-03-01', to: '2026-04-01', pipelineId: 'new-cars' };
 * ```
 * @category Service
 */
export interface StoredMovementOptions extends StoredPeriodOptions {
  readonly pipelineId?: string;
}

/**
 * Options of `service.pipelineCoverage`: those of `pipelineCoverage`.
 *
 * @example
 * ```ts
 * const o: StoredCoverageOptions = { from: '2026-04-01', to: '2026-07-01', target: { EUR: 100_000 } };
 * ```
 * @category Service
 */
export interface StoredCoverageOptions extends StoredPeriodOptions {
  readonly target: number | Record<string, number>;
  readonly pipelineId?: string;
  readonly asOf?: At;
}

/**
 * What a listing or a board adds to its deals on request: `history` (every stage visit, not just
 * the current one) and `changes` (the change log). Without them a deal is a lean card.
 *
 * @example
 * ```ts
 * const include: DealInclude[] = ['history'];
 * await service.listDeals({ pipelineId: 'new-cars', include, limit: 50 });
 * ```
 */
export type DealInclude = 'history' | 'changes';
