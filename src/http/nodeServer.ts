import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NODE_DEFAULTS, toNodeListener, type NodeListenerOptions } from './nodeListener.js';

/**
 * Options of {@link startHttpServer}: where to listen, and the bridge's limits.
 *
 * @example
 * ```ts
 * const options: StartHttpServerOptions = { port: 0, host: '127.0.0.1', headersTimeoutMs: 5_000 };
 * ```
 * @category HTTP
 */
export interface StartHttpServerOptions extends NodeListenerOptions {
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default '127.0.0.1'. */
  readonly host?: string;
}

/**
 * A running server of {@link startHttpServer}.
 *
 * @example
 * ```ts
 * const { url, close }: RunningHttpServer = await startHttpServer(handler);
 * ```
 * @category HTTP
 */
export interface RunningHttpServer {
  readonly server: Server;
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  /** Stops accepting connections, closes idle ones and resolves when the server is closed. */
  close(): Promise<void>;
}

/**
 * Starts a `node:http` server for a Fetch API handler through {@link toNodeListener}, with the
 * header timeout set on the server from the first connection on.
 *
 * @param handler - `(request: Request) => Promise<Response>`
 * @param options - `port`, `host` and the bridge's options
 * @returns the server, its URL and `close`
 * @example
 * ```ts
 * const { url, close } = await startHttpServer(createHttpHandler(service), { port: 0 });
 * await fetch(`${url}/health`);
 * await close();
 * ```
 * @category HTTP
 */
export async function startHttpServer(handler: (request: Request) => Promise<Response>, options: StartHttpServerOptions = {}): Promise<RunningHttpServer> {
  const { port = 0, host = '127.0.0.1', ...bridge } = options;
  const headersTimeout = bridge.headersTimeoutMs ?? NODE_DEFAULTS.headersTimeoutMs;
  // Node checks its timeouts every connectionsCheckingInterval: often enough for the header timeout.
  // Taken from the running Node rather than imported, so that a page bundling the client never meets node:http.
  const { createServer } = process.getBuiltinModule('node:http');
  const server = createServer({ headersTimeout, requestTimeout: 0, connectionsCheckingInterval: Math.max(10, Math.min(30_000, Math.floor(headersTimeout / 4))) }, toNodeListener(handler, bridge));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((e) => (e ? reject(e) : resolve()));
      server.closeIdleConnections();
    });
  return { server, url: `http://${shownHost}:${address.port}`, close };
}
