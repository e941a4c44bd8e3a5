// Listings in SQL: the WHERE and ORDER BY of a checked DealQuery over `sp_deals d`, with its
// parameters. Statements are cached by their text, which is the query's shape (which filters,
// sort, order, cursor kind), never its values.
import type { CheckedDealQuery, DealSort } from '../../ports/dealQuery.js';

/** The column a sort orders by. */
const SORT_COLUMN: Record<DealSort, string> = {
  id: 'd.id',
  name: 'd.name_key',
  amount: 'd.amount',
  closingDate: 'd.closing_date',
  updatedAt: 'd.updated_at',
  stageEnteredAt: 'd.stage_entered_at',
};

/** Conditions and their parameters, in the order they appear in the SQL. */
export interface Where {
  readonly sql: string[];
  readonly params: unknown[];
}

/** The filter conditions of a query (not the cursor), added to `w`. */
export function addFilters(w: Where, q: Omit<CheckedDealQuery, 'sort' | 'order' | 'history' | 'changes' | 'after' | 'limit'>): void {
  const eq = (column: string, value: string | null | undefined) => {
    if (value === undefined) return;
    if (value === null) w.sql.push(`${column} IS NULL`);
    else {
      w.sql.push(`${column} = ?`);
      w.params.push(value);
    }
  };
  eq('d.layout_id', q.layoutId);
  eq('d.pipeline_id', q.pipelineId);
  eq('d.stage_id', q.stageId);
  eq('d.owner_id', q.ownerId);
  eq('d.outcome', q.outcome);
  const bound = (condition: string, value: string | number | undefined) => {
    if (value === undefined) return;
    w.sql.push(condition);
    w.params.push(value);
  };
  // A NULL never satisfies a comparison: deals without a closing date or amount are left out.
  bound('d.closing_date >= ?', q.closingFrom);
  bound('d.closing_date <= ?', q.closingTo);
  bound('d.amount >= ?', q.amountMin);
  bound('d.amount <= ?', q.amountMax);
  // name_key is the name lower-cased in JavaScript, as the query's search is.
  bound('instr(d.name_key, ?) > 0', q.search);
  if (q.rotting !== undefined) {
    const rows: [string, string, number][] = [];
    for (const [pipelineId, stages] of Object.entries(q.rottingBefore)) for (const [stageId, at] of Object.entries(stages)) rows.push([pipelineId, stageId, at]);
    w.sql.push(`${q.rotting ? '' : 'NOT '}EXISTS (SELECT 1 FROM json_each(?) t WHERE t.value ->> 0 = coalesce(d.pipeline_id, '') AND t.value ->> 1 = d.stage_id AND d.stage_entered_at < t.value ->> 2)`);
    w.params.push(JSON.stringify(rows));
  }
}

/** The keyset condition: positions after the cursor in the query's order (nulls last, ties by id). */
function addCursor(w: Where, q: CheckedDealQuery): void {
  const after = q.after;
  if (after === null) return;
  if (q.sort === 'id') {
    w.sql.push(q.order === 'asc' ? 'd.id > ?' : 'd.id < ?');
    w.params.push(after.id);
    return;
  }
  const c = SORT_COLUMN[q.sort];
  if (after.value === null) {
    w.sql.push(`(${c} IS NULL AND d.id > ?)`);
    w.params.push(after.id);
    return;
  }
  w.sql.push(`(${c} ${q.order === 'asc' ? '>' : '<'} ? OR (${c} = ? AND d.id > ?) OR ${c} IS NULL)`);
  w.params.push(after.value, after.value, after.id);
}

/** ORDER BY of a query: the sort key, nulls last in both orders, ties by id ascending. */
export function orderBy(q: Pick<CheckedDealQuery, 'sort' | 'order'>): string {
  if (q.sort === 'id') return `d.id ${q.order === 'asc' ? 'ASC' : 'DESC'}`;
  const c = SORT_COLUMN[q.sort];
  return `${c} ${q.order === 'asc' ? 'ASC' : 'DESC'} NULLS LAST, d.id ASC`;
}

/**
 * The SQL of one page (one more row than `limit`, to tell whether another follows) with `select`
 * as the columns (and joins) read from `sp_deals d`, and its parameters after the tenant id.
 */
export function pageQuery(select: string, q: CheckedDealQuery, tenantId: string): { sql: string; params: unknown[] } {
  const w: Where = { sql: ['d.tenant_id = ?'], params: [tenantId] };
  addFilters(w, q);
  addCursor(w, q);
  w.params.push(q.limit + 1);
  return { sql: `${select} WHERE ${w.sql.join(' AND ')} ORDER BY ${orderBy(q)} LIMIT ?`, params: w.params };
}
