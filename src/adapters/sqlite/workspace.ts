import { PipelineError } from '../../errors.js';
import { Workspace } from '../../model/layout.js';
import { emptyWorkspace } from '../../workspace/apply.js';
import { checkDealQuery } from '../../ports/dealQuery.js';
import type { DealFilter, WorkspaceRepository, WorkspaceSaveOptions } from '../../ports/repositories.js';
import type { Context } from './context.js';
import { addFilters, type Where } from './query.js';
import { guarded } from './errors.js';
import { writeEvents } from './outbox.js';
import { deepFreeze } from '../storedRows.js';

/** The stored workspace version of the tenant, 0 when none is stored. */
export function workspaceVersion(ctx: Context): number {
  const row = ctx.sql.workspaceVersion.get(ctx.tenantId) as [number] | undefined;
  return row ? row[0] : 0;
}

/**
 * The tenant's workspace: one deep-frozen object for as long as the stored version (with
 * `validate`, the stored body) is unchanged, reading only the version then.
 */
export function loadWorkspace(ctx: Context): Workspace {
  const cache = ctx.workspace;
  // Every save raises the version: while it stands, the workspace parsed at it is the stored one.
  // With `validate` (rows edited by hand) the body itself is compared.
  if (cache.current !== null && !ctx.validate) {
    const head = ctx.sql.workspaceVersion.get(ctx.tenantId) as [number] | undefined;
    if (head !== undefined && head[0] === cache.current.version) return cache.current.ws;
  }
  const row = ctx.sql.workspace.get(ctx.tenantId) as [number, string] | undefined;
  if (!row) return emptyWorkspace();
  if (cache.current?.body === row[1]) return cache.current.ws;
  let ws = JSON.parse(row[1]) as Workspace;
  if (ctx.validate) {
    const parsed = Workspace.safeParse(ws);
    if (!parsed.success) throw new PipelineError('storage_failed', `workspace: the stored workspace is malformed (${parsed.error.issues[0]?.message ?? ''})`, { issues: parsed.error.issues.slice(0, 10) });
    ws = parsed.data;
  }
  cache.current = { version: row[0], body: row[1], ws: deepFreeze(ws) };
  return cache.current.ws;
}

/**
 * Refuses the save with `conflict` when a stored deal matches any of the filters (inside the
 * save's IMMEDIATE transaction: no deal save can commit between this count and the write).
 */
function checkUnused(ctx: Context, unused: readonly DealFilter[] | undefined): void {
  if (unused === undefined) return;
  if (!Array.isArray(unused)) throw new PipelineError('invalid_input', 'options.unused: expected an array of deal filters', { path: 'options.unused' });
  if (unused.length === 0) return;
  const any: string[] = [];
  const w: Where = { sql: [], params: [ctx.tenantId] };
  for (const filter of unused) {
    const one: Where = { sql: [], params: [] };
    addFilters(one, checkDealQuery({ ...filter, limit: 1 }));
    any.push(one.sql.length === 0 ? '1' : `(${one.sql.join(' AND ')})`);
    w.params.push(...one.params);
  }
  const where = `d.tenant_id = ? AND (${any.join(' OR ')})`;
  const count = ctx.cached(`SELECT count(*) FROM sp_deals d WHERE ${where}`).raw().get(...w.params) as [number];
  if (count[0] === 0) return;
  const ids = ctx.cached(`SELECT d.id FROM sp_deals d WHERE ${where} ORDER BY d.id LIMIT 10`).raw().all(...w.params) as [string][];
  throw new PipelineError('conflict', `workspace: ${count[0]} stored deals are in what the change removes (${ids.map((r) => r[0]).join(', ')})`, {
    ids: [],
    inUse: { count: count[0], dealIds: ids.map((r) => r[0]) },
  });
}

/**
 * The tenant's workspace row: load, and save with a version check and its events, in one
 * transaction. `load` hands out one deep-frozen workspace for as long as the stored version (with
 * `validate`, the stored body) is unchanged, reading only the version then: nobody can change it,
 * and the core's indexes, memoised on the workspace's identity, are built once per configuration
 * instead of once per command.
 */
export function sqliteWorkspace(ctx: Context): WorkspaceRepository {
  const save = ctx.db.transaction((ws: Workspace, expectedVersion: number, options: WorkspaceSaveOptions) => {
    const stored = workspaceVersion(ctx);
    if (stored !== expectedVersion) {
      throw new PipelineError('conflict', `workspace: stored version ${stored}, expected ${expectedVersion}`, {
        ids: ['workspace'],
        storedVersion: stored,
        expectedVersion,
      });
    }
    checkUnused(ctx, options.unused);
    ctx.sql.workspaceUpsert.run(ctx.tenantId, ws.version, JSON.stringify(ws));
    writeEvents(ctx, options.events ?? [], 'options.events');
  });
  return {
    load() {
      return guarded('workspace.load', () => loadWorkspace(ctx));
    },
    save(ws, expectedVersion, options = {}) {
      return guarded('workspace.save', () => {
        const parsed = Workspace.safeParse(ws);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const path = ['ws', ...(issue?.path ?? []).map(String)].join('.');
          throw new PipelineError('invalid_input', `${path}: ${issue?.message ?? 'expected a workspace'}`, { path });
        }
        if (!Number.isInteger(expectedVersion)) throw new PipelineError('invalid_input', 'expectedVersion: expected an integer', { path: 'expectedVersion' });
        if (typeof options !== 'object' || options === null) throw new PipelineError('invalid_input', 'options: expected an object', { path: 'options' });
        save.immediate(ws, expectedVersion, options);
      });
    },
  };
}
