import type { DealInclude, DealListQuery } from '../index.js';
import { DEAL_SORTS } from '../ports/dealQuery.js';
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
export interface DealListing extends Omit<DealListQuery, 'now'> {
  /** The instant `rotting` is judged at (default the service clock): epoch ms or an ISO string, as a URL carries it. */
  readonly now?: number | string;
}

/** The listing's parameter names, in the order a client writes them. */
export const DEAL_QUERY_PARAMS = [
  'layoutId', 'pipelineId', 'stageId', 'ownerId', 'outcome', 'closingFrom', 'closingTo', 'amountMin', 'amountMax',
  'search', 'rotting', 'now', 'sort', 'order', 'include', 'after', 'limit',
] as const;

const KNOWN = new Set<string>(DEAL_QUERY_PARAMS);
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
    sort: enumParam(params, 'sort', DEAL_SORTS),
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
