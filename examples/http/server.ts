// A small HTTP API over the pipeline service, on node:http: deal listings with cursor paging, a
// kanban board, creating deals, commands with If-Match, bulk updates and declarative
// configuration. Every error is an RFC 9457 problem (toProblem). Run it with
// `npx tsx examples/http/main.ts` (see the README).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  PipelineError,
  type DealCommandInput,
  type DealInput,
  type DesiredConfiguration,
  type PipelineService,
} from '../../src/index.js';
import { etagOf, HttpProblem, readJson, sendJson, sendProblem, versionFromIfMatch } from './http.js';

/** Options of {@link createHandler}. */
export interface HandlerOptions {
  /** Who is acting, from the request (default: the `x-user` header; a real host takes it from its session). */
  readonly userOf?: (req: IncomingMessage) => string | null;
  /** Told about errors that are not PipelineErrors (answered 500 without details). Default: console.error. */
  readonly onError?: (error: unknown) => void;
}

type Params = Record<string, string>;
type Handler = (req: IncomingMessage, url: URL, params: Params, by: string | null) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;
interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handle: Handler;
}

const text = (url: URL, name: string): string | undefined => url.searchParams.get(name) ?? undefined;

function integer(url: URL, name: string, fallback: number): number {
  const value = url.searchParams.get(name);
  if (value === null) return fallback;
  if (!/^\d{1,9}$/.test(value)) throw new PipelineError('invalid_input', `query.${name}: expected a whole number`, { path: `query.${name}` });
  return Number(value);
}

function decodePathSegment(segment: string, name: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new PipelineError('invalid_input', `path.${name}: not a valid percent-encoded segment`, { path: `path.${name}` });
  }
}

function routes(service: PipelineService): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/deals$/,
      handle: async (_req, url) => {
        const query = {
          limit: integer(url, 'limit', 50),
          ...(text(url, 'layoutId') === undefined ? {} : { layoutId: text(url, 'layoutId')! }),
          ...(text(url, 'pipelineId') === undefined ? {} : { pipelineId: text(url, 'pipelineId')! }),
          ...(text(url, 'stageId') === undefined ? {} : { stageId: text(url, 'stageId')! }),
          ...(text(url, 'after') === undefined ? {} : { after: text(url, 'after')! }),
        };
        return { status: 200, body: await service.listDeals(query) };
      },
    },
    {
      method: 'POST',
      pattern: /^\/deals$/,
      handle: async (req, _url, _p, by) => {
        const deal = await service.createDeal((await readJson(req)) as DealInput, { by });
        return { status: 201, body: deal, headers: { etag: etagOf(deal.version), location: `/deals/${encodeURIComponent(deal.id)}` } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/deals\/bulk$/,
      handle: async (req, _url, _p, by) => {
        const request = await readJson(req);
        if (typeof request !== 'object' || request === null || Array.isArray(request)) {
          throw new PipelineError('invalid_input', 'body: expected a bulk request object', { path: 'body' });
        }
        return { status: 200, body: await service.bulkUpdate({ ...(request as object), by } as never) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/deals\/(?<id>[^/]+)$/,
      handle: async (_req, _url, { id }) => {
        const deal = await service.getDeal(id!);
        if (!deal) throw new PipelineError('not_found', `deal ${id} does not exist`, { dealId: id });
        return { status: 200, body: deal, headers: { etag: etagOf(deal.version) } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/deals\/(?<id>[^/]+)\/commands$/,
      handle: async (req, _url, { id }, by) => {
        const expectedVersion = versionFromIfMatch(req.headers['if-match']);
        const command = (await readJson(req)) as DealCommandInput;
        const deal = await service.dispatch(id!, command, { by, ...(expectedVersion === undefined ? {} : { expectedVersion }) });
        return { status: 200, body: deal, headers: { etag: etagOf(deal.version) } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/pipelines\/(?<id>[^/]+)\/board$/,
      handle: async (_req, url, { id }) => {
        const now = text(url, 'now');
        return { status: 200, body: await service.board(id!, { perStage: integer(url, 'perStage', 20), ...(now === undefined ? {} : { now }) }) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/workspace$/,
      handle: async () => {
        const ws = await service.getWorkspace();
        return { status: 200, body: ws, headers: { etag: etagOf(ws.version) } };
      },
    },
    {
      method: 'PUT',
      pattern: /^\/configuration$/,
      handle: async (req, url, _p, by) => {
        const dryRun = url.searchParams.get('dryRun') === 'true';
        const result = await service.applyConfiguration((await readJson(req)) as DesiredConfiguration, { by, dryRun });
        return { status: 200, body: { ...result, dryRun } };
      },
    },
  ];
}

/**
 * A request handler for node:http over `service`.
 *
 * @example
 * ```ts
 * createServer(createHandler(createPipelineService(createMemoryRepositories()))).listen(3000);
 * ```
 */
export function createHandler(service: PipelineService, options: HandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const table = routes(service);
  const userOf = options.userOf ?? ((req) => (typeof req.headers['x-user'] === 'string' && req.headers['x-user'] !== '' ? req.headers['x-user'] : null));
  const onError = options.onError ?? ((e) => console.error(e));
  return (req, res) => {
    const respond = async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const matching = table.filter((r) => r.pattern.test(url.pathname));
      const route = matching.find((r) => r.method === req.method);
      if (!route) {
        if (matching.length === 0) throw new PipelineError('not_found', `no route for ${req.method} ${url.pathname}`, { path: url.pathname });
        throw new HttpProblem(405, 'Method Not Allowed', `${req.method} is not allowed on ${url.pathname}`, { allow: matching.map((r) => r.method).join(', ') });
      }
      const groups = route.pattern.exec(url.pathname)?.groups ?? {};
      const params = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, decodePathSegment(v, k)]));
      const { status, body, headers } = await route.handle(req, url, params, userOf(req));
      sendJson(res, status, body, headers);
    };
    respond().catch((error: unknown) => {
      const problem = sendProblem(res, error);
      if (problem.status === 500) onError(error);
    });
  };
}

/**
 * Starts the server on `host` and `port` (0: any free port); `close` stops it.
 *
 * @example
 * ```ts
 * const { url, close } = await startServer(service, { port: 0 });
 * await fetch(`${url}/deals?limit=10`);
 * await close();
 * ```
 */
export async function startServer(
  service: PipelineService,
  { host = '127.0.0.1', port = 3000, ...options }: HandlerOptions & { host?: string; port?: number } = {},
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer(createHandler(service, options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const close = () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  return { server, url: `http://${host}:${address.port}`, close };
}
