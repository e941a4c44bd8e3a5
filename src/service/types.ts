import type { DealEvent } from '../deals/events.js';
import type { BulkChangeInput, DealCommandInput, WorkspaceCommandInput } from '../model/commands.js';
import type { DealInput } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import type { Deal } from '../model/deal.js';
import type { DealQuery, DealRepository, WorkspaceRepository } from '../ports/repositories.js';
import type { WorkspaceEvent } from '../workspace/events.js';

/** What `authorize` is asked before every command. */
export interface AuthorizationRequest {
  readonly by: string | null;
  /** The command type (`createPipeline`, `moveToStage`, …). */
  readonly action: string;
  readonly dealId?: string;
  readonly bypassRules: boolean;
  /** For `bulkUpdate`: asked once for the whole update. */
  readonly bulk?: boolean;
}

/** Options of {@link createPipelineService}. */
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

/** Who is acting. */
export interface ActOptions {
  readonly by?: string | null;
}

/** A bulk update request: deal ids or a query, the change, the mode. */
export type BulkRequest = {
  readonly change: BulkChangeInput;
  readonly mode: 'atomic' | 'bestEffort';
  readonly chunkSize?: number;
  readonly by?: string | null;
  readonly bypassRules?: boolean;
} & ({ readonly dealIds: readonly string[]; readonly query?: undefined } | { readonly query: Omit<DealQuery, 'after' | 'limit'>; readonly dealIds?: undefined });

/** The outcome of a bulk update: every deal in exactly one list. */
export interface BulkReport {
  readonly updated: string[];
  readonly rejected: { dealId: string; code: string; message: string }[];
  readonly unchanged: string[];
}

/** The service a host calls: loads, decides, saves with optimistic concurrency, publishes. */
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
