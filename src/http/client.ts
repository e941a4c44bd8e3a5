import type {
  Board, BoardOptions, BulkProgress, BulkReport, BulkRequest, Deal, DealCommandInput, DealInput, DealPage, DesiredConfiguration,
  PipelineService, Workspace, WorkspaceCommand,
} from '../index.js';
import { errorFromResponse, unreachable } from './clientErrors.js';
import { PipelineError } from '../errors.js';
import { dealQueryParams, type DealListing } from './dealQuery.js';
import { etagOf } from './etag.js';
import { reportParams, type ReportName } from './reports.js';

/**
 * Options of {@link createHttpClient}.
 *
 * @example
 * ```ts
 * const options: HttpClientOptions = { headers: { authorization: `Bearer ${token}` } };
 * ```
 * @category HTTP
 */
export interface HttpClientOptions {
  /** The fetch to use (default the global one): a test double, or one that adds credentials. */
  readonly fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Headers sent with every request (credentials, a user id). */
  readonly headers?: Readonly<Record<string, string>>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A bulk update as the client sends it: the service's request without `by` (the server says who
 * acts), with `all: true` to confirm a query without filters. With `dealIds` in `bestEffort`
 * mode the client sends `chunkSize` ids per request (default 100), telling `onProgress` after
 * each and stopping between requests once `signal` is aborted (`cancelled: true`).
 *
 * @example
 * ```ts
 * const request: HttpBulkRequest = { dealIds: ['d1', 'd2'], change: { type: 'moveToStage', stageId: 'quote' }, mode: 'bestEffort', chunkSize: 1 };
 * ```
 * @category HTTP
 */
export type HttpBulkRequest = DistributiveOmit<BulkRequest, 'by'> & { readonly all?: boolean };

/**
 * The options of report `N`: the service method's, or an object for a report this service type
 * does not declare yet.
 *
 * @example
 * ```ts
 * const options: ReportOptions<'dwellStats'> = { pipelineId: 'new-cars', includeOpen: true };
 * ```
 * @category HTTP
 */
export type ReportOptions<N extends ReportName> = N extends keyof PipelineService
  ? PipelineService[N] extends (options?: infer O) => Promise<unknown> ? O : Record<string, unknown>
  : Record<string, unknown>;

/**
 * What report `N` returns: the service method's result, or `unknown`.
 *
 * @example
 * ```ts
 * const rows: ReportResult<'dwellStats'> = await client.report('dwellStats', { includeOpen: true });
 * ```
 * @category HTTP
 */
export type ReportResult<N extends ReportName> = N extends keyof PipelineService
  ? PipelineService[N] extends (...args: never[]) => Promise<infer R> ? R : unknown
  : unknown;

/**
 * The HTTP API as typed calls: the service's deal, board, listing, bulk, configuration and
 * report operations. Errors are `PipelineError`s rebuilt from problem details (same `code`,
 * `detail` as the message, the extension members as `details` with the HTTP `status`).
 *
 * @example
 * ```ts
 * const deal = await client.getDeal('d1');
 * await client.dispatch('d1', { type: 'moveToStage', stageId: 'quote' }, { expectedVersion: deal!.version });
 * ```
 * @category HTTP
 */
export interface HttpClient {
  /** `GET /deals`: one page of a listing. */
  listDeals(query: DealListing): Promise<DealPage>;
  /** `GET /deals/:id`: the deal, or null when there is none. */
  getDeal(id: string): Promise<Deal | null>;
  /** `POST /deals`. */
  createDeal(input: DealInput): Promise<Deal>;
  /** `POST /deals/:id/commands`, with `If-Match` when `expectedVersion` is given (a stale one is `conflict`, status 412). */
  dispatch(dealId: string, command: DealCommandInput, options?: { readonly expectedVersion?: number }): Promise<Deal>;
  /** `POST /deals/bulk`, in requests of `chunkSize` ids (see {@link HttpBulkRequest}). */
  bulkUpdate(request: HttpBulkRequest): Promise<BulkReport>;
  /** `GET /pipelines/:id/board`. */
  board(pipelineId: string, options?: BoardOptions): Promise<Board>;
  /** `GET /workspace`. */
  getWorkspace(): Promise<Workspace>;
  /** `PUT /configuration`: plans with `dryRun`, else applies. */
  applyConfiguration(desired: DesiredConfiguration, options?: { readonly dryRun?: boolean }): Promise<{ commands: WorkspaceCommand[]; dryRun: boolean }>;
  /** `GET /reports/:name`: a report over the stored deals. */
  report<N extends ReportName>(name: N, options?: ReportOptions<N>): Promise<ReportResult<N>>;
  /** `GET /health`. */
  health(): Promise<{ status: 'ok'; workspaceVersion: number }>;
}

/** Ids per request of a chunked bulk update. */
const DEFAULT_CHUNK = 100;

/**
 * A typed client of the HTTP API of `createHttpHandler`, on `fetch` (browsers, Node ≥ 20, any
 * Fetch runtime).
 *
 * @param baseUrl - where the API is mounted (`https://crm.example.com/api`, or `/api` in a page)
 * @param options - `fetch`, `headers`
 * @returns the client; a `baseUrl` that is not a non-empty string or URL, or malformed `options`,
 *   throw `PipelineError` `invalid_input` naming the argument
 * @example
 * ```ts
 * const client = createHttpClient('http://127.0.0.1:3000', { headers: { 'x-user': 'ann' } });
 * const { deals } = await client.listDeals({ pipelineId: 'new-cars', limit: 20 });
 * ```
 * @category HTTP
 */
export function createHttpClient(baseUrl: string | URL, options: HttpClientOptions = {}): HttpClient {
  checkClientArguments(baseUrl, options);
  const root = String(baseUrl).replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  const call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, missing?: T): Promise<T> => {
    const url = `${root}${path}`;
    const init: RequestInit = { method, headers: { accept: 'application/json', ...options.headers, ...headers } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await doFetch(url, init);
    } catch (e) {
      throw unreachable(url, e);
    }
    if (response.status === 404 && missing !== undefined) return missing;
    if (!response.ok) throw await errorFromResponse(response);
    return (await response.json()) as T;
  };
  const seg = (id: string) => encodeURIComponent(id);
  const qs = (params: URLSearchParams) => (params.size === 0 ? '' : `?${params}`);
  return {
    listDeals: (query) => call('GET', `/deals${qs(dealQueryParams(query))}`),
    getDeal: (id) => call<Deal | null>('GET', `/deals/${seg(id)}`, undefined, {}, null),
    createDeal: (input) => call('POST', '/deals', input),
    dispatch: (dealId, command, o) =>
      call('POST', `/deals/${seg(dealId)}/commands`, command, o?.expectedVersion === undefined ? {} : { 'if-match': etagOf(o.expectedVersion) }),
    bulkUpdate: (request) => bulkUpdate((body) => call('POST', '/deals/bulk', body), request),
    board: (pipelineId, o = {}) => {
      const params = new URLSearchParams();
      if (o.perStage !== undefined) params.set('perStage', String(o.perStage));
      if (o.now !== undefined) params.set('now', o.now instanceof Date ? o.now.toISOString() : String(o.now));
      if (o.include !== undefined) params.set('include', o.include.join(','));
      return call('GET', `/pipelines/${seg(pipelineId)}/board${qs(params)}`);
    },
    getWorkspace: () => call('GET', '/workspace'),
    applyConfiguration: (desired, o) => call('PUT', `/configuration${o?.dryRun ? '?dryRun=true' : ''}`, desired),
    report: (name, o) => call('GET', `/reports/${seg(name)}${qs(reportParams(o as object | undefined))}`),
    health: () => call('GET', '/health'),
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A bulk update in requests: by `chunkSize` ids in `bestEffort` mode, else one request. */
async function bulkUpdate(post: (body: unknown) => Promise<BulkReport>, request: HttpBulkRequest): Promise<BulkReport> {
  const { onProgress, signal, chunkSize, ...rest } = request as HttpBulkRequest & { dealIds?: readonly string[]; expectedVersions?: Readonly<Record<string, number>> };
  const report: Mutable<BulkReport> = { updated: [], rejected: [], unchanged: [] };
  if (signal?.aborted) return { ...report, cancelled: true };
  const ids = rest.dealIds;
  if (!ids || rest.mode !== 'bestEffort') {
    const one = await post(chunkSize === undefined ? rest : { ...rest, chunkSize });
    onProgress?.({ done: one.updated.length + one.rejected.length + one.unchanged.length, total: ids?.length ?? null });
    return one;
  }
  const size = chunkSize ?? DEFAULT_CHUNK;
  for (let i = 0; i < ids.length; i += size) {
    // Between requests: what the server committed stays, the rest is not sent.
    if (i > 0 && signal?.aborted) return { ...report, cancelled: true };
    const slice = ids.slice(i, i + size);
    const versions = rest.expectedVersions ? Object.fromEntries(slice.filter((id) => Object.hasOwn(rest.expectedVersions!, id)).map((id) => [id, rest.expectedVersions![id]!])) : undefined;
    const part = await post({ ...rest, dealIds: slice, ...(versions ? { expectedVersions: versions } : {}) });
    report.updated.push(...part.updated);
    report.rejected.push(...part.rejected);
    report.unchanged.push(...part.unchanged);
    const progress: BulkProgress = { done: report.updated.length + report.rejected.length + report.unchanged.length, total: ids.length };
    onProgress?.(progress);
  }
  return report;
}

/** A client over no URL would fail on every call with a TypeError: refuse it where it is made. */
function checkClientArguments(baseUrl: unknown, options: unknown): void {
  const bad = (path: string, what: string): never => {
    throw new PipelineError('invalid_input', `${path}: expected ${what}`, { path });
  };
  if (!(baseUrl instanceof URL) && (typeof baseUrl !== 'string' || baseUrl.trim() === '')) bad('baseUrl', 'the API\'s URL (a non-empty string or a URL)');
  if (typeof options !== 'object' || options === null) bad('options', 'an object');
  const { fetch, headers } = options as Record<string, unknown>;
  if (fetch !== undefined && typeof fetch !== 'function') bad('options.fetch', 'a fetch function');
  if (headers !== undefined && (typeof headers !== 'object' || headers === null)) bad('options.headers', 'an object of header names and values');
}
