import { HttpError } from './problems.js';

/** The default largest request body: 1 MB. */
export const DEFAULT_MAX_BODY_BYTES = 1_000_000;

/**
 * Reads a request body as JSON. Only `application/json` is accepted (415 otherwise: a form or
 * `text/plain` POST is what a cross-site page can send with the user's cookies without asking);
 * more than `maxBytes` is 413; junk is `invalid_input` naming the body. The body is read as a
 * stream and counted, so a lying or absent `Content-Length` does not matter.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get('content-type');
  const mediaType = type?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new HttpError(415, 'Unsupported Media Type', 'invalid_input', `headers.content-type: expected application/json, got ${type ?? 'none'}`, {
      path: 'headers.content-type',
    }, { accept: 'application/json' });
  }
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const text = await readText(request, maxBytes);
  if (text.trim() === '') throw new HttpError(400, 'Bad Request', 'invalid_input', 'body: expected a JSON document', { path: 'body' });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'Bad Request', 'invalid_input', 'body: not valid JSON', { path: 'body' });
  }
}

const tooLarge = (maxBytes: number) =>
  new HttpError(413, 'Content Too Large', 'limit_exceeded', `body: larger than ${maxBytes} bytes`, { path: 'body', maxBytes }, { connection: 'close' });

async function readText(request: Request, maxBytes: number): Promise<string> {
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      void reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(all);
  } catch {
    throw new HttpError(400, 'Bad Request', 'invalid_input', 'body: not UTF-8 text', { path: 'body' });
  }
}
