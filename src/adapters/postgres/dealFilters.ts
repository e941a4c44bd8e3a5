import type { CheckedDealQuery } from '../../ports/dealQuery.js';
import { afterCondition, filterConditions, type ListingDialect, type ListingFilters } from '../listingSql.js';

// Listings in PostgreSQL: the filters, sort and cursor of ../listingSql.ts (written once for both
// SQL stores) with numbered, cast placeholders after the tenant ($1).

export { orderSql, SORT_COLUMN } from '../listingSql.js';

/** A numbered placeholder for `value`, with its cast. */
const placeholder = (params: unknown[], value: unknown, cast: string): string => `$${params.push(value)}::${cast}`;

const POSTGRES: ListingDialect = {
  param: placeholder,
  contains: (column, needle) => `strpos(${column}, ${needle}) > 0`,
  rotting(params, rows) {
    if (rows.length === 0) return 'false';
    const p = placeholder(params, rows.map((r) => r[0]), 'text[]');
    const s = placeholder(params, rows.map((r) => r[1]), 'text[]');
    const t = placeholder(params, rows.map((r) => r[2]), 'double precision[]');
    return `EXISTS (SELECT 1 FROM unnest(${p}, ${s}, ${t}) AS r(p, s, t)
    WHERE r.p = coalesce(d.pipeline_id, '') AND r.s = d.stage_id AND d.stage_entered_at < r.t)`;
  },
};

/** Parameters and conditions, numbered after the tenant ($1). */
export class Where {
  readonly params: unknown[];
  readonly conditions: string[] = ['d.tenant_id = $1'];
  constructor(tenantId: string) {
    this.params = [tenantId];
  }
  add(condition: string): void {
    this.conditions.push(condition);
  }
  text(): string {
    return this.conditions.join(' AND ');
  }
}

/** The filter conditions of a checked query, as one SQL condition (true when there are none). */
export function filterSql(w: Where, q: ListingFilters): string {
  const parts = filterConditions(POSTGRES, w.params, q);
  return parts.length === 0 ? 'true' : parts.join(' AND ');
}

/** The keyset condition: positions after the cursor's (value, id) in the query's order. */
export function afterSql(w: Where, q: Pick<CheckedDealQuery, 'sort' | 'order' | 'after'>): string | null {
  return afterCondition(POSTGRES, w.params, q);
}
