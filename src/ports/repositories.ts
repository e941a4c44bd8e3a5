import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';

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
  /** Stores `ws` if the stored version is still `expectedVersion`; else throws `conflict`. */
  save(ws: Workspace, expectedVersion: number): Promise<void>;
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
  /** Writes every change or none; throws `conflict` naming the ids whose stored version differs. */
  save(changes: readonly DealChange[]): Promise<void>;
}

/**
 * Both repositories of one tenant.
 *
 * @example
 * ```ts
 * const repos: Repositories = createMemoryRepositories();
 * ```
 */
export interface Repositories {
  readonly workspace: WorkspaceRepository;
  readonly deals: DealRepository;
}
