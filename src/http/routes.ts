import { isPipelineError, type BulkRequest, type DealCommandInput, type DealInput, type DesiredConfiguration, type PipelineService } from '../index.js';
import { readJsonBody } from './body.js';
import { parseDealQuery } from './dealQuery.js';
import { etagOf, versionFromIfMatch } from './etag.js';
import { checkParams, defined, booleanParam, instantParam, integerParam, listParam } from './params.js';
import { HttpError, jsonResponse, preconditionFailed } from './problems.js';
import { reportMethod, reportOptions } from './reports.js';

/**
 * The operation a route runs, as `authorize` sees it.
 *
 * @example
 * ```ts
 * const readOnly: HttpOperation[] = ['listDeals', 'getDeal', 'board', 'getWorkspace', 'report', 'health'];
 * ```
 * @category HTTP
 */
export type HttpOperation =
  | 'listDeals' | 'createDeal' | 'bulkUpdate' | 'getDeal' | 'dispatch' | 'board' | 'getWorkspace' | 'applyConfiguration' | 'report' | 'health';

/** What a route handler gets. */
export interface RouteContext {
  readonly request: Request;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly by: string | null;
  readonly maxBodyBytes: number;
  readonly requireIfMatch: boolean;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly operation: HttpOperation;
  readonly pattern: RegExp;
  handle(ctx: RouteContext): Promise<Response>;
}

const noParams = (url: URL) => checkParams(url.searchParams, new Set());
const body = (ctx: RouteContext) => readJsonBody(ctx.request, ctx.maxBodyBytes);

/** The API's routes (DESIGN section 6). Deal ids and pipeline ids are one path segment each, percent-encoded. */
export function routes(service: PipelineService): Route[] {
  return [
    { method: 'GET', operation: 'listDeals', pattern: /^\/deals$/, handle: async ({ url }) => jsonResponse(200, await service.listDeals(parseDealQuery(url.searchParams))) },
    {
      method: 'POST',
      operation: 'createDeal',
      pattern: /^\/deals$/,
      handle: async (ctx) => {
        noParams(ctx.url);
        const deal = await service.createDeal((await body(ctx)) as DealInput, { by: ctx.by });
        return jsonResponse(201, deal, { etag: etagOf(deal.version), location: `${ctx.url.pathname}/${encodeURIComponent(deal.id)}` });
      },
    },
    { method: 'POST', operation: 'bulkUpdate', pattern: /^\/deals\/bulk$/, handle: (ctx) => bulk(service, ctx) },
    {
      method: 'GET',
      operation: 'getDeal',
      pattern: /^\/deals\/(?<id>[^/]+)$/,
      handle: async ({ url, params }) => {
        noParams(url);
        const deal = await service.getDeal(params['id']!);
        if (!deal) throw new HttpError(404, 'Not found', 'not_found', `deal ${params['id']} does not exist`, { dealId: params['id'] });
        return jsonResponse(200, deal, { etag: etagOf(deal.version) });
      },
    },
    { method: 'POST', operation: 'dispatch', pattern: /^\/deals\/(?<id>[^/]+)\/commands$/, handle: (ctx) => dispatch(service, ctx) },
    {
      method: 'GET',
      operation: 'board',
      pattern: /^\/pipelines\/(?<id>[^/]+)\/board$/,
      handle: async ({ url, params }) => {
        const q = url.searchParams;
        checkParams(q, new Set(['perStage', 'now', 'include']), new Set(['include']));
        const options = defined({ perStage: integerParam(q, 'perStage', 0, 500), now: instantParam(q, 'now'), include: listParam(q, 'include', ['history', 'changes'] as const) });
        return jsonResponse(200, await service.board(params['id']!, options));
      },
    },
    {
      method: 'GET',
      operation: 'getWorkspace',
      pattern: /^\/workspace$/,
      handle: async ({ url }) => {
        noParams(url);
        const ws = await service.getWorkspace();
        return jsonResponse(200, ws, { etag: etagOf(ws.version) });
      },
    },
    {
      method: 'PUT',
      operation: 'applyConfiguration',
      pattern: /^\/configuration$/,
      handle: async (ctx) => {
        checkParams(ctx.url.searchParams, new Set(['dryRun']));
        const dryRun = booleanParam(ctx.url.searchParams, 'dryRun') ?? false;
        const result = await service.applyConfiguration((await body(ctx)) as DesiredConfiguration, { by: ctx.by, dryRun });
        return jsonResponse(200, { ...result, dryRun });
      },
    },
    {
      method: 'GET',
      operation: 'report',
      pattern: /^\/reports\/(?<name>[^/]+)$/,
      handle: async ({ url, params }) => {
        const run = reportMethod(service, params['name']!);
        return jsonResponse(200, await run(reportOptions(url.searchParams)));
      },
    },
    {
      method: 'GET',
      operation: 'health',
      pattern: /^\/health$/,
      handle: async ({ url }) => {
        noParams(url);
        // Reads the workspace: the store answers. The outbox is not asked (its backlog is not this API's health).
        const ws = await service.getWorkspace();
        return jsonResponse(200, { status: 'ok', workspaceVersion: ws.version }, { 'cache-control': 'no-store' });
      },
    },
  ];
}

async function dispatch(service: PipelineService, ctx: RouteContext): Promise<Response> {
  noParams(ctx.url);
  const expectedVersion = versionFromIfMatch(ctx.request.headers.get('if-match'));
  if (expectedVersion === undefined && ctx.requireIfMatch) {
    throw new HttpError(428, 'Precondition Required', 'invalid_input', 'headers.if-match: this API requires If-Match with the ETag of the deal read ("3")', {
      path: 'headers.if-match',
    });
  }
  const command = (await body(ctx)) as DealCommandInput;
  try {
    const deal = await service.dispatch(ctx.params['id']!, command, { by: ctx.by, ...(expectedVersion === undefined ? {} : { expectedVersion }) });
    return jsonResponse(200, deal, { etag: etagOf(deal.version) });
  } catch (e) {
    // The version the caller named is not the stored one: the precondition failed.
    if (expectedVersion !== undefined && isPipelineError(e, 'conflict') && e.details['expectedVersion'] === expectedVersion) throw preconditionFailed(e);
    throw e;
  }
}

async function bulk(service: PipelineService, ctx: RouteContext): Promise<Response> {
  noParams(ctx.url);
  const request = await body(ctx);
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new HttpError(400, 'Bad Request', 'invalid_input', 'body: expected a bulk request object', { path: 'body' });
  }
  const { all, by: _ignored, ...rest } = request as Record<string, unknown>;
  if (all !== undefined && typeof all !== 'boolean') throw new HttpError(400, 'Bad Request', 'invalid_input', 'body.all: expected true or false', { path: 'body.all' });
  if (matchesEverything(rest['query']) && all !== true) {
    throw new HttpError(400, 'Bad Request', 'invalid_input', 'body.query: a query without filters matches every deal; send "all": true to change them all', { path: 'body.all' });
  }
  // The request's signal: a client that goes away stops the update between chunks.
  const report = await service.bulkUpdate({ ...rest, by: ctx.by, signal: ctx.request.signal } as unknown as BulkRequest);
  return jsonResponse(200, report);
}

/** Whether a bulk query has no filter: an object whose every member is absent. */
export function matchesEverything(query: unknown): boolean {
  if (typeof query !== 'object' || query === null || Array.isArray(query)) return false;
  return Object.values(query).every((v) => v === undefined);
}
