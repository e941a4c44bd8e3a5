import type { PipelineService } from '../index.js';
import { PipelineError } from '../errors.js';
import { DEFAULT_MAX_BODY_BYTES } from './body.js';
import { HttpError, problemResponse } from './problems.js';
import { routes, type HttpOperation, type Route } from './routes.js';

/**
 * What `authorize` of {@link createHttpHandler} is asked about each request: the request and the
 * operation it routes to (with its path parameters).
 *
 * @example
 * ```ts
 * const authorize = ({ request, operation }: HttpAuthorizationRequest) =>
 *   operation === 'health' ? null : request.headers.get('x-user') ?? false;
 * ```
 * @category HTTP
 */
export interface HttpAuthorizationRequest {
  readonly request: Request;
  readonly operation: HttpOperation;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Options of {@link createHttpHandler}.
 *
 * @example
 * ```ts
 * const options: HttpHandlerOptions = { authorize: ({ request }) => request.headers.get('x-user'), maxBodyBytes: 256_000, requireIfMatch: true };
 * ```
 * @category HTTP
 */
export interface HttpHandlerOptions {
  /**
   * Who is acting: the actor id (the service's `by`), null for anonymous, `false` to refuse
   * (403), or a `Response` to answer with (a 401 with `WWW-Authenticate`, say). Default:
   * everyone anonymous. Row-level rules belong in the service's `authorize`, which sees the
   * deal inside the write.
   */
  readonly authorize?: (request: HttpAuthorizationRequest) => string | null | false | Response | Promise<string | null | false | Response>;
  /** The largest request body in bytes (default 1 MB); a larger one is answered 413. */
  readonly maxBodyBytes?: number;
  /** Commands on a deal must carry `If-Match` with its ETag; without one they are answered 428. Default false. */
  readonly requireIfMatch?: boolean;
  /** A path prefix the API is mounted under (`/api`); requests outside it are 404. Default none. */
  readonly basePath?: string;
  /** Told about errors that are not `PipelineError`s (answered 500 without details). Default `console.error`. */
  readonly onError?: (error: unknown) => void;
}

/**
 * The HTTP API over a {@link PipelineService}, on the Fetch API: a function from `Request` to
 * `Response`, for Node (through {@link toNodeListener}), Deno, Bun, workers or a framework's
 * route. Routes: `GET /deals?<listing>`, `POST /deals`, `GET /deals/:id` (ETag = version),
 * `POST /deals/:id/commands` (`If-Match`; stale → 412), `POST /deals/bulk` (a query without
 * filters needs `"all": true`), `GET /pipelines/:id/board`, `GET /workspace`,
 * `PUT /configuration[?dryRun=true]`, `GET /reports/:name?<options>`, `GET /health`. Bodies are
 * `application/json` only (415 otherwise); every error is an RFC 9457 problem (`toProblem`);
 * a wrong method is 405 with `Allow`.
 *
 * @param service - the pipeline service
 * @param options - `authorize`, `maxBodyBytes`, `requireIfMatch`, `basePath`, `onError`
 * @returns the handler
 * @example
 * ```ts
 * const handler = createHttpHandler(service, { authorize: ({ request }) => request.headers.get('x-user') });
 * const res = await handler(new Request('http://localhost/deals?pipelineId=new-cars&limit=20'));
 * (await res.json()).deals.length; // up to 20
 * ```
 * @category HTTP
 */
export function createHttpHandler(service: PipelineService, options: HttpHandlerOptions = {}): (request: Request) => Promise<Response> {
  // A handler over no service would answer every request with a 500: refuse it where it is made.
  if (typeof service !== 'object' || service === null || typeof (service as { getDeal?: unknown }).getDeal !== 'function') {
    throw new PipelineError('invalid_input', 'service: expected a PipelineService (createPipelineService)', { path: 'service' });
  }
  if (typeof options !== 'object' || options === null) throw new PipelineError('invalid_input', 'options: expected an object', { path: 'options' });
  const table = routes(service);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const requireIfMatch = options.requireIfMatch === true;
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const onError = options.onError ?? ((e: unknown) => console.error(e));
  return async (request) => {
    try {
      const url = new URL(request.url);
      const path = url.pathname.startsWith(`${basePath}/`) ? url.pathname.slice(basePath.length) : null;
      const { route, params } = match(table, request.method, path ?? '', url.pathname);
      const who = options.authorize ? await options.authorize({ request, operation: route.operation, params }) : null;
      if (who instanceof Response) return who;
      if (who === false) throw new HttpError(403, 'Forbidden', 'forbidden', `${route.operation} is not allowed`, { operation: route.operation });
      return await route.handle({ request, url, params, by: who, maxBodyBytes, requireIfMatch });
    } catch (error) {
      return problemResponse(error, onError);
    }
  };
}

function match(table: readonly Route[], method: string, path: string, shown: string): { route: Route; params: Record<string, string> } {
  const matching = table.filter((r) => r.pattern.test(path));
  const route = matching.find((r) => r.method === method);
  if (!route) {
    if (matching.length === 0) throw new HttpError(404, 'Not found', 'not_found', `no route for ${method} ${shown}`, { path: shown });
    const allow = [...new Set(matching.map((r) => r.method))].join(', ');
    throw new HttpError(405, 'Method Not Allowed', 'invalid_input', `method: ${method} is not allowed on ${shown} (allowed: ${allow})`, { path: 'method', allow }, { allow });
  }
  const groups = route.pattern.exec(path)?.groups ?? {};
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(groups)) params[name] = decodeSegment(value, name);
  return { route, params };
}

function decodeSegment(segment: string, name: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'Bad Request', 'invalid_input', `path.${name}: not a valid percent-encoded segment`, { path: `path.${name}` });
  }
}
