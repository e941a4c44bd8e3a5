import { PipelineError } from '../../errors.js';
import type { StageSummaryRow, SummaryQuery } from '../../ports/repositories.js';
import type { Context } from './context.js';

// Thresholds arrive as one JSON object; json_each turns it into (stage id, instant) rows, so any
// stage id works as a key.
const SUMMARY_SQL = `
  SELECT d.stage_id, d.currency, count(*), total(coalesce(d.amount, 0)), total(coalesce(d.amount, 0) * d.probability / 100.0),
         total(CASE WHEN t.value IS NOT NULL AND d.stage_entered_at < t.value THEN 1 ELSE 0 END)
  FROM sp_deals d LEFT JOIN json_each(?) t ON t.key = d.stage_id
  WHERE d.tenant_id = ? AND d.pipeline_id = ?
  GROUP BY d.stage_id, d.currency ORDER BY d.stage_id, d.currency`;

/** Per stage and currency totals of one pipeline, in SQL. */
export function summarizeDeals(ctx: Context, q: SummaryQuery): StageSummaryRow[] {
  if (typeof q !== 'object' || q === null || typeof q.pipelineId !== 'string') {
    throw new PipelineError('invalid_input', 'q.pipelineId: expected a string', { path: 'q.pipelineId' });
  }
  const thresholds: Record<string, number> = {};
  const given = q.rottingBefore ?? {};
  if (typeof given !== 'object' || given === null) throw new PipelineError('invalid_input', 'q.rottingBefore: expected an object', { path: 'q.rottingBefore' });
  for (const [stageId, at] of Object.entries(given)) {
    if (typeof at !== 'number' || !Number.isFinite(at)) throw new PipelineError('invalid_input', `q.rottingBefore.${stageId}: expected epoch milliseconds`, { path: `q.rottingBefore.${stageId}` });
    Object.defineProperty(thresholds, stageId, { value: at, enumerable: true });
  }
  const rows = ctx.cached('summary', () => SUMMARY_SQL).raw().all(JSON.stringify(thresholds), ctx.tenantId, q.pipelineId) as [string, string | null, number, number, number, number][];
  return rows.map(([stageId, currency, count, amount, weighted, rotting]) => ({ stageId, currency, count, amount, weighted, rotting }));
}
