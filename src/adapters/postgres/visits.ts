import { PipelineError } from '../../errors.js';
import type { StageDwellStats } from '../../metrics/dwellStats.js';
import type { DwellQuery, VisitPage, VisitQuery, VisitRepository, VisitRow } from '../../ports/repositories.js';
import { checkDwellQuery } from '../../ports/dwellQuery.js';
import { checkFunnelQuery, type FunnelGroup, type FunnelQuery } from '../../metrics/funnelGroups.js';
import type { PostgresQueryable } from './client.js';
import { guarded } from './driverErrors.js';

// Dwell statistics with the definitions of `dwellStats`: durations (negative ones count as 0) of the
// counted visits, sorted once per (pipeline, stage); the median is the middle value or the mean of
// the two middle ones (taken in JS), p90 the value at rank ceil(0.9 n) computed in float8 as JS
// does, max the last. The mean is sum / n in JS: the exact sum when it is below 2^53 (the durations
// are not negative, so every partial sum is an integer below it too, and the float sum dwellStats
// makes in sorted order is that same number), else the float sum in sorted order (the variant with
// `ordered`). Counted: without a period ($4 and $5 null), completed visits and, when $2, open ones up
// to $6 (now); with one, completed visits that exited in [$4, $5), and when $2 the visits open at $6 =
// min(now, to), measured to it.
const dwellStatement = (ordered: boolean) => `
SELECT pipeline_id, stage_id, n, total, a[(n + 1) / 2] AS lo, a[n / 2 + 1] AS hi,
       a[greatest(1, ceil(0.9::float8 * n)::integer)] AS p90, a[n] AS max
FROM (
  SELECT pipeline_id, stage_id, count(*)::integer AS n,
         ${ordered ? 'sum(d::float8 ORDER BY d)' : 'sum(d)'}::text AS total, array_agg(d ORDER BY d) AS a
  FROM (SELECT v.pipeline_id, v.stage_id, greatest(0, CASE WHEN o.open THEN $6::bigint ELSE v.exited_at END - v.entered_at) AS d
        FROM sp_stage_visits v
        CROSS JOIN LATERAL (SELECT CASE WHEN $4::bigint IS NULL AND $5::bigint IS NULL
          THEN $2::boolean AND v.exited_at IS NULL
          ELSE $2::boolean AND v.entered_at <= $6::bigint AND (v.exited_at IS NULL OR v.exited_at >= $6::bigint) END AS open) o
        WHERE v.tenant_id = $1 AND ($3::text IS NULL OR v.pipeline_id = $3::text)
          AND (o.open OR (v.exited_at IS NOT NULL AND ($4::bigint IS NULL OR v.exited_at >= $4::bigint) AND ($5::bigint IS NULL OR v.exited_at < $5::bigint)))) x
  GROUP BY pipeline_id, stage_id
) g`;
// The report statements are sent unprepared: the server plans them with the tenant's own share of
// the rows. Prepared, the plan made for any values (from the sixth run on) assumed the average
// tenant's share, a few hundred visits among many small tenants, and for a tenant of 800k visits
// sorted them on disk after a bitmap scan: dwell for a quarter took 453 ms against 364 ms planned
// with its values, the funnel 601 ms against 440 ms. Planning costs under 1 ms.
const DWELL = dwellStatement(false);
const DWELL_ORDERED = dwellStatement(true);

type DwellSqlRow = { pipeline_id: string | null; stage_id: string; n: number; total: string; lo: string; hi: string; p90: string; max: string };

const byKey = (a: StageDwellStats, b: StageDwellStats): number => {
  const pa = a.pipelineId ?? '';
  const pb = b.pipelineId ?? '';
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a.stageId < b.stageId ? -1 : a.stageId > b.stageId ? 1 : 0;
};

/** Dwell statistics of one tenant, computed by the server over the visits table, with an optional period. */
async function dwell(db: PostgresQueryable, tenantId: string, query: DwellQuery): Promise<StageDwellStats[]> {
  const q = checkDwellQuery(query);
  const at = q.to === undefined ? q.now : Math.min(q.now, q.to);
  const params = [tenantId, q.includeOpen, q.pipelineId ?? null, q.from ?? null, q.to ?? null, at];
  let { rows } = await guarded('visits.dwell', () => db.query<DwellSqlRow>(DWELL, params));
  if (rows.some((r) => Number(r.total) > Number.MAX_SAFE_INTEGER)) ({ rows } = await guarded('visits.dwell', () => db.query<DwellSqlRow>(DWELL_ORDERED, params)));
  return rows
    .map((r) => {
      const lo = Number(r.lo);
      return {
        pipelineId: r.pipeline_id,
        stageId: r.stage_id,
        visits: r.n,
        meanMs: Number(r.total) / r.n,
        medianMs: r.n % 2 === 1 ? lo : (lo + Number(r.hi)) / 2,
        p90Ms: Number(r.p90),
        maxMs: Number(r.max),
      };
    })
    .sort(byKey);
}

// The funnel's counts: per deal, the first visit to the pipeline begun before $3, the highest rank
// and the OR of the closed stages' bits (the stage keys come as arrays, joined by stage id); then
// the deals whose first visit is not before $7, by reach and mask.
const FUNNEL = `
SELECT reach, closed::text AS closed, count(*)::integer AS deals FROM (
  SELECT min(v.entered_at) AS first, coalesce(max(k.rank), -1) AS reach, coalesce(bit_or(k.bit), 0) AS closed
  FROM sp_stage_visits v LEFT JOIN unnest($4::text[], $5::integer[], $6::bigint[]) AS k(stage_id, rank, bit) ON k.stage_id = v.stage_id
  WHERE v.tenant_id = $1 AND v.pipeline_id = $2 AND ($3::bigint IS NULL OR v.entered_at < $3::bigint)
  GROUP BY v.deal_id) d
WHERE $7::bigint IS NULL OR d.first >= $7::bigint
GROUP BY reach, closed`;

async function funnel(db: PostgresQueryable, tenantId: string, query: FunnelQuery): Promise<FunnelGroup[]> {
  const q = checkFunnelQuery(query);
  const params = [tenantId, q.pipelineId, q.to ?? null, q.stages.map((s) => s.stageId), q.stages.map((s) => s.rank), q.stages.map((s) => s.bit), q.from ?? null];
  const { rows } = await guarded('visits.funnel', () => db.query<{ reach: number; closed: string; deals: number }>(FUNNEL, params));
  return rows.map((r) => ({ reach: r.reach, closed: Number(r.closed), deals: r.deals }));
}

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

/** Stage visits of one tenant, paged by (deal id, seq), filtered on each visit's own pipeline; dwell statistics in SQL, with a period. */
export function postgresVisits(db: PostgresQueryable, tenantId: string): VisitRepository & Required<Pick<VisitRepository, 'dwell' | 'funnel'>> {
  return {
    dwell: (q) => dwell(db, tenantId, q),
    dwellPeriods: true,
    funnel: (q) => funnel(db, tenantId, q),
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
