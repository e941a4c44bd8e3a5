// Dwell statistics with the definitions of `dwellStats` (calendar time): SQLite selects the
// durations (negative ones count as 0) of the counted visits and lists each stage's in ascending
// order; each stage's figures are made from them by `summariseSorted`, the function dwellStats
// uses, so they agree to the last digit.
import { byKey, summariseSorted, type StageDwellStats } from '../../metrics/dwellStats.js';
import { checkDwellQuery } from '../../ports/dwellQuery.js';
import type { DwellQuery } from '../../ports/repositories.js';
import type { Context } from './context.js';

/**
 * What `visits.dwell` of the SQLite store is asked: {@link DwellQuery} and an optional period.
 * With `from`/`to` (epoch ms, half-open `[from, to)`), completed visits count when they exited
 * inside the period; with `includeOpen`, so do the visits open at `min(now, to)`, measured up to
 * that instant.
 *
 * @example
 * ```ts
 * const q: SqliteDwellQuery = { now: Date.now(), from: Date.parse('2026-01-01T00:00:00Z'), to: Date.parse('2026-04-01T00:00:00Z') };
 * ```
 * @category SQLite
 */
export interface SqliteDwellQuery extends DwellQuery {
  readonly from?: number;
  readonly to?: number;
}

type Checked = ReturnType<typeof checkDwellQuery>;

/**
 * The counted visits as (pipeline, stage, duration), with the query's parameters: completed
 * visits (exited in the period, when one is given), and open ones up to the end instant.
 */
function countedVisits(q: Checked, tenantId: string): { sql: string; params: Record<string, unknown> } {
  const at = q.to === undefined ? q.now : Math.min(q.now, q.to);
  const params: Record<string, unknown> = { tenant: tenantId, pipeline: q.pipelineId ?? null, from: q.from ?? null, to: q.to ?? null, at };
  const where = ['v.tenant_id = :tenant'];
  if (q.pipelineId !== undefined) where.push('v.pipeline_id = :pipeline');
  const completed = ['v.exited_at IS NOT NULL'];
  if (q.from !== undefined) completed.push('v.exited_at >= :from');
  if (q.to !== undefined) completed.push('v.exited_at < :to');
  let counted = completed.join(' AND ');
  let end = 'v.exited_at';
  if (q.includeOpen) {
    // Without a period, open means not exited (as dwellStats); with one, open at the end instant.
    const open = q.to === undefined && q.from === undefined ? 'v.exited_at IS NULL' : 'v.entered_at <= :at AND (v.exited_at IS NULL OR v.exited_at >= :at)';
    counted = `(${counted}) OR (${open})`;
    end = `CASE WHEN ${open} THEN :at ELSE v.exited_at END`;
  }
  return {
    sql: `SELECT +v.pipeline_id AS p, +v.stage_id AS s, max(0, ${end} - v.entered_at) AS ms FROM sp_stage_visits v WHERE ${where.join(' AND ')} AND (${counted})`,
    params,
  };
}

/** The named parameters the statement uses (better-sqlite3 refuses others). */
function used(sql: string, params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (sql.includes(`:${k}`)) out[k] = v;
  return out;
}

/**
 * Dwell statistics of one tenant: SQLite selects the counted durations from the primary key (the
 * unary `+` keeps the planner off the index by stage, through which each row would be a lookup),
 * groups them by stage and hands each stage's durations over as one sorted list; the rows are read
 * one stage at a time, so memory holds one stage's durations, never the table.
 */
export function dwell(ctx: Context, query: SqliteDwellQuery): StageDwellStats[] {
  const q = checkDwellQuery(query);
  const { sql, params } = countedVisits(q, ctx.tenantId);
  // The durations are whole milliseconds (instants are; `now` may come bound as a REAL): as
  // INTEGERs, group_concat prints them exactly, digits only.
  const grouped = `WITH v AS (${sql}) SELECT p, s, group_concat(CAST(ms AS INTEGER), ',' ORDER BY ms) FROM v GROUP BY p, s`;
  const statement = ctx.cached(grouped).raw();
  const bound = used(sql, params);
  const rows = (statement.iterate ? statement.iterate(bound) : statement.all(bound)) as Iterable<[string | null, string, string]>;
  const out: StageDwellStats[] = [];
  for (const [p, s, list] of rows) out.push(summariseSorted(p, s, parseDurations(list)));
  return out.sort(byKey);
}

/**
 * The durations of a comma-separated list of non-negative integers, read in place (splitting a
 * stage's list of a million durations would make a million strings).
 */
function parseDurations(list: string): Float64Array {
  let n = 1;
  for (let i = 0; i < list.length; i++) if (list.charCodeAt(i) === 44) n++;
  const out = new Float64Array(n);
  let k = 0;
  let v = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i);
    if (c === 44) {
      out[k++] = v;
      v = 0;
    } else if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
    else return Float64Array.from(list.split(','), Number);
  }
  out[k] = v;
  return out;
}
