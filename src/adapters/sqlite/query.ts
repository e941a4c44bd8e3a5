// Listings in SQLite: the WHERE and ORDER BY of a checked DealQuery over `sp_deals d` (written once
// for both SQL stores in ../listingSql.ts), with positional `?` parameters. Statements are cached
// by their text, which is the query's shape (which filters, sort, order, cursor kind), never its
// values.
import type { CheckedDealQuery } from '../../ports/dealQuery.js';
import { afterCondition, filterConditions, orderSql, type ListingDialect, type ListingFilters } from '../listingSql.js';

const SQLITE: ListingDialect = {
  param(params, value) {
    params.push(value);
    return '?';
  },
  contains: (column, needle) => `instr(${column}, ${needle}) > 0`,
  rotting(params, rows) {
    params.push(JSON.stringify(rows));
    return `EXISTS (SELECT 1 FROM json_each(?) t WHERE t.value ->> 0 = coalesce(d.pipeline_id, '') AND t.value ->> 1 = d.stage_id AND d.stage_entered_at < t.value ->> 2)`;
  },
};

/** Conditions and their parameters, in the order they appear in the SQL. */
export interface Where {
  readonly sql: string[];
  readonly params: unknown[];
}

/** The filter conditions of a query (not the cursor), added to `w`. */
export function addFilters(w: Where, q: ListingFilters): void {
  w.sql.push(...filterConditions(SQLITE, w.params, q));
}

/**
 * The SQL of one page (one more row than `limit`, to tell whether another follows) with `select`
 * as the columns (and joins) read from `sp_deals d`, and its parameters after the tenant id.
 */
export function pageQuery(select: string, q: CheckedDealQuery, tenantId: string): { sql: string; params: unknown[] } {
  const w: Where = { sql: ['d.tenant_id = ?'], params: [tenantId] };
  addFilters(w, q);
  const after = afterCondition(SQLITE, w.params, q);
  if (after !== null) w.sql.push(after);
  w.params.push(q.limit + 1);
  return { sql: `${select} WHERE ${w.sql.join(' AND ')} ORDER BY ${orderSql(q)} LIMIT ?`, params: w.params };
}
