import { configurationOf, createMemoryRepositories, createPipelineService, planConfiguration, type PipelineService, type PipelineServiceOptions } from '../../src/index.js';
import { createHttpHandler, startHttpServer, type HttpHandlerOptions, type StartHttpServerOptions } from '../../src/http.js';
import { dealerWorkspace } from '../../examples/dealership.js';

/** The dealer's service behind the shipped handler, on 127.0.0.1 at a free port. */
export async function dealerApi(handler: HttpHandlerOptions = {}, bridge: StartHttpServerOptions = {}, service: Partial<PipelineServiceOptions> = {}) {
  const unexpected: unknown[] = [];
  const svc: PipelineService = createPipelineService({ ...createMemoryRepositories(), ...service });
  for (const command of planConfiguration(await svc.getWorkspace(), configurationOf(dealerWorkspace()))) await svc.configure(command, { by: 'admin' });
  const authorize = handler.authorize ?? (({ request }) => request.headers.get('x-user'));
  const onError = (e: unknown) => unexpected.push(e);
  const running = await startHttpServer(createHttpHandler(svc, { ...handler, authorize, onError }), { onError, ...bridge });
  return { service: svc, base: running.url, close: running.close, server: running.server, unexpected };
}

// Response bodies are JSON documents whose shape each test checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const read = async (res: Response): Promise<any> => res.json();

export const json = (body: unknown, headers: Record<string, string> = {}, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', 'x-user': 'ann', ...headers },
  body: JSON.stringify(body),
});
