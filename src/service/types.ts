import type { DealEvent } from '../deals/events.js';
import type { BulkChangeInput, DealCommandInput, WorkspaceCommandInput } from '../model/commands.js';
import type { DealInput } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import type { Deal } from '../model/deal.js';
import type { DealFilter, DealRepository, WorkspaceRepository } from '../ports/repositories.js';
import type { WorkspaceEvent } from '../workspace/events.js';

/**
 * What `authorize` is asked before every command.
 *
 * @example
 * ```ts
 * createPipelineService({ ...repos, authorize: (r: AuthorizationRequest) => !r.bypassRules || r.by === 'manager' });
 * ```
 */
export interface AuthorizationRequest {
  readonly by: string | null;
  /** The command type (`createPipeline`, `moveToStage`, …). */
  readonly action: string;
  readonly dealId?: string;
  readonly bypassRules: boolean;
  /** True when the command is part of a `bulkUpdate` (asked once per deal). */
  readonly bulk?: boolean;
}

/**
 * Options of {@link createPipelineService}.
 *
 * @example
 * ```ts
 * const options: PipelineServiceOptions = { ...createMemoryRepositories(), clock: () => Date.now(), maxRetries: 5 };
 * ```
 */
export interface PipelineServiceOptions {
  readonly workspace: WorkspaceRepository;
  readonly deals: DealRepository;
  /** The clock (default `Date.now`). */
  readonly clock?: () => Date | number;
  /** Asked before every command; false gives `forbidden`. Required for `bypassRules`. */
  readonly authorize?: (request: AuthorizationRequest) => boolean | Promise<boolean>;
  /** Receives the events of each successful save, in order. */
  readonly onEvents?: (events: readonly (WorkspaceEvent | DealEvent)[]) => void | Promise<void>;
  /** Retries after a version conflict (default 3). */
  readonly maxRetries?: number;
  /** Deals per page and per save in multi-step operations (default 500). */
  readonly chunkSize?: number;
}

/**
 * Who is acting.
 *
 * @example
 * ```ts
 * await service.dispatch('d1', { type: 'moveToStage', stageId: 'quote' }, { by: 'ann' });
 * ```
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
 */
export type BulkRequest = {
  readonly change: BulkChangeInput;
  readonly mode: 'atomic' | 'bestEffort';
  readonly chunkSize?: number;
  readonly by?: string | null;
  readonly bypassRules?: boolean;
} & ({ readonly dealIds: readonly string[]; readonly query?: undefined } | { readonly query: DealFilter; readonly dealIds?: undefined });

/**
 * The outcome of a bulk update: every deal in exactly one list.
 *
 * @example
 * ```ts
 * const report: BulkReport = await service.bulkUpdate({ dealIds: ['d1', 'd2'], change, mode: 'bestEffort' });
 * report.rejected; // [{ dealId: 'd2', code: 'transition_not_allowed', message: '...' }]
 * ```
 */
export interface BulkReport {
  readonly updated: string[];
  readonly rejected: { dealId: string; code: string; message: string }[];
  readonly unchanged: string[];
}

/**
 * The service a host calls: loads, decides, saves with optimistic concurrency, publishes.
 *
 * @example
 * ```ts
 * const service: PipelineService = createPipelineService(createMemoryRepositories());
 * await service.getWorkspace(); // { version: 0, layouts: [] }
 * ```
 */
export interface PipelineService {
  /** Runs any workspace command (multi-step ones move deals first); returns the new workspace. */
  configure(command: WorkspaceCommandInput, opts?: ActOptions): Promise<Workspace>;
  /** Creates a deal (default pipeline and first stage unless given); returns it. */
  createDeal(input: DealInput, opts?: ActOptions): Promise<Deal>;
  /** Runs any deal command on a stored deal; `bypassRules` needs `authorize` to allow it. */
  dispatch(dealId: string, command: DealCommandInput, opts?: ActOptions & { bypassRules?: boolean }): Promise<Deal>;
  /** Applies one change to many deals, by ids or by query; reports every deal. */
  bulkUpdate(request: BulkRequest): Promise<BulkReport>;
  /** One stored deal, or null. */
  getDeal(id: string): Promise<Deal | null>;
  /** The stored workspace. */
  getWorkspace(): Promise<Workspace>;
}
