import { PipelineError } from '../../errors.js';
import type { Deal } from '../../model/deal.js';
import type { Workspace } from '../../model/layout.js';
import type { DealChange, DealDecision, DealErasure, DealRepository, DealSaveOptions, OutboxRepository, WorkspaceRepository } from '../../ports/repositories.js';
import type { SqliteDatabase } from './database.js';
import { createContext, rememberRead, type Context, type StoredRead } from './context.js';
import { checkErasure, eraseInTransaction } from './erase.js';
import { guarded, toPipelineError } from './errors.js';
import { sqliteOutbox } from './outbox.js';
import { getDeal, getMany, getTails, listDeals, listTails } from './readDeals.js';
import { timelines } from './timelines.js';
import { checkText } from './rows.js';
import { saveDealsInTransaction } from './saveDeals.js';
import { checkSchema, DEFAULT_TENANT } from './schema.js';
import { summarizeDeals } from './summarize.js';
import { sqliteVisits, type SqliteVisitRepository } from './visits.js';
import { loadWorkspace, sqliteWorkspace } from './workspace.js';

/**
 * Options of {@link createSqliteRepositories}.
 *
 * @example
 * ```ts
 * const options: SqliteRepositoryOptions = { tenantId: 'acme', validate: false };
 * ```
 * @category SQLite
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
 * @category SQLite
 */
export interface SqliteRepositories {
  readonly workspace: WorkspaceRepository;
  readonly deals: DealRepository & Required<Pick<DealRepository, 'summarize' | 'transact' | 'getTails' | 'listTails' | 'erase' | 'timelines'>>;
  readonly outbox: Required<OutboxRepository>;
  readonly visits: SqliteVisitRepository;
}

/** Remembers, once their transaction committed, the deals' visits as the save stored them. */
function rememberSaved(ctx: Context, reads: readonly StoredRead[]): void {
  for (let i = 0; i < reads.length; i++) rememberRead(ctx, reads[i]!, false);
}

type Decide = (current: Deal | null, workspace: Workspace) => DealDecision | null;

/** The body of `deals.transact`: read, decide and save inside one IMMEDIATE transaction. */
function transactInTransaction(ctx: Context, id: string, decide: Decide, events: boolean): StoredRead[] {
  const current = getDeal(ctx, id);
  const decision = decide(current, loadWorkspace(ctx));
  if (decision === null) return [];
  if (typeof decision !== 'object' || typeof decision.deal !== 'object' || decision.deal === null) invalid('decision.deal', 'expected a deal or null');
  if (decision.deal.id !== id) invalid('decision.deal.id', `expected ${id}`);
  // The workspace was read in this transaction: no other version can be stored.
  return saveDealsInTransaction(ctx, [{ deal: decision.deal, expectedVersion: current === null ? null : current.version }], events ? { events: decision.events } : {});
}

function sqliteDeals(ctx: Context): SqliteRepositories['deals'] {
  const save = ctx.db.transaction((changes: readonly DealChange[], options: DealSaveOptions) => saveDealsInTransaction(ctx, changes, options));
  const transact = ctx.db.transaction((id: string, decide: Decide, events: boolean) => transactInTransaction(ctx, id, decide, events));
  const erase = ctx.db.transaction((id: string, erasure: DealErasure) => eraseInTransaction(ctx, id, erasure));
  return {
    get(id) {
      return guarded('deals.get', () => (typeof id === 'string' ? getDeal(ctx, id) : invalid('id', 'expected a string')));
    },
    getMany(ids) {
      return guarded('deals.getMany', () => getMany(ctx, ids));
    },
    list(q) {
      return guarded('deals.list', () => listDeals(ctx, q));
    },
    getTails(ids) {
      return guarded('deals.getTails', () => getTails(ctx, ids));
    },
    listTails(q) {
      return guarded('deals.listTails', () => listTails(ctx, q));
    },
    timelines(q) {
      return guarded('deals.timelines', () => timelines(ctx, q));
    },
    save(changes, options = {}) {
      return guarded('deals.save', () => {
        // The input is checked (checkDealChanges' rules) inside the transaction, before anything is written.
        rememberSaved(ctx, save.immediate(changes, options));
      });
    },
    transact(id, decide, options = {}) {
      // What `decide` throws rejects the call as it is; only storage failures are mapped.
      let thrown: { readonly error: unknown } | null = null;
      const decideOnce: Decide = (current, ws) => {
        try {
          return decide(current, ws);
        } catch (e) {
          thrown = { error: e };
          throw e;
        }
      };
      try {
        if (typeof id !== 'string') invalid('id', 'expected a string');
        if (typeof decide !== 'function') invalid('decide', 'expected a function');
        if (typeof options !== 'object' || options === null) invalid('options', 'expected an object');
        rememberSaved(ctx, transact.immediate(id, decideOnce, options.events === true));
        return Promise.resolve();
      } catch (e) {
        const failure = thrown as { readonly error: unknown } | null;
        return Promise.reject(failure !== null && failure.error === e ? e : toPipelineError(e, 'deals.transact'));
      }
    },
    summarize(q) {
      return guarded('deals.summarize', () => summarizeDeals(ctx, q));
    },
    erase(id, erasure) {
      return guarded('deals.erase', () => {
        checkErasure(id, erasure);
        erase.immediate(id, erasure);
      });
    },
  };
}

function invalid(path: string, what: string): never {
  throw new PipelineError('invalid_input', `${path}: ${what}`, { path });
}

/**
 * The repositories of one tenant over a better-sqlite3 12 database: workspace, deals (with
 * `summarize` in SQL and `transact`, so that a service dispatch reads, decides and saves in one
 * IMMEDIATE transaction, listings filtered and sorted in SQL, and `erase`), the transactional
 * outbox with claims, and the stage-visits table with `dwell` in SQL. Call {@link migrateSqlite}
 * once first (a database at another schema version is refused). Every statement is prepared once
 * per shape and filters by the tenant id; a save is one IMMEDIATE transaction that checks versions
 * (and the workspace version when given) and writes its rows set-based: multi-row INSERTs and one
 * UPDATE per batch of deals, only the visit rows that changed, only the new change-log entries.
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
 * @category SQLite
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
    checkSchema(db);
    ctx = createContext(db, tenantId, options.validate === true);
  } catch (e) {
    throw toPipelineError(e, 'createSqliteRepositories (did migrateSqlite run?)');
  }
  return { workspace: sqliteWorkspace(ctx), deals: sqliteDeals(ctx), outbox: sqliteOutbox(ctx), visits: sqliteVisits(ctx) };
}
