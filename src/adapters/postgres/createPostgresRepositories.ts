import { PipelineError } from '../../errors.js';
import type { DealRepository, OutboxRepository, Repositories, VisitRepository, WorkspaceRepository } from '../../ports/repositories.js';
import type { PostgresQueryable } from './client.js';
import { createContext } from './context.js';
import { getDeal, getDeals, getTails, listDeals, listTails, summarizeDeals } from './readDeals.js';
import { timelines } from './timelines.js';
import { saveDeals } from './saveDeals.js';
import { postgresOutbox } from './outbox.js';
import { eraseDeal, transactDeal } from './transact.js';
import { postgresVisits } from './visits.js';
import { postgresWorkspace } from './workspace.js';
import { storableText } from './text.js';

/**
 * The longest tenant id, in UTF-8 bytes. Every index starts with the tenant id, and a PostgreSQL
 * btree entry holds at most about 2.7 KB: the tenant id shares it with deal, pipeline and stage
 * ids, so a longer one would be accepted here and refused by every write.
 */
export const MAX_TENANT_ID_BYTES = 512;

/**
 * Options of {@link createPostgresRepositories}.
 *
 * @example
 * ```ts
 * const options: PostgresRepositoryOptions = { tenantId: 'acme', validate: false };
 * ```
 * @category PostgreSQL
 */
export interface PostgresRepositoryOptions {
  /** Whose data the repositories read and write; default `'default'`. At most 512 bytes in UTF-8; always a bound parameter. */
  readonly tenantId?: string;
  /** Re-validate every deal and workspace read (`Deal.safeParse`), for hosts that edit rows by hand. Default false. */
  readonly validate?: boolean;
}

function checkTenant(tenantId: unknown): string {
  if (typeof tenantId !== 'string' || tenantId.length === 0) throw new PipelineError('invalid_input', 'options.tenantId: expected a non-empty string', { path: 'options.tenantId' });
  storableText(tenantId, 'options.tenantId');
  const bytes = new TextEncoder().encode(tenantId).length;
  if (bytes > MAX_TENANT_ID_BYTES) {
    throw new PipelineError('invalid_input', `options.tenantId: at most ${MAX_TENANT_ID_BYTES} bytes in UTF-8 (got ${bytes})`, { path: 'options.tenantId' });
  }
  return tenantId;
}

/**
 * The repositories of one tenant, over PostgreSQL (schema version 3: run {@link migratePostgres}
 * once first). Every statement filters by the tenant id, and every write touches one table: a
 * deal save is one transaction that locks the workspace row FOR SHARE (when the decision's
 * workspace version is checked) and the chunk's deal rows in id order, checks their versions,
 * then writes each table once for the whole chunk, so that a database sharded by tenant routes
 * it to one node.
 *
 * @param client - PGlite, `fromPgPool(pool)`, or anything with `query` and `transaction` (a
 *   client without `transaction` must be one connection: transactions then run BEGIN / COMMIT on it)
 * @param options - `{ tenantId?, validate? }`
 * @returns `{ workspace, deals, outbox, visits }` for `createPipelineService`
 * @example
 * ```ts
 * const db = new PGlite();
 * await migratePostgres(db);
 * const service = createPipelineService(createPostgresRepositories(db, { tenantId: 'acme' }));
 * ```
 * @category PostgreSQL
 */
export function createPostgresRepositories(client: PostgresQueryable, options: PostgresRepositoryOptions = {}): Repositories & {
  readonly workspace: WorkspaceRepository;
  readonly deals: DealRepository & Required<Pick<DealRepository, 'summarize' | 'getTails' | 'listTails' | 'transact' | 'erase' | 'timelines'>>;
  readonly outbox: Required<OutboxRepository>;
  readonly visits: VisitRepository & Required<Pick<VisitRepository, 'dwell' | 'funnel'>>;
} {
  if (typeof client !== 'object' || client === null || typeof client.query !== 'function') {
    throw new PipelineError('invalid_input', 'client: expected a PostgreSQL client with query(sql, params)', { path: 'client' });
  }
  if (typeof options !== 'object' || options === null) throw new PipelineError('invalid_input', 'options: expected { tenantId?, validate? }', { path: 'options' });
  const tenantId = checkTenant(options.tenantId ?? 'default');
  const ctx = createContext(client, tenantId, options.validate === true);
  return {
    workspace: postgresWorkspace(ctx),
    deals: {
      get: (id) => getDeal(ctx, id),
      getMany: (ids) => getDeals(ctx, ids),
      list: (q) => listDeals(ctx, q),
      getTails: (ids) => getTails(ctx, ids),
      listTails: (q) => listTails(ctx, q),
      timelines: (q) => timelines(ctx, q),
      save: (changes, saveOptions) => saveDeals(ctx, changes, saveOptions),
      summarize: (q) => summarizeDeals(ctx, q),
      transact: (id, decide, transactOptions) => transactDeal(ctx, id, decide, transactOptions),
      erase: (id, erasure) => eraseDeal(ctx, id, erasure),
    },
    outbox: postgresOutbox(ctx),
    visits: postgresVisits(client, tenantId),
  };
}
