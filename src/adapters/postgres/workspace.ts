import { emptyWorkspace, PipelineError, Workspace, type WorkspaceRepository } from 'sales-pipelines';
import type { PostgresQueryable } from './client.js';
import { guarded, storageError } from './driverErrors.js';
import { eventColumns } from './rows.js';
import { storableJson } from './text.js';

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

const SAVE_FIRST = saveWorkspace(SAVED.first);
const SAVE_NEXT = saveWorkspace(SAVED.next);

/** The workspace repository of one tenant. */
export function postgresWorkspace(db: PostgresQueryable, tenantId: string, validate: boolean): WorkspaceRepository {
  return {
    async load() {
      const { rows } = await guarded('workspace.load', () => db.query<{ body: string }>('SELECT body::text AS body FROM sp_workspace WHERE tenant_id = $1', [tenantId]));
      if (!rows[0]) return emptyWorkspace();
      const ws = JSON.parse(rows[0].body) as Workspace;
      if (validate && !Workspace.safeParse(ws).success) throw new PipelineError('storage_failed', 'the stored workspace is not a valid workspace', {});
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
