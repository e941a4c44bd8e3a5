import { PipelineError } from '../../errors.js';
import type { VisitPage, VisitQuery, VisitRepository, VisitRow } from '../../ports/repositories.js';
import type { Context } from './context.js';
import { dwell, type SqliteDwellQuery } from './dwell.js';
import { guarded } from './errors.js';

function visitsSql(q: VisitQuery): string {
  const where = ['v.tenant_id = ?'];
  if (q.layoutId !== undefined) where.push('v.layout_id = ?');
  if (q.pipelineId === null) where.push('v.pipeline_id IS NULL');
  else if (q.pipelineId !== undefined) where.push('v.pipeline_id = ?');
  if (q.after != null) where.push('(v.deal_id, v.seq) > (?, ?)');
  return `SELECT v.deal_id, v.seq, v.layout_id, v.pipeline_id, v.stage_id, v.entered_at, v.exited_at FROM sp_stage_visits v
    WHERE ${where.join(' AND ')} ORDER BY v.deal_id, v.seq LIMIT ?`;
}

/** The cursor is the last (deal id, seq) seen, as JSON. */
function parseCursor(after: string): [string, number] {
  let cursor: unknown;
  try {
    cursor = JSON.parse(after);
  } catch {
    cursor = null;
  }
  if (!Array.isArray(cursor) || cursor.length !== 2 || typeof cursor[0] !== 'string' || !Number.isInteger(cursor[1])) {
    throw new PipelineError('invalid_input', 'q.after: expected a cursor returned by visits.list', { path: 'q.after' });
  }
  return [cursor[0], cursor[1] as number];
}

function checkQuery(q: VisitQuery): number {
  if (typeof q !== 'object' || q === null) throw new PipelineError('invalid_input', 'q: expected a query object', { path: 'q' });
  if (q.layoutId !== undefined && typeof q.layoutId !== 'string') throw new PipelineError('invalid_input', 'q.layoutId: expected a string', { path: 'q.layoutId' });
  if (q.pipelineId !== undefined && q.pipelineId !== null && typeof q.pipelineId !== 'string') throw new PipelineError('invalid_input', 'q.pipelineId: expected a string or null', { path: 'q.pipelineId' });
  if (q.after != null && typeof q.after !== 'string') throw new PipelineError('invalid_input', 'q.after: expected a cursor or null', { path: 'q.after' });
  if (typeof q.limit !== 'number' || !(q.limit >= 1)) throw new PipelineError('invalid_input', 'q.limit: expected a positive number', { path: 'q.limit' });
  return Math.min(Math.floor(q.limit), 1_000_000);
}

/** The tenant's stage visits, by deal and seq, paged by a (deal id, seq) cursor. */
/**
 * The SQLite visits repository: `list`, and `dwell` in SQL with an optional period (see
 * {@link SqliteDwellQuery}).
 *
 * @example
 * ```ts
 * const rows = await repos.visits.dwell({ now: Date.now(), from: Date.parse('2026-01-01T00:00:00Z'), to: Date.parse('2026-04-01T00:00:00Z') });
 * ```
 * @category SQLite
 */
export interface SqliteVisitRepository extends VisitRepository {
  dwell(q: SqliteDwellQuery): ReturnType<Required<VisitRepository>['dwell']>;
}

export function sqliteVisits(ctx: Context): SqliteVisitRepository {
  return {
    // `dwell` computes a period in SQL (completed visits that exited in it, open ones at min(now, to)).
    dwellPeriods: true,
    dwell(q) {
      return guarded('visits.dwell', () => dwell(ctx, q));
    },
    list(q) {
      return guarded('visits.list', (): VisitPage => {
        const limit = checkQuery(q);
        const key = `visits:${q.layoutId !== undefined}:${q.pipelineId === null ? 'null' : q.pipelineId !== undefined}:${q.after != null}`;
        const params: unknown[] = [ctx.tenantId];
        if (q.layoutId !== undefined) params.push(q.layoutId);
        if (q.pipelineId != null) params.push(q.pipelineId);
        if (q.after != null) params.push(...parseCursor(q.after));
        params.push(limit + 1);
        const rows = ctx.cached(key, () => visitsSql(q)).raw().all(...params) as [string, number, string, string | null, string, number, number | null][];
        const more = rows.length > limit;
        const visits: VisitRow[] = new Array(Math.min(rows.length, limit));
        for (let i = 0; i < visits.length; i++) {
          const r = rows[i]!;
          visits[i] = { dealId: r[0], layoutId: r[2], pipelineId: r[3], stageId: r[4], enteredAt: r[5], exitedAt: r[6] };
        }
        const last = rows[limit - 1];
        return { visits, next: more && last ? JSON.stringify([last[0], last[1]]) : null };
      });
    },
  };
}
