import { PipelineError, type VisitPage, type VisitQuery, type VisitRepository, type VisitRow } from 'sales-pipelines';
import type { PostgresQueryable } from './client.js';
import { guarded } from './driverErrors.js';

type Row = { deal_id: string; seq: number; layout_id: string; pipeline_id: string | null; stage_id: string; entered_at: string | number; exited_at: string | number | null };

/** The cursor is the last (deal id, seq) seen, as JSON. */
function cursor(after: string | null | undefined): [string, number] | null {
  if (after === undefined || after === null) return null;
  try {
    const parsed: unknown = JSON.parse(after);
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && Number.isInteger(parsed[1])) return [parsed[0], parsed[1] as number];
  } catch {
    // fall through
  }
  throw new PipelineError('invalid_input', 'query.after: expected the cursor of a previous page', { path: 'query.after' });
}

/** Stage visits of one tenant, paged by (deal id, seq), filtered on each visit's own pipeline. */
export function postgresVisits(db: PostgresQueryable, tenantId: string): VisitRepository {
  return {
    async list(q: VisitQuery): Promise<VisitPage> {
      if (typeof q !== 'object' || q === null) throw new PipelineError('invalid_input', 'query: expected { limit, layoutId?, pipelineId?, after? }', { path: 'query' });
      if (typeof q.limit !== 'number' || !(q.limit >= 1)) throw new PipelineError('invalid_input', 'query.limit: expected a number of at least 1', { path: 'query.limit' });
      if (q.layoutId !== undefined && typeof q.layoutId !== 'string') throw new PipelineError('invalid_input', 'query.layoutId: expected a string', { path: 'query.layoutId' });
      if (q.pipelineId !== undefined && q.pipelineId !== null && typeof q.pipelineId !== 'string') throw new PipelineError('invalid_input', 'query.pipelineId: expected a string or null', { path: 'query.pipelineId' });
      const limit = Math.min(Math.floor(q.limit), 100_000);
      const after = cursor(q.after);
      const params: unknown[] = [tenantId];
      const where = ['v.tenant_id = $1'];
      if (q.layoutId !== undefined) where.push(`v.layout_id = $${params.push(q.layoutId)}`);
      if (q.pipelineId === null) where.push('v.pipeline_id IS NULL');
      else if (q.pipelineId !== undefined) where.push(`v.pipeline_id = $${params.push(q.pipelineId)}`);
      if (after) where.push(`(v.deal_id, v.seq) > ($${params.push(after[0])}, $${params.push(after[1])}::integer)`);
      const sql = `SELECT v.deal_id, v.seq, v.layout_id, v.pipeline_id, v.stage_id, v.entered_at, v.exited_at
        FROM sp_stage_visits v WHERE ${where.join(' AND ')} ORDER BY v.deal_id, v.seq LIMIT $${params.push(limit + 1)}`;
      const { rows } = await guarded('visits.list', () => db.query<Row>(sql, params));
      const page = rows.length > limit ? rows.slice(0, limit) : rows;
      const visits: VisitRow[] = page.map((r) => ({
        dealId: r.deal_id,
        layoutId: r.layout_id,
        pipelineId: r.pipeline_id,
        stageId: r.stage_id,
        enteredAt: Number(r.entered_at),
        exitedAt: r.exited_at === null ? null : Number(r.exited_at),
      }));
      const last = page[page.length - 1];
      return { visits, next: rows.length > limit && last ? JSON.stringify([last.deal_id, last.seq]) : null };
    },
  };
}
