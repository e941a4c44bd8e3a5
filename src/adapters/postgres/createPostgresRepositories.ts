import { PipelineError, type DealRepository, type OutboxRepository, type Repositories, type VisitRepository, type WorkspaceRepository } from 'sales-pipelines';
import type { PostgresQueryable } from './client.js';
import { createContext } from './context.js';
import { getDeal, getDeals, getTails, listDeals, listTails, summarizeDeals } from './readDeals.js';
import { saveDeals } from './saveDeals.js';
import { postgresOutbox } from './outbox.js';
import { postgresVisits } from './visits.js';
import { postgresWorkspace } from './workspace.js';
import { storableText } from './text.js';

/**
 * Options of {@link createPostgresRepositories}.
 *
 * @example
 * ```ts
 * const options: PostgresRepositoryOptions = { tenantId: 'acme', validate: false };
 * ```
 */
export interface PostgresRepositoryOptions {
  /** Whose data the repositories read and write; default `'default'`. Any string: it is always a bound parameter. */
  readonly tenantId?: string;
  /** Re-validate every deal and workspace read (`Deal.safeParse`), for hosts that edit rows by hand. Default false. */
  readonly validate?: boolean;
}

/**
 * The repositories of one tenant, over PostgreSQL (schema version 2: run {@link migratePostgres}
 * once first). Every statement filters by the tenant id; a deal save is one statement, all or
 * nothing, that locks the chunk's rows in id order, checks their versions and the workspace
 * version the decision was made on, and writes the deals, their stage visits and their events.
 *
 * @param client - PGlite, `fromPgPool(pool)`, or anything with `query` (and `transaction` for migrations)
 * @param options - `{ tenantId?, validate? }`
 * @returns `{ workspace, deals, outbox, visits }` for `createPipelineService`
 * @example
 * ```ts
 * const db = new PGlite();
 * await migratePostgres(db);
 * const service = createPipelineService(createPostgresRepositories(db, { tenantId: 'acme' }));
 * ```
 */
export function createPostgresRepositories(client: PostgresQueryable, options: PostgresRepositoryOptions = {}): Repositories & {
  readonly workspace: WorkspaceRepository;
  readonly deals: DealRepository & Required<Pick<DealRepository, 'summarize' | 'getTails' | 'listTails'>>;
  readonly outbox: OutboxRepository;
  readonly visits: VisitRepository & Required<Pick<VisitRepository, 'dwell'>>;
} {
  if (typeof client !== 'object' || client === null || typeof client.query !== 'function') {
    throw new PipelineError('invalid_input', 'client: expected a PostgreSQL client with query(sql, params)', { path: 'client' });
  }
  if (typeof options !== 'object' || options === null) throw new PipelineError('invalid_input', 'options: expected { tenantId?, validate? }', { path: 'options' });
  const tenantId = options.tenantId ?? 'default';
  if (typeof tenantId !== 'string' || tenantId.length === 0) throw new PipelineError('invalid_input', 'options.tenantId: expected a non-empty string', { path: 'options.tenantId' });
  storableText(tenantId, 'options.tenantId');
  const ctx = createContext(client, tenantId, options.validate === true);
  return {
    workspace: postgresWorkspace(ctx),
    deals: {
      get: (id) => getDeal(ctx, id),
      getMany: (ids) => getDeals(ctx, ids),
      list: (q) => listDeals(ctx, q),
      getTails: (ids) => getTails(ctx, ids),
      listTails: (q) => listTails(ctx, q),
      save: (changes, saveOptions) => saveDeals(ctx, changes, saveOptions),
      summarize: (q) => summarizeDeals(ctx, q),
    },
    outbox: postgresOutbox(client, tenantId),
    visits: postgresVisits(client, tenantId),
  };
}
