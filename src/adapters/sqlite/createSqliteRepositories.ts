import {
  PipelineError,
  type DealChange,
  type DealRepository,
  type DealSaveOptions,
  type OutboxRepository,
  type StageSummaryRow,
  type SummaryQuery,
  type VisitRepository,
  type WorkspaceRepository,
} from '../../index.js';
import type { SqliteDatabase } from './database.js';
import { createContext, rememberRecent, type Context } from './context.js';
import { guarded, toPipelineError } from './errors.js';
import { sqliteOutbox } from './outbox.js';
import { getDeal, listDeals } from './readDeals.js';
import { checkText } from './rows.js';
import { saveDealsInTransaction } from './saveDeals.js';
import { DEFAULT_TENANT } from './schema.js';
import { summarizeDeals } from './summarize.js';
import { sqliteVisits } from './visits.js';
import { sqliteWorkspace } from './workspace.js';

/**
 * Options of {@link createSqliteRepositories}.
 *
 * @example
 * ```ts
 * const options: SqliteRepositoryOptions = { tenantId: 'acme', validate: false };
 * ```
 */
export interface SqliteRepositoryOptions {
  /** Whose rows these repositories read and write; `'default'` when absent. Any string. */
  readonly tenantId?: string;
  /** Re-validate every deal and workspace read (`Deal.safeParse`), for rows edited by hand. Off by default. */
  readonly validate?: boolean;
}

/**
 * What {@link createSqliteRepositories} returns: every optional part of `Repositories` is there.
 *
 * @example
 * ```ts
 * const repos: SqliteRepositories = createSqliteRepositories(db);
 * const rows = await repos.deals.summarize({ pipelineId: 'new-cars', rottingBefore: {} });
 * ```
 */
export interface SqliteRepositories {
  readonly workspace: WorkspaceRepository;
  readonly deals: DealRepository & { summarize(q: SummaryQuery): Promise<StageSummaryRow[]> };
  readonly outbox: OutboxRepository;
  readonly visits: VisitRepository;
}

function sqliteDeals(ctx: Context): SqliteRepositories['deals'] {
  const save = ctx.db.transaction((changes: readonly DealChange[], options: DealSaveOptions) => saveDealsInTransaction(ctx, changes, options));
  return {
    get(id) {
      return guarded('deals.get', () => (typeof id === 'string' ? getDeal(ctx, id) : invalid('id', 'expected a string')));
    },
    getMany(ids) {
      return guarded('deals.getMany', () => {
        if (!Array.isArray(ids)) invalid('ids', 'expected an array of strings');
        const out = [];
        for (const id of ids) {
          if (typeof id !== 'string') invalid('ids', 'expected an array of strings');
          const deal = getDeal(ctx, id);
          if (deal) out.push(deal);
        }
        return out;
      });
    },
    list(q) {
      return guarded('deals.list', () => listDeals(ctx, q));
    },
    save(changes, options = {}) {
      return guarded('deals.save', () => {
        if (typeof options !== 'object' || options === null) invalid('options', 'expected an object');
        if (options.workspaceVersion !== undefined && !Number.isInteger(options.workspaceVersion)) invalid('options.workspaceVersion', 'expected an integer');
        const reads = save.immediate(changes, options);
        // Committed: the deals' visits as now stored are known (see Context.recent).
        for (let i = 0; i < reads.length; i++) {
          rememberRecent(ctx, reads[i]!, false);
          ctx.known.set(reads[i]!.visits[0]!, reads[i]!);
        }
      });
    },
    summarize(q) {
      return guarded('deals.summarize', () => summarizeDeals(ctx, q));
    },
  };
}

function invalid(path: string, what: string): never {
  throw new PipelineError('invalid_input', `${path}: ${what}`, { path });
}

/**
 * The repositories of one tenant over a better-sqlite3 12 database: workspace, deals (with
 * `summarize` in SQL), the transactional outbox and the stage-visits table. Call
 * {@link migrateSqlite} once first. Every statement is prepared once and filters by the tenant
 * id; a save is one IMMEDIATE transaction that checks versions (and the workspace version when
 * given), writes deals in id order, only the visit rows that changed, and the events.
 *
 * @param db - a better-sqlite3 `Database` (see {@link configureSqlite} for the pragmas)
 * @param options - `{ tenantId?, validate? }`
 * @returns `{ workspace, deals, outbox, visits }`
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * const db = new Database('crm.db');
 * configureSqlite(db);
 * migrateSqlite(db);
 * const service = createPipelineService(createSqliteRepositories(db, { tenantId: 'acme' }));
 * ```
 */
export function createSqliteRepositories(db: SqliteDatabase, options: SqliteRepositoryOptions = {}): SqliteRepositories {
  if (typeof db !== 'object' || db === null || typeof db.prepare !== 'function') invalid('db', 'expected a better-sqlite3 Database');
  if (typeof options !== 'object' || options === null) invalid('options', 'expected { tenantId?, validate? }');
  const tenantId = options.tenantId ?? DEFAULT_TENANT;
  if (typeof tenantId !== 'string' || tenantId.length === 0) invalid('options.tenantId', 'expected a non-empty string');
  checkText(tenantId, 'options.tenantId');
  if (options.validate !== undefined && typeof options.validate !== 'boolean') invalid('options.validate', 'expected a boolean');
  let ctx: Context;
  try {
    ctx = createContext(db, tenantId, options.validate === true);
  } catch (e) {
    throw toPipelineError(e, 'createSqliteRepositories (did migrateSqlite run?)');
  }
  return { workspace: sqliteWorkspace(ctx), deals: sqliteDeals(ctx), outbox: sqliteOutbox(ctx), visits: sqliteVisits(ctx) };
}
