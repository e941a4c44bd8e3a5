import { PipelineError } from '../../errors.js';
import type { VisitPage, VisitQuery, VisitRepository, VisitRow } from '../../ports/repositories.js';
import type { Context } from './context.js';
import { checkFunnelQuery, type FunnelGroup, type FunnelQuery } from '../../metrics/funnelGroups.js';
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

// The funnel's counts: per deal (the primary key's order, so no sort), the first visit to the
// pipeline begun before `to`, the highest rank (a CASE over the ranked stages' ids) and the mask of
// closed stages entered (per closed stage, its bit when any visit entered it); then the deals whose
// first visit is not before `from`, by reach and mask. The statement depends only on the number of
// ranked and closed stages, and on which bounds are given.
function funnelSql(ranked: number, closed: number, from: boolean, to: boolean): string {
  const reach = ranked === 0 ? '-1' : `coalesce(max(CASE v.stage_id${' WHEN ? THEN ?'.repeat(ranked)} END), -1)`;
  const mask = closed === 0 ? '0' : new Array(closed).fill('max(CASE WHEN v.stage_id = ? THEN ? ELSE 0 END)').join(' + ');
  return `SELECT reach, closed, count(*) FROM (
    SELECT min(v.entered_at) AS first, ${reach} AS reach, ${mask} AS closed FROM sp_stage_visits v
    WHERE v.tenant_id = ? AND v.pipeline_id = ?${to ? ' AND v.entered_at < ?' : ''} GROUP BY v.deal_id)${from ? ' WHERE first >= ?' : ''} GROUP BY reach, closed`;
}

function funnel(ctx: Context, query: FunnelQuery): FunnelGroup[] {
  const q = checkFunnelQuery(query);
  const params: unknown[] = [];
  const ranked = q.stages.filter((s) => s.rank !== null);
  const closed = q.stages.filter((s) => s.bit !== 0);
  for (const s of ranked) params.push(s.stageId, s.rank);
  for (const s of closed) params.push(s.stageId, s.bit);
  params.push(ctx.tenantId, q.pipelineId);
  if (q.to !== undefined) params.push(q.to);
  if (q.from !== undefined) params.push(q.from);
  const key = `funnel:${ranked.length}:${closed.length}:${q.from !== undefined}:${q.to !== undefined}`;
  const rows = ctx.cached(key, () => funnelSql(ranked.length, closed.length, q.from !== undefined, q.to !== undefined)).raw().all(...params) as [number, number, number][];
  return rows.map(([reach, mask, deals]) => ({ reach, closed: mask, deals }));
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
  funnel(q: FunnelQuery): Promise<FunnelGroup[]>;
  dwell(q: SqliteDwellQuery): ReturnType<Required<VisitRepository>['dwell']>;
}

export function sqliteVisits(ctx: Context): SqliteVisitRepository {
  return {
    // `dwell` computes a period in SQL (completed visits that exited in it, open ones at min(now, to)).
    dwellPeriods: true,
    dwell(q) {
      return guarded('visits.dwell', () => dwell(ctx, q));
    },
    funnel(q) {
      return guarded('visits.funnel', () => funnel(ctx, q));
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
