import { PipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';

/**
 * The keys a deal listing sorts by. `name` compares lower-cased names (`String.prototype.toLowerCase`,
 * no locale rules); `stageEnteredAt` is when the deal entered its current stage.
 *
 * @example
 * ```ts
 * const sort: DealSort = 'closingDate';
 * ```
 * @category Storage
 */
export type DealSort = 'id' | 'name' | 'amount' | 'closingDate' | 'updatedAt' | 'stageEnteredAt';

/**
 * What a listing adds to each deal on request: its whole stage history, its change log.
 *
 * @example
 * ```ts
 * const include: DealInclude[] = ['history'];
 * ```
 * @category Storage
 */
export type DealInclude = 'history' | 'changes';

/**
 * Per pipeline (`''` for deals of layouts without pipelines) and stage: the instant before which a
 * deal that entered that stage counts as rotting. The service builds it from the workspace's
 * `rotAfterDays` and `now` (open stages with a threshold only); stores compare
 * `stageEnteredAt < rottingBefore[pipelineId ?? ''][stageId]`.
 *
 * @example
 * ```ts
 * const before: RottingThresholds = { 'new-cars': { quote: Date.parse('2026-03-01T00:00:00Z') } };
 * ```
 * @category Storage
 */
export type RottingThresholds = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** Every key a listing sorts by. */
export const DEAL_SORTS: readonly DealSort[] = ['id', 'name', 'amount', 'closingDate', 'updatedAt', 'stageEnteredAt'];
const OUTCOMES = ['open', 'won', 'lost'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A checked query: every filter valid, `sort` and `order` filled in, `search` lower-cased.
 * @category Storage
 */
export interface CheckedDealQuery {
  readonly layoutId?: string;
  readonly pipelineId?: string | null;
  readonly stageId?: string;
  readonly ownerId?: string | null;
  readonly outcome?: 'open' | 'won' | 'lost';
  readonly closingFrom?: string;
  readonly closingTo?: string;
  readonly amountMin?: number;
  readonly amountMax?: number;
  /** Lower-cased. */
  readonly search?: string;
  readonly rotting?: boolean;
  readonly rottingBefore: RottingThresholds;
  readonly sort: DealSort;
  readonly order: 'asc' | 'desc';
  readonly history: boolean;
  readonly changes: boolean;
  /** The decoded cursor: the sort value and id of the last deal of the previous page. */
  readonly after: { readonly value: string | number | null; readonly id: string } | null;
  readonly limit: number;
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function bad(path: string, what: string): never {
  throw new PipelineError('invalid_input', `query.${path}: ${what}`, { path: `query.${path}` });
}

function optionalText(q: Record<string, unknown>, key: string): string | undefined {
  const v = q[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0) bad(key, 'expected a non-empty string');
  return v;
}

function optionalAmount(q: Record<string, unknown>, key: string): number | undefined {
  const v = q[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(key, 'expected a finite number');
  return v;
}

function optionalDate(q: Record<string, unknown>, key: string): string | undefined {
  const v = q[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !DATE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) {
    bad(key, "expected a calendar date 'YYYY-MM-DD'");
  }
  return v;
}

function checkThresholds(v: unknown): RottingThresholds {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('rottingBefore', 'expected { [pipelineId]: { [stageId]: instant } }');
  const out: Record<string, Record<string, number>> = Object.create(null) as Record<string, Record<string, number>>;
  for (const [pipelineId, stages] of Object.entries(v)) {
    if (typeof stages !== 'object' || stages === null || Array.isArray(stages)) bad(`rottingBefore.${pipelineId}`, 'expected { [stageId]: instant }');
    const row: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [stageId, at] of Object.entries(stages)) {
      if (typeof at !== 'number' || !Number.isFinite(at)) bad(`rottingBefore.${pipelineId}.${stageId}`, 'expected epoch milliseconds');
      row[stageId] = at;
    }
    out[pipelineId] = row;
  }
  return out;
}

/** The most deals one listing page may ask for (`DealQuery.limit`). */
export const MAX_LIST_LIMIT = 1000;

/**
 * Checks a {@link DealQuery} as every store must: each filter's type, `limit` an integer from 1
 * to 1000, `sort`/`order`/`include` known, the cursor one that a listing with the same sort and
 * order returned. Throws `invalid_input` naming `query.<field>`. Shared by the shipped stores so
 * that they answer a malformed query alike; a host's own store may call it too.
 *
 * @param query - the query as given
 * @returns the checked query, with defaults (`sort: 'id'`, `order: 'asc'`) filled in
 * @example
 * ```ts
 * checkDealQuery({ ownerId: 'ann', sort: 'amount', order: 'desc', limit: 100 }).sort; // 'amount'
 * ```
 * @category Storage
 */
export function checkDealQuery(query: unknown): CheckedDealQuery {
  if (typeof query !== 'object' || query === null || Array.isArray(query)) {
    throw new PipelineError('invalid_input', 'query: expected { limit, ...filters }', { path: 'query' });
  }
  const q = query as Record<string, unknown>;
  const limit = q.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) bad('limit', `expected an integer from 1 to ${MAX_LIST_LIMIT}`);
  const pipelineId = q.pipelineId === null ? null : optionalText(q, 'pipelineId');
  const ownerId = q.ownerId === null ? null : optionalText(q, 'ownerId');
  const outcome = q.outcome;
  if (outcome !== undefined && !OUTCOMES.includes(outcome as 'open')) bad('outcome', "expected 'open', 'won' or 'lost'");
  const search = q.search;
  if (search !== undefined && (typeof search !== 'string' || search.length > 255)) bad('search', 'expected a string of at most 255 characters');
  const rotting = q.rotting;
  if (rotting !== undefined && typeof rotting !== 'boolean') bad('rotting', 'expected a boolean');
  const sort = q.sort ?? 'id';
  if (!DEAL_SORTS.includes(sort as DealSort)) bad('sort', `expected one of ${DEAL_SORTS.join(', ')}`);
  const order = q.order ?? 'asc';
  if (order !== 'asc' && order !== 'desc') bad('order', "expected 'asc' or 'desc'");
  const include = q.include ?? [];
  if (!Array.isArray(include) || !include.every((i) => i === 'history' || i === 'changes')) bad('include', "expected an array of 'history' and 'changes'");
  const checked: CheckedDealQuery = {
    ...(q.layoutId !== undefined ? { layoutId: optionalText(q, 'layoutId')! } : {}),
    ...(pipelineId !== undefined ? { pipelineId } : {}),
    ...(q.stageId !== undefined ? { stageId: optionalText(q, 'stageId')! } : {}),
    ...(ownerId !== undefined ? { ownerId } : {}),
    ...(outcome !== undefined ? { outcome: outcome as 'open' } : {}),
    ...(q.closingFrom !== undefined ? { closingFrom: optionalDate(q, 'closingFrom')! } : {}),
    ...(q.closingTo !== undefined ? { closingTo: optionalDate(q, 'closingTo')! } : {}),
    ...(q.amountMin !== undefined ? { amountMin: optionalAmount(q, 'amountMin')! } : {}),
    ...(q.amountMax !== undefined ? { amountMax: optionalAmount(q, 'amountMax')! } : {}),
    ...(typeof search === 'string' && search.length > 0 ? { search: search.toLowerCase() } : {}),
    ...(rotting !== undefined ? { rotting } : {}),
    rottingBefore: checkThresholds(q.rottingBefore),
    sort: sort as DealSort,
    order,
    history: include.includes('history'),
    changes: include.includes('changes'),
    after: decodeCursor(q.after, sort as DealSort, order),
    limit,
  };
  return checked;
}

/**
 * The value a deal sorts by under `sort` (null sorts last in both orders).
 *
 * @example
 * ```ts
 * sortValue(deal, 'name'); // deal.name.toLowerCase()
 * ```
 * @category Storage
 */
export function sortValue(deal: Pick<Deal, 'id' | 'name' | 'amount' | 'closingDate' | 'updatedAt' | 'history'>, sort: DealSort): string | number | null {
  switch (sort) {
    case 'id':
      return deal.id;
    case 'name':
      return deal.name.toLowerCase();
    case 'amount':
      return deal.amount;
    case 'closingDate':
      return deal.closingDate;
    case 'updatedAt':
      return deal.updatedAt;
    case 'stageEnteredAt':
      return deal.history[deal.history.length - 1]!.enteredAt;
  }
}

/**
 * Compares two sort positions as every store orders a listing: by the sort value (nulls last in
 * both orders; strings by UTF-16 code units, as `<` compares them and as SQL's `COLLATE "C"` / BINARY
 * do for the ids and keys the stores write), then by id ascending.
 *
 * @example
 * ```ts
 * comparePositions({ value: 10, id: 'b' }, { value: 10, id: 'a' }, 'desc'); // 1: ties go by id ascending
 * ```
 * @category Storage
 */
export function comparePositions(
  a: { readonly value: string | number | null; readonly id: string },
  b: { readonly value: string | number | null; readonly id: string },
  order: 'asc' | 'desc',
): number {
  if (a.value !== b.value) {
    if (a.value === null) return 1;
    if (b.value === null) return -1;
    const c = a.value < b.value ? -1 : 1;
    return order === 'asc' ? c : -c;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The opaque cursor after a deal: the sort, the order, the sort value and the id, so that the next
 * page resumes after it (keyset paging). With the default sort (`id`, ascending) the cursor is
 * the id itself, as before sorts existed.
 *
 * @example
 * ```ts
 * encodeCursor('amount', 'desc', 90000, 'd7'); // an opaque string for `after`
 * ```
 * @category Storage
 */
export function encodeCursor(sort: DealSort, order: 'asc' | 'desc', value: string | number | null, id: string): string {
  if (sort === 'id' && order === 'asc') return id;
  return `~${sort}.${order}.${toBase64Url(JSON.stringify([value, id]))}`;
}

// UTF-8 in base64url, with what both Node and browsers have (no Buffer in the browser build).
function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function decodeCursor(after: unknown, sort: DealSort, order: 'asc' | 'desc'): CheckedDealQuery['after'] {
  if (after === undefined || after === null) return null;
  if (typeof after !== 'string' || after.length === 0) bad('after', 'expected a cursor returned by a listing, or null');
  if (!after.startsWith('~')) {
    if (sort !== 'id' || order !== 'asc') bad('after', `the cursor is of a listing sorted by id ascending, not by ${sort} ${order}`);
    return { value: after, id: after };
  }
  const prefix = `~${sort}.${order}.`;
  if (!after.startsWith(prefix)) bad('after', `the cursor is not of a listing sorted by ${sort} ${order}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromBase64Url(after.slice(prefix.length)));
  } catch {
    bad('after', 'expected a cursor returned by a listing');
  }
  const ok = Array.isArray(parsed) && parsed.length === 2 && typeof parsed[1] === 'string' &&
    (parsed[0] === null || typeof parsed[0] === (sort === 'name' || sort === 'closingDate' || sort === 'id' ? 'string' : 'number'));
  if (!ok) bad('after', 'expected a cursor returned by a listing');
  return { value: (parsed as [string | number | null, string])[0], id: (parsed as [unknown, string])[1] };
}

/**
 * Whether a deal matches a checked query's filters (not the cursor): what `list` returns, for
 * stores that filter in code. The SQL stores give the same answers in SQL.
 *
 * @example
 * ```ts
 * matchesQuery(deal, checkDealQuery({ ownerId: 'ann', limit: 1 })); // deal.ownerId === 'ann'
 * ```
 * @category Storage
 */
export function matchesQuery(deal: Deal, q: CheckedDealQuery): boolean {
  const last = deal.history[deal.history.length - 1]!;
  if (q.layoutId !== undefined && deal.layoutId !== q.layoutId) return false;
  if (q.pipelineId !== undefined && deal.pipelineId !== q.pipelineId) return false;
  if (q.stageId !== undefined && deal.stageId !== q.stageId) return false;
  if (q.ownerId !== undefined && deal.ownerId !== q.ownerId) return false;
  if (q.outcome !== undefined && last.outcome !== q.outcome) return false;
  if (q.closingFrom !== undefined && (deal.closingDate === null || deal.closingDate < q.closingFrom)) return false;
  if (q.closingTo !== undefined && (deal.closingDate === null || deal.closingDate > q.closingTo)) return false;
  if (q.amountMin !== undefined && (deal.amount === null || deal.amount < q.amountMin)) return false;
  if (q.amountMax !== undefined && (deal.amount === null || deal.amount > q.amountMax)) return false;
  if (q.search !== undefined && !deal.name.toLowerCase().includes(q.search)) return false;
  if (q.rotting !== undefined && isRotting(deal, last.enteredAt, q.rottingBefore) !== q.rotting) return false;
  return true;
}

function isRotting(deal: Deal, enteredAt: number, before: RottingThresholds): boolean {
  const stages = own(before, deal.pipelineId ?? '') ? before[deal.pipelineId ?? ''] : undefined;
  const at = stages !== undefined && own(stages, deal.stageId) ? stages[deal.stageId] : undefined;
  return at !== undefined && enteredAt < at;
}

/**
 * A deal as a listing hands it out: without `include: ['history']` its history holds only its
 * current visit; without `include: ['changes']` it has no change log.
 *
 * @example
 * ```ts
 * leanDeal(deal, { history: false, changes: false }).history.length; // 1
 * ```
 * @category Storage
 */
export function leanDeal(deal: Deal, include: { readonly history: boolean; readonly changes: boolean }): Deal {
  if (include.history && (include.changes || deal.changes === undefined)) return deal;
  const { changes, ...rest } = deal;
  const lean: Deal = { ...rest, history: include.history ? deal.history : [deal.history[deal.history.length - 1]!] };
  return include.changes && changes !== undefined ? { ...lean, changes } : lean;
}

/**
 * One page of a listing over deals held in memory: filters, sort, keyset cursor, lean deals. What
 * the memory store does, and the reference the SQL stores are tested against.
 *
 * @param deals - every deal of the tenant, in any order
 * @param q - a checked query
 * @returns the page and the cursor of the next (null on the last page)
 * @example
 * ```ts
 * const { deals: page, next } = pageOfDeals(allDeals, checkDealQuery({ sort: 'amount', order: 'desc', limit: 20 }));
 * ```
 * @category Storage
 */
export function pageOfDeals(deals: Iterable<Deal>, q: CheckedDealQuery): { deals: Deal[]; next: string | null } {
  const hits: { value: string | number | null; id: string; deal: Deal }[] = [];
  for (const deal of deals) {
    if (!matchesQuery(deal, q)) continue;
    const position = { value: sortValue(deal, q.sort), id: deal.id, deal };
    if (q.after !== null && comparePositions(position, q.after, q.order) <= 0) continue;
    hits.push(position);
  }
  hits.sort((a, b) => comparePositions(a, b, q.order));
  const page = hits.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    deals: page.map((h) => leanDeal(h.deal, q)),
    next: hits.length > q.limit && last !== undefined ? encodeCursor(q.sort, q.order, last.value, last.id) : null,
  };
}
