import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, toNodeListener } from '../../src/http.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dealerApi } from './server.js';
import { expectPipelineError } from '../helpers/expectError.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Writes `parts` to a raw connection (waiting `gapMs` between them) and resolves with all that came back when it closed. */
function rawExchange(url: string, parts: string[], gapMs = 0): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    socket.on('error', () => resolve(received));
    socket.on('close', () => resolve(received));
    socket.on('connect', async () => {
      for (const part of parts) {
        if (socket.destroyed) break;
        socket.write(part);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
    setTimeout(() => reject(new Error(`no close; received: ${received}`)), 8_000);
  });
}

describe('toNodeListener', () => {
  it('closes a connection whose headers do not arrive within the header timeout', async () => {
    const api = await dealerApi({}, { headersTimeoutMs: 300 });
    closers.push(api.close);
    const started = Date.now();
    const answer = await rawExchange(api.base, ['GET /health HTTP/1.1\r\n', 'Host: x\r\n'], 1_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers 408 when the body does not arrive within the body timeout', async () => {
    const api = await dealerApi({}, { bodyTimeoutMs: 200 });
    closers.push(api.close);
    const head = 'POST /deals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":';
    const answer = await rawExchange(api.base, [head]);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('"path":"body"');
    expect(await api.service.getDeal('x')).toBeNull();
  });

  it('answers 413 to a chunked body without Content-Length once it passes the limit, without reading the rest', async () => {
    const api = await dealerApi({}, { maxBodyBytes: 1_000 });
    closers.push(api.close);
    const chunk = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n`;
    const head = 'POST /deals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const answer = await rawExchange(api.base, [head, chunk(`{"id":"big","layoutId":"sales","name":"${'x'.repeat(600)}`), chunk('x'.repeat(600)), chunk('x'.repeat(600))], 50);
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer.toLowerCase()).toContain('connection: close');
  });

  it('aborts the request signal when the client goes away', async () => {
    let seen: AbortSignal | null = null;
    let arrived = () => {};
    const reached = new Promise<void>((r) => (arrived = r));
    const handler = async (request: Request) => {
      seen = request.signal;
      arrived();
      await new Promise((r) => request.signal.addEventListener('abort', r));
      return new Response('late');
    };
    const server = createServer(toNodeListener(handler));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await reached;
    socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(seen!.aborted).toBe(true);
  });

  it('answers 500 without details when the handler throws, and tells onError', async () => {
    const errors: unknown[] = [];
    const running = await startHttpServer(async () => {
      throw new TypeError('boom');
    }, { onError: (e) => errors.push(e) });
    closers.push(running.close);
    const res = await fetch(`${running.url}/x`);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: 'internal_error', detail: 'An unexpected error occurred.' });
    expect(errors).toHaveLength(1);
  });
});

describe('toNodeListener (arguments)', () => {
  it('refuses a handler that is not a function, or options that are not an object, naming the argument', async () => {
    const handler = async () => new Response(null);
    for (const [args, path] of [[[null], 'handler'], [[{}], 'handler'], [[handler, 7], 'options']] as const) {
      expect(expectPipelineError(() => (toNodeListener as (...a: unknown[]) => unknown)(...args), 'invalid_input').details.path).toBe(path);
    }
  });
});
