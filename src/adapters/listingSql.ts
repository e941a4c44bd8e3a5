// A listing's filters, sort and cursor as SQL over sp_deals aliased `d`, written once for both SQL
// stores, with the same answers as `matchesQuery` / `comparePositions` (src/ports/dealQuery.ts):
// bounds inclusive, missing values left out by range filters (a NULL satisfies no comparison),
// nulls last in both orders, ties by id ascending. `search` compares the name lower-cased by
// JavaScript (the `name_key` column), never SQL `lower()`. What differs between the databases
// (placeholders, substring search, the rotting thresholds as rows) is the dialect's.
import type { CheckedDealQuery, DealSort } from '../ports/dealQuery.js';

/** The SQL type of a parameter (PostgreSQL casts each placeholder; SQLite ignores it). */
export type SqlCast = 'text' | 'double precision' | 'bigint';

/** What one database spells its own way. */
export interface ListingDialect {
  /** Adds `value` to `params` and returns its placeholder. */
  param(params: unknown[], value: unknown, cast: SqlCast): string;
  /** Whether `column` contains the text of the placeholder `needle`. */
  contains(column: string, needle: string): string;
  /** Whether the deal entered its current stage before the threshold of its (pipeline, stage) among `rows`. */
  rotting(params: unknown[], rows: readonly (readonly [pipelineId: string, stageId: string, before: number])[]): string;
}

/** The column each sort key reads. */
export const SORT_COLUMN: Readonly<Record<DealSort, string>> = {
  id: 'd.id',
  name: 'd.name_key',
  amount: 'd.amount',
  closingDate: 'd.closing_date',
  updatedAt: 'd.updated_at',
  stageEnteredAt: 'd.stage_entered_at',
};

const SORT_CAST: Readonly<Record<DealSort, SqlCast>> = { id: 'text', name: 'text', amount: 'double precision', closingDate: 'text', updatedAt: 'bigint', stageEnteredAt: 'bigint' };

/** The filters of a listing, as checked (no sort, cursor or page size). */
export type ListingFilters = Omit<CheckedDealQuery, 'sort' | 'order' | 'after' | 'limit' | 'history' | 'changes'>;

/** The filter conditions of a checked query (not the cursor), their parameters added to `params` in order. */
export function filterConditions(dialect: ListingDialect, params: unknown[], q: ListingFilters): string[] {
  const out: string[] = [];
  const eq = (column: string, value: string | null | undefined) => {
    if (value === null) out.push(`${column} IS NULL`);
    else if (value !== undefined) out.push(`${column} = ${dialect.param(params, value, 'text')}`);
  };
  eq('d.layout_id', q.layoutId);
  eq('d.pipeline_id', q.pipelineId);
  eq('d.stage_id', q.stageId);
  eq('d.owner_id', q.ownerId);
  eq('d.outcome', q.outcome);
  const bound = (column: string, op: '>=' | '<=', value: string | number | undefined, cast: SqlCast) => {
    if (value !== undefined) out.push(`${column} ${op} ${dialect.param(params, value, cast)}`);
  };
  bound('d.closing_date', '>=', q.closingFrom, 'text');
  bound('d.closing_date', '<=', q.closingTo, 'text');
  bound('d.amount', '>=', q.amountMin, 'double precision');
  bound('d.amount', '<=', q.amountMax, 'double precision');
  if (q.search !== undefined) out.push(dialect.contains('d.name_key', dialect.param(params, q.search, 'text')));
  if (q.rotting !== undefined) {
    const rows: [string, string, number][] = [];
    for (const [pipelineId, stages] of Object.entries(q.rottingBefore)) for (const [stageId, at] of Object.entries(stages)) rows.push([pipelineId, stageId, at]);
    out.push(`${q.rotting ? '' : 'NOT '}${dialect.rotting(params, rows)}`);
  }
  return out;
}

/** The keyset condition: positions after the cursor's (value, id) in the query's order; null without a cursor. */
export function afterCondition(dialect: ListingDialect, params: unknown[], q: Pick<CheckedDealQuery, 'sort' | 'order' | 'after'>): string | null {
  const after = q.after;
  if (after === null) return null;
  const id = () => dialect.param(params, after.id, 'text');
  if (q.sort === 'id') return `d.id ${q.order === 'asc' ? '>' : '<'} ${id()}`;
  const column = SORT_COLUMN[q.sort];
  if (after.value === null) return `(${column} IS NULL AND d.id > ${id()})`;
  const value = () => dialect.param(params, after.value, SORT_CAST[q.sort]);
  return `(${column} ${q.order === 'asc' ? '>' : '<'} ${value()} OR (${column} = ${value()} AND d.id > ${id()}) OR ${column} IS NULL)`;
}

/**
 * ORDER BY of a listing: the sort key (nulls last in both orders), then id ascending. `key` and
 * `id` name the columns when they are read from elsewhere than `sp_deals d` (a subquery's).
 */
export function orderSql(q: Pick<CheckedDealQuery, 'sort' | 'order'>, key = SORT_COLUMN[q.sort], id = 'd.id'): string {
  if (q.sort === 'id') return `${id} ${q.order === 'asc' ? 'ASC' : 'DESC'}`;
  return `${key} ${q.order === 'asc' ? 'ASC' : 'DESC'} NULLS LAST, ${id} ASC`;
}
