import type { CheckedDealQuery } from '../../ports/dealQuery.js';

// A listing's filters, sort and cursor as SQL over sp_deals aliased `d`, with the same answers as
// `matchesQuery` / `comparePositions` (src/ports/dealQuery.ts): bounds inclusive, missing values
// left out by range filters, nulls last in both orders, ties by id ascending. `search` compares
// the name lower-cased by JavaScript (the `name_key` column) with `strpos`, never SQL `lower()`.

/** The column each sort key reads. */
export const SORT_COLUMN = {
  id: 'd.id',
  name: 'd.name_key',
  amount: 'd.amount',
  closingDate: 'd.closing_date',
  updatedAt: 'd.updated_at',
  stageEnteredAt: 'd.stage_entered_at',
} as const;

const SORT_CAST = { id: 'text', name: 'text', amount: 'double precision', closingDate: 'text', updatedAt: 'bigint', stageEnteredAt: 'bigint' } as const;

/** Parameters and conditions, numbered after the tenant ($1). */
export class Where {
  readonly params: unknown[];
  readonly conditions: string[] = ['d.tenant_id = $1'];
  constructor(tenantId: string) {
    this.params = [tenantId];
  }
  /** A placeholder for a new parameter, with its cast. */
  param(value: unknown, cast: string): string {
    return `$${this.params.push(value)}::${cast}`;
  }
  add(condition: string): void {
    this.conditions.push(condition);
  }
  text(): string {
    return this.conditions.join(' AND ');
  }
}

/** The filter conditions of a checked query, as one SQL condition (true when there are none). */
export function filterSql(w: Where, q: Omit<CheckedDealQuery, 'sort' | 'order' | 'after' | 'limit' | 'history' | 'changes'>): string {
  const parts: string[] = [];
  const eq = (column: string, value: string | null | undefined) => {
    if (value === null) parts.push(`${column} IS NULL`);
    else if (value !== undefined) parts.push(`${column} = ${w.param(value, 'text')}`);
  };
  eq('d.layout_id', q.layoutId);
  eq('d.pipeline_id', q.pipelineId);
  eq('d.stage_id', q.stageId);
  eq('d.owner_id', q.ownerId);
  eq('d.outcome', q.outcome);
  if (q.closingFrom !== undefined) parts.push(`d.closing_date >= ${w.param(q.closingFrom, 'text')}`);
  if (q.closingTo !== undefined) parts.push(`d.closing_date <= ${w.param(q.closingTo, 'text')}`);
  if (q.amountMin !== undefined) parts.push(`d.amount >= ${w.param(q.amountMin, 'double precision')}`);
  if (q.amountMax !== undefined) parts.push(`d.amount <= ${w.param(q.amountMax, 'double precision')}`);
  if (q.search !== undefined) parts.push(`strpos(d.name_key, ${w.param(q.search, 'text')}) > 0`);
  if (q.rotting !== undefined) parts.push(`${q.rotting ? '' : 'NOT '}${rottingSql(w, q.rottingBefore)}`);
  return parts.length === 0 ? 'true' : parts.join(' AND ');
}

/** Whether the deal entered its current stage before the threshold of its (pipeline, stage). */
function rottingSql(w: Where, before: CheckedDealQuery['rottingBefore']): string {
  const pipelines: string[] = [];
  const stages: string[] = [];
  const at: number[] = [];
  for (const [pipelineId, byStage] of Object.entries(before)) {
    for (const [stageId, t] of Object.entries(byStage)) {
      pipelines.push(pipelineId);
      stages.push(stageId);
      at.push(t);
    }
  }
  if (at.length === 0) return 'false';
  return `EXISTS (SELECT 1 FROM unnest(${w.param(pipelines, 'text[]')}, ${w.param(stages, 'text[]')}, ${w.param(at, 'double precision[]')}) AS r(p, s, t)
    WHERE r.p = coalesce(d.pipeline_id, '') AND r.s = d.stage_id AND d.stage_entered_at < r.t)`;
}

/** The keyset condition: positions after the cursor's (value, id) in the query's order. */
export function afterSql(w: Where, q: Pick<CheckedDealQuery, 'sort' | 'order' | 'after'>): string | null {
  if (q.after === null) return null;
  const column = SORT_COLUMN[q.sort];
  const id = w.param(q.after.id, 'text');
  if (q.sort === 'id') return `d.id ${q.order === 'asc' ? '>' : '<'} ${id}`;
  if (q.after.value === null) return `(${column} IS NULL AND d.id > ${id})`;
  const value = w.param(q.after.value, SORT_CAST[q.sort]);
  return `(${column} ${q.order === 'asc' ? '>' : '<'} ${value} OR (${column} = ${value} AND d.id > ${id}) OR ${column} IS NULL)`;
}

/** ORDER BY of a listing: the sort key (nulls last) then id ascending. */
export function orderSql(q: Pick<CheckedDealQuery, 'sort' | 'order'>): string {
  if (q.sort === 'id') return `d.id ${q.order === 'asc' ? 'ASC' : 'DESC'}`;
  return `${SORT_COLUMN[q.sort]} ${q.order === 'asc' ? 'ASC' : 'DESC'} NULLS LAST, d.id ASC`;
}
