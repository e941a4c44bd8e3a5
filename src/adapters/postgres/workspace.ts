import { PipelineError } from '../../errors.js';
import { Workspace, type Workspace as WorkspaceValue } from '../../model/layout.js';
import { emptyWorkspace } from '../../workspace/index.js';
import { checkDealQuery } from '../../ports/dealQuery.js';
import type { DealFilter, WorkspaceRepository, WorkspaceSaveOptions } from '../../ports/repositories.js';
import { named, type PostgresQueryable } from './client.js';
import type { Context } from './context.js';
import { guarded, storageError } from './driverErrors.js';
import { filterSql, Where } from './dealFilters.js';
import { eventColumns } from './rows.js';
import { storableJson } from './text.js';
import { insertEvents } from './writeDeals.js';
import { deepFreeze } from '../storedRows.js';

// A workspace save is one transaction: the workspace row locked FOR UPDATE first (deal saves hold
// it FOR SHARE while they check the workspace version, so every deal save that checked the old
// version has committed once the lock is ours, and every later one sees the new version), then
// the in-use guard counts the deals that still match what the change drops, then the row is
// written and the events stored. Each statement touches one table of one tenant.

const LOCK = named('sp_workspace_lock', 'SELECT version FROM sp_workspace WHERE tenant_id = $1 FOR UPDATE');
const INSERT = named('sp_workspace_insert', `INSERT INTO sp_workspace (tenant_id, version, body) VALUES ($1, $2, $3::jsonb)
  ON CONFLICT (tenant_id) DO NOTHING RETURNING version`);
const UPDATE = named('sp_workspace_update', 'UPDATE sp_workspace SET version = $2, body = $3::jsonb WHERE tenant_id = $1');

// The row's tag (its version and the transaction that wrote it: a save that kept the version
// number still changes the tag), and the body only when the tag differs from the one held.
const LOAD = named('sp_workspace_load', `SELECT w.tag, CASE WHEN w.tag IS DISTINCT FROM $2::text THEN w.body::text END AS body
  FROM (SELECT version || ':' || xmin::text AS tag, body FROM sp_workspace WHERE tenant_id = $1) w`);

/** The workspace of a load row, parsed only when its tag differs from the one held (kept frozen). */
export function workspaceOf(ctx: Context, row: { tag: string; body: string | null } | undefined): WorkspaceValue {
  const held = ctx.workspace;
  if (!row) return emptyWorkspace();
  if (row.body === null && held !== null && held.tag === row.tag) return held.ws;
  const ws = JSON.parse(row.body ?? 'null') as WorkspaceValue;
  if (ctx.validate && !Workspace.safeParse(ws).success) throw new PipelineError('storage_failed', 'the stored workspace is not a valid workspace', {});
  ctx.workspace = { tag: row.tag, ws: deepFreeze(ws) };
  return ws;
}

/** Checks `options.unused` as listing filters (same errors as a query), or refuses its shape. */
function checkUnused(unused: unknown): DealFilter[] {
  if (unused === undefined) return [];
  if (!Array.isArray(unused)) throw new PipelineError('invalid_input', 'options.unused: expected an array of deal filters', { path: 'options.unused' });
  return unused.map((f: unknown) => {
    checkDealQuery({ ...(f as object), limit: 1 });
    return f as DealFilter;
  });
}

/** The deals of the tenant that match any of the filters: how many, and up to 10 ids in id order. */
async function inUse(tx: PostgresQueryable, tenantId: string, filters: readonly DealFilter[]): Promise<{ count: number; dealIds: string[] }> {
  const w = new Where(tenantId);
  const any = filters.map((f) => `(${filterSql(w, checkDealQuery({ ...f, limit: 1 }))})`).join(' OR ');
  const { rows } = await tx.query<{ count: number; ids: string[] }>(
    `SELECT (SELECT count(*) FROM sp_deals d WHERE d.tenant_id = $1 AND (${any}))::integer AS count,
            ARRAY(SELECT d.id FROM sp_deals d WHERE d.tenant_id = $1 AND (${any}) ORDER BY d.id LIMIT 10) AS ids`,
    w.params,
  );
  return { count: rows[0]?.count ?? 0, dealIds: rows[0]?.ids ?? [] };
}

async function saveIn(tx: PostgresQueryable, ctx: Context, ws: WorkspaceValue, expectedVersion: number, body: string, unused: readonly DealFilter[], events: ReturnType<typeof eventColumns>): Promise<void> {
  const t = ctx.tenantId;
  const { rows } = await tx.query<{ version: number }>(LOCK, [t]);
  const stored = rows[0]?.version ?? 0;
  const conflict = () => new PipelineError('conflict', `workspace: stored version ${stored}, expected ${expectedVersion}`, { ids: ['workspace'], storedVersion: stored, expectedVersion });
  if (stored !== expectedVersion) throw conflict();
  if (unused.length > 0) {
    const used = await inUse(tx, t, unused);
    if (used.count > 0) {
      throw new PipelineError('conflict', `workspace: ${used.count} deals still use what the change drops (${used.dealIds.join(', ')})`, { ids: [], inUse: used });
    }
  }
  if (rows.length === 0) {
    // No row yet: the first save inserts it; a concurrent first save that won leaves nothing to insert.
    const { rows: inserted } = await tx.query(INSERT, [t, ws.version, body]);
    if (inserted.length === 0) throw conflict();
  } else {
    await tx.query(UPDATE, [t, ws.version, body]);
  }
  await insertEvents(tx, t, events);
}

/**
 * The workspace repository of one tenant. The parsed workspace is kept (frozen) and handed out
 * again while the stored version is the same: a load asks for the version and gets the body
 * only when it changed.
 */
export function postgresWorkspace(ctx: Context): WorkspaceRepository {
  const { db, tenantId } = ctx;
  return {
    async load() {
      const { rows } = await guarded('workspace.load', () => db.query<{ tag: string; body: string | null }>(LOAD, [tenantId, ctx.workspace?.tag ?? null]));
      return workspaceOf(ctx, rows[0]);
    },
    async save(ws, expectedVersion, options: WorkspaceSaveOptions = {}) {
      const parsed = Workspace.safeParse(ws);
      if (!parsed.success) {
        const path = parsed.error.issues[0]?.path.join('.') ?? '';
        throw new PipelineError('invalid_input', `ws${path ? `.${path}` : ''}: ${parsed.error.issues[0]?.message ?? 'expected a workspace'}`, { path: `ws${path ? `.${path}` : ''}` });
      }
      if (!Number.isSafeInteger(expectedVersion)) throw new PipelineError('invalid_input', 'expectedVersion: expected an integer', { path: 'expectedVersion' });
      if (typeof options !== 'object' || options === null) throw new PipelineError('invalid_input', 'options: expected { events?, unused? }', { path: 'options' });
      const events = options.events ?? [];
      if (!Array.isArray(events)) throw new PipelineError('invalid_input', 'options.events: expected an array', { path: 'options.events' });
      const unused = checkUnused(options.unused);
      const e = eventColumns(events, 'options.events');
      const body = storableJson(JSON.stringify(ws), 'ws');
      try {
        await ctx.transaction((tx) => saveIn(tx, ctx, ws, expectedVersion, body, unused, e));
      } catch (error) {
        throw storageError(error, 'workspace.save', ['workspace']);
      }
    },
  };
}
