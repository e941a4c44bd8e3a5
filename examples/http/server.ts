// The HTTP API of the car dealer: the shipped handler (sales-pipelines/http) over a pipeline
// service, on node:http. Who acts comes from the `x-user` header here; a real host takes it from
// its session or token in `authorize`. Run it with `npx tsx examples/http/main.ts`.
import type { PipelineService } from 'sales-pipelines';
import { createHttpHandler, startHttpServer, type RunningHttpServer } from 'sales-pipelines/http';

/**
 * Starts the API over `service` on `host` and `port` (0: any free port).
 *
 * @example
 * ```ts
 * const { url, close } = await startServer(service, { port: 0 });
 * await fetch(`${url}/deals?limit=10`);
 * await close();
 * ```
 */
export function startServer(
  service: PipelineService,
  { host = '127.0.0.1', port = 3000, onError }: { host?: string; port?: number; onError?: (error: unknown) => void } = {},
): Promise<RunningHttpServer> {
  const handler = createHttpHandler(service, {
    authorize: ({ request }) => request.headers.get('x-user'),
    ...(onError ? { onError } : {}),
  });
  return startHttpServer(handler, { host, port, ...(onError ? { onError } : {}) });
}
