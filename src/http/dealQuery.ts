import type { DealInclude, DealListQuery } from '../index.js';
import { checkParams, defined, enumParam, instantParam, integerParam, listParam, numberParam, textParam, booleanParam } from './params.js';

/**
 * A deal listing as `GET /deals` takes it: every filter optional, combined with AND, plus the
 * sort, what the deals carry (`include`) and the page (`after`, `limit`).
 *
 * @example
 * ```ts
 * const query: DealListing = { pipelineId: 'new-cars', outcome: 'open', sort: 'amount', order: 'desc', limit: 20 };
 * await client.listDeals(query);
 * ```
 * @category HTTP
 */
export interface DealListing extends DealListQuery {
  readonly ownerId?: string | null;
  readonly outcome?: 'open' | 'won' | 'lost';
  /** 'YYYY-MM-DD', inclusive. */
  readonly closingFrom?: string;
  /** 'YYYY-MM-DD', inclusive. */
  readonly closingTo?: string;
  readonly amountMin?: number;
  readonly amountMax?: number;
  /** Case-insensitive "name contains". */
  readonly search?: string;
  readonly rotting?: boolean;
  /** The instant `rotting` is judged at (default the service clock). */
  readonly now?: number | string;
  readonly sort?: DealSort;
  readonly order?: 'asc' | 'desc';
}

/**
 * The keys a listing sorts by.
 *
 * @example
 * ```ts
 * const sort: DealSort = 'closingDate';
 * ```
 * @category HTTP
 */
export type DealSort = 'id' | 'name' | 'amount' | 'closingDate' | 'updatedAt' | 'stageEnteredAt';

/** The listing's parameter names, in the order a client writes them. */
export const DEAL_QUERY_PARAMS = [
  'layoutId', 'pipelineId', 'stageId', 'ownerId', 'outcome', 'closingFrom', 'closingTo', 'amountMin', 'amountMax',
  'search', 'rotting', 'now', 'sort', 'order', 'include', 'after', 'limit',
] as const;

const KNOWN = new Set<string>(DEAL_QUERY_PARAMS);
const SORTS: readonly DealSort[] = ['id', 'name', 'amount', 'closingDate', 'updatedAt', 'stageEnteredAt'];
const INCLUDES: readonly DealInclude[] = ['history', 'changes'];

/** The default page size of `GET /deals`. */
export const DEFAULT_LIMIT = 50;

/**
 * Reads `GET /deals?…` into a typed listing for `service.listDeals`. Empty `pipelineId=` or
 * `ownerId=` stand for null (deals without one); unknown parameters are refused.
 */
export function parseDealQuery(params: URLSearchParams): DealListing {
  checkParams(params, KNOWN, new Set(['include']));
  return defined({
    layoutId: textParam(params, 'layoutId'),
    pipelineId: textParam(params, 'pipelineId', true),
    stageId: textParam(params, 'stageId'),
    ownerId: textParam(params, 'ownerId', true),
    outcome: enumParam(params, 'outcome', ['open', 'won', 'lost'] as const),
    closingFrom: textParam(params, 'closingFrom'),
    closingTo: textParam(params, 'closingTo'),
    amountMin: numberParam(params, 'amountMin'),
    amountMax: numberParam(params, 'amountMax'),
    search: textParam(params, 'search'),
    rotting: booleanParam(params, 'rotting'),
    now: instantParam(params, 'now'),
    sort: enumParam(params, 'sort', SORTS),
    order: enumParam(params, 'order', ['asc', 'desc'] as const),
    include: listParam(params, 'include', INCLUDES),
    after: textParam(params, 'after', true),
    limit: integerParam(params, 'limit', 1, 1000) ?? DEFAULT_LIMIT,
  }) as DealListing;
}

/** Writes a listing as query parameters: the inverse of {@link parseDealQuery}. */
export function dealQueryParams(query: DealListing): URLSearchParams {
  const params = new URLSearchParams();
  const q = query as unknown as Record<string, unknown>;
  for (const name of DEAL_QUERY_PARAMS) {
    const value = q[name];
    if (value === undefined) continue;
    if (name === 'include' && Array.isArray(value)) params.set(name, value.join(','));
    else params.set(name, value === null ? '' : String(value));
  }
  return params;
}
