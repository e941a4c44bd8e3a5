import { emptyWorkspace, PipelineError, Workspace, type WorkspaceRepository } from 'sales-pipelines';
import { named } from './client.js';
import type { Context } from './context.js';
import { guarded, storageError } from './driverErrors.js';
import { eventColumns } from './rows.js';
import { storableJson } from './text.js';
import { deepFreeze } from '../storedRows.js';

// The workspace row is also the lock deal saves take FOR SHARE: updating it here waits for
// in-flight deal saves, and deal saves that come after see the new version.
const SAVED = {
  // The first save inserts the row (or fills a row still at version 0).
  first: `INSERT INTO sp_workspace AS w (tenant_id, version, body) VALUES ($1, $2, $3::jsonb)
    ON CONFLICT (tenant_id) DO UPDATE SET version = EXCLUDED.version, body = EXCLUDED.body WHERE w.version = $4
    RETURNING w.version`,
  next: `UPDATE sp_workspace SET version = $2, body = $3::jsonb WHERE tenant_id = $1 AND version = $4 RETURNING version`,
};

const saveWorkspace = (saved: string) => `
WITH saved AS (${saved}),
events AS (
  INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, body)
  SELECT $1, e.event_id, NULL, e.version, e.body::jsonb
  FROM unnest($5::text[], $6::integer[], $7::text[]) WITH ORDINALITY AS e(event_id, version, body, n)
  WHERE EXISTS (SELECT 1 FROM saved) ORDER BY e.n
  RETURNING 1
)
SELECT (SELECT count(*) FROM saved)::integer AS saved,
       (SELECT version FROM sp_workspace WHERE tenant_id = $1) AS stored`;

const SAVE_FIRST = named('sp_workspace_save_first', saveWorkspace(SAVED.first));
const SAVE_NEXT = named('sp_workspace_save_next', saveWorkspace(SAVED.next));

// The row's tag (its version and the transaction that wrote it: a save that kept the version
// number still changes the tag), and the body only when the tag differs from the one held.
const LOAD = named('sp_workspace_load', `SELECT w.tag, CASE WHEN w.tag IS DISTINCT FROM $2::text THEN w.body::text END AS body
  FROM (SELECT version || ':' || xmin::text AS tag, body FROM sp_workspace WHERE tenant_id = $1) w`);

/**
 * The workspace repository of one tenant. The parsed workspace is kept (frozen) and handed out
 * again while the stored version is the same: a load asks for the version and gets the body
 * only when it changed.
 */
export function postgresWorkspace(ctx: Context): WorkspaceRepository {
  const { db, tenantId, validate } = ctx;
  return {
    async load() {
      const held = ctx.workspace;
      const { rows } = await guarded('workspace.load', () => db.query<{ tag: string; body: string | null }>(LOAD, [tenantId, held?.tag ?? null]));
      const row = rows[0];
      if (!row) return emptyWorkspace();
      if (row.body === null && held !== null && held.tag === row.tag) return held.ws;
      const ws = JSON.parse(row.body ?? 'null') as Workspace;
      if (validate && !Workspace.safeParse(ws).success) throw new PipelineError('storage_failed', 'the stored workspace is not a valid workspace', {});
      ctx.workspace = { tag: row.tag, ws: deepFreeze(ws) };
      return ws;
    },
    async save(ws, expectedVersion, options = {}) {
      const parsed = Workspace.safeParse(ws);
      if (!parsed.success) {
        const path = parsed.error.issues[0]?.path.join('.') ?? '';
        throw new PipelineError('invalid_input', `ws${path ? `.${path}` : ''}: ${parsed.error.issues[0]?.message ?? 'expected a workspace'}`, { path: `ws${path ? `.${path}` : ''}` });
      }
      if (!Number.isInteger(expectedVersion)) throw new PipelineError('invalid_input', 'expectedVersion: expected an integer', { path: 'expectedVersion' });
      const events = options?.events ?? [];
      if (!Array.isArray(events)) throw new PipelineError('invalid_input', 'options.events: expected an array', { path: 'options.events' });
      const e = eventColumns(events, 'options.events');
      const body = storableJson(JSON.stringify(ws), 'ws');
      let row: { saved: number; stored: number | null } | undefined;
      try {
        ({ rows: [row] } = await db.query<{ saved: number; stored: number | null }>(expectedVersion === 0 ? SAVE_FIRST : SAVE_NEXT, [tenantId, ws.version, body, expectedVersion, e.eventId, e.version, e.body]));
      } catch (error) {
        throw storageError(error, 'workspace.save', ['workspace']);
      }
      if (row?.saved === 1) return;
      const stored = row?.stored ?? 0;
      throw new PipelineError('conflict', `workspace: stored version ${stored}, expected ${expectedVersion}`, { ids: ['workspace'], storedVersion: stored, expectedVersion });
    },
  };
}
