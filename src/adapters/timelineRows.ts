// What both SQL adapters share to answer `deals.timelines`: the query check and the assembly of a
// page from three row sets (the deals, their visits and their changes, each by deal id in order).
import { PipelineError } from '../errors.js';
import type { FieldChange } from '../model/deal.js';
import type { DealTimeline, TimelinePage, TimelineQuery } from '../ports/repositories.js';
import { MAX_LIST_LIMIT } from '../ports/dealQuery.js';

/** The changes a timeline carries: the fields a deal's value and closing date follow. */
export const TIMELINE_FIELDS = ['amount', 'closingDate', 'currency'] as const;

function bad(key: string, what: string): never {
  throw new PipelineError('invalid_input', `query.${key}: ${what}`, { path: `query.${key}` });
}

/** A {@link TimelineQuery} checked: `limit` a positive integer (at most {@link MAX_LIST_LIMIT}), `after` a cursor, `before` epoch ms. */
export function checkTimelineQuery(q: TimelineQuery): { readonly limit: number; readonly after: string | null; readonly before: number | null } {
  if (typeof q !== 'object' || q === null) throw new PipelineError('invalid_input', 'query: expected { limit, after?, before? }', { path: 'query' });
  if (!Number.isSafeInteger(q.limit) || q.limit < 1) bad('limit', 'expected a positive integer');
  if (q.after != null && (typeof q.after !== 'string' || q.after.length === 0)) bad('after', 'expected the cursor of a previous page');
  if (q.before !== undefined && !Number.isSafeInteger(q.before)) bad('before', 'expected epoch milliseconds');
  return { limit: Math.min(q.limit, MAX_LIST_LIMIT), after: q.after ?? null, before: q.before ?? null };
}

type Visit = DealTimeline['history'][number];
/** A visit row: deal id, then the visit's fields. */
export type TimelineVisitRow = [dealId: string, pipelineId: string | null, enteredAt: number, outcome: string, amount: number | null, closingDate: string | null];
/** A change row: deal id, at, by, field, and the values as stored JSON text. */
export type TimelineChangeRow = [dealId: string, at: number, by: string | null, field: string, from: string, to: string];

/** How a store's rows are read: the deal id and the visit of a visit row, the deal id and the change of a change row. */
export interface TimelineRowReader<V, C> {
  visitDeal(row: V): string;
  visit(row: V): Visit;
  changeDeal(row: C): string;
  change(row: C): FieldChange;
}

/** A {@link TimelineRowReader} of rows as arrays ({@link TimelineVisitRow}, {@link TimelineChangeRow}). */
export const TUPLES: TimelineRowReader<TimelineVisitRow, TimelineChangeRow> = {
  visitDeal: (r) => r[0],
  visit: (r) => ({ pipelineId: r[1], enteredAt: Number(r[2]), outcome: r[3] as Visit['outcome'], amount: r[4] === null ? null : Number(r[4]), closingDate: r[5] }),
  changeDeal: (r) => r[0],
  change: (r) => ({ at: Number(r[1]), by: r[2], field: r[3] as FieldChange['field'], from: JSON.parse(r[4]) as FieldChange['from'], to: JSON.parse(r[5]) as FieldChange['to'] }),
};

/**
 * The page of `deals` (id and currency, `limit + 1` rows read to know whether more follow) with
 * the visits and changes read for them (each in deal order), read by `reader`; rows of other deal
 * ids (an erased deal's visits) are skipped.
 */
export function timelinePage<V, C>(deals: readonly (readonly [id: string, currency: string | null])[], limit: number, visits: readonly V[], changes: readonly C[], reader: TimelineRowReader<V, C>): TimelinePage {
  const n = Math.min(deals.length, limit);
  const out: { id: string; currency: string | null; history: Visit[]; changes: FieldChange[] }[] = new Array(n);
  const byId = new Map<string, (typeof out)[number]>();
  for (let i = 0; i < n; i++) {
    const [id, currency] = deals[i]!;
    byId.set(id, (out[i] = { id, currency, history: [], changes: [] }));
  }
  let t: (typeof out)[number] | undefined;
  for (const r of visits) {
    const id = reader.visitDeal(r);
    if (t?.id !== id) t = byId.get(id);
    t?.history.push(reader.visit(r));
  }
  t = undefined;
  for (const r of changes) {
    const id = reader.changeDeal(r);
    if (t?.id !== id) t = byId.get(id);
    t?.changes.push(reader.change(r));
  }
  return { deals: out, next: deals.length > limit ? deals[n - 1]![0] : null };
}
