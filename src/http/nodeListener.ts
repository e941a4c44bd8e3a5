import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { DEFAULT_MAX_BODY_BYTES } from './body.js';
import { PipelineError } from '../errors.js';
import { HttpError, problemResponse } from './problems.js';

/**
 * Options of {@link toNodeListener}.
 *
 * @example
 * ```ts
 * const options: NodeListenerOptions = { headersTimeoutMs: 5_000, bodyTimeoutMs: 10_000, maxBodyBytes: 256_000 };
 * ```
 * @category HTTP
 */
export interface NodeListenerOptions {
  /**
   * How long a client may take to send a request's headers (default 10 s): the `headersTimeout`
   * of the server the listener runs in, lowered to it when the first request arrives (give
   * `createServer` the same to cover the first connection; {@link startHttpServer} does).
   */
  readonly headersTimeoutMs?: number;
  /** How long a client may take to send a request's body once the headers are in (default 30 s); later is 408. */
  readonly bodyTimeoutMs?: number;
  /** The largest body read (default 1 MB); more is 413 and the rest is not read. */
  readonly maxBodyBytes?: number;
  /** Told about errors that are not `PipelineError`s (answered 500 without details). Default `console.error`. */
  readonly onError?: (error: unknown) => void;
}

/** The defaults of {@link NodeListenerOptions}. */
export const NODE_DEFAULTS = { headersTimeoutMs: 10_000, bodyTimeoutMs: 30_000 } as const;

/**
 * Runs a Fetch API handler (`createHttpHandler`) under `node:http`: the request becomes a
 * `Request` whose body streams from the socket (counted against `maxBodyBytes`, cut off after
 * `bodyTimeoutMs`), whose `signal` aborts when the client goes away, and the `Response` is
 * written back.
 *
 * @param handler - `(request: Request) => Promise<Response>`
 * @param options - `headersTimeoutMs`, `bodyTimeoutMs`, `maxBodyBytes`, `onError`
 * @returns a `node:http` request listener; a `handler` that is not a function, or `options` that
 *   are not an object, throw `PipelineError` `invalid_input` naming the argument
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer({ headersTimeout: 10_000 }, toNodeListener(createHttpHandler(service))).listen(3000);
 * ```
 * @category HTTP
 */
export function toNodeListener(handler: (request: Request) => Promise<Response>, options: NodeListenerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  // A listener over no handler would answer every request with a 500: refuse it where it is made.
  if (typeof handler !== 'function') throw new PipelineError('invalid_input', 'handler: expected a request handler (createHttpHandler)', { path: 'handler' });
  if (typeof options !== 'object' || options === null) throw new PipelineError('invalid_input', 'options: expected an object', { path: 'options' });
  const headersTimeoutMs = options.headersTimeoutMs ?? NODE_DEFAULTS.headersTimeoutMs;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? NODE_DEFAULTS.bodyTimeoutMs;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const onError = options.onError ?? ((e: unknown) => console.error(e));
  const configured = new WeakSet<object>();
  return (req, res) => {
    const server = (req.socket as { server?: Server }).server;
    if (server && !configured.has(server)) {
      configured.add(server);
      if (!(server.headersTimeout > 0 && server.headersTimeout <= headersTimeoutMs)) server.headersTimeout = headersTimeoutMs;
    }
    const aborted = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    const respond = async () => {
      const request = toRequest(req, res, aborted.signal, maxBodyBytes, bodyTimeoutMs);
      const response = await handler(request);
      await writeResponse(res, response);
    };
    respond().catch(async (error: unknown) => {
      if (res.headersSent) return void res.destroy();
      await writeResponse(res, problemResponse(error, onError)).catch(() => res.destroy());
    });
  };
}

function toRequest(req: IncomingMessage, res: ServerResponse, signal: AbortSignal, maxBodyBytes: number, bodyTimeoutMs: number): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const host = headers.get('host') ?? 'localhost';
  const url = new URL(req.url ?? '/', `http://${host}`);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (hasBody) {
    init.body = bodyStream(req, res, maxBodyBytes, bodyTimeoutMs);
    init.duplex = 'half';
  }
  return new Request(url, init);
}

/** The request body as a stream: more than `maxBytes` or slower than `timeoutMs` errors it (413, 408) and stops reading. */
function bodyStream(req: IncomingMessage, res: ServerResponse, maxBytes: number, timeoutMs: number): ReadableStream<Uint8Array> {
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const stop = (error: HttpError) => {
        clearTimeout(timer);
        req.pause();
        req.removeAllListeners('data');
        controller.error(error);
      };
      timer = setTimeout(
        () => stop(new HttpError(408, 'Request Timeout', 'invalid_input', `body: not received within ${timeoutMs} ms`, { path: 'body', timeoutMs }, { connection: 'close' })),
        timeoutMs,
      );
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          stop(new HttpError(413, 'Content Too Large', 'limit_exceeded', `body: larger than ${maxBytes} bytes`, { path: 'body', maxBytes }, { connection: 'close' }));
          return;
        }
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      });
      req.once('end', () => {
        clearTimeout(timer);
        try {
          controller.close();
        } catch {
          // already errored
        }
      });
      // Answered (perhaps without reading the body) or gone: no timer is left behind.
      res.once('close', () => clearTimeout(timer));
    },
    cancel() {
      clearTimeout(timer);
      req.pause();
    },
  });
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers['content-length'] = String(body.length);
  // A body cut off (413, 408) is not read to its end: its `connection: close` closes the socket after the answer.
  res.writeHead(response.status, headers);
  res.end(body);
}
