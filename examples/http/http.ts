// HTTP plumbing for the example server: JSON bodies, problem responses, ETags. Nothing here knows
// about pipelines.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PipelineError, toProblem, type Problem } from '../../src/index.js';

/** The largest request body read (1 MB); a larger one is answered 413. */
export const MAX_BODY_BYTES = 1_000_000;

/** A problem that is about HTTP itself (a body too large, a method not allowed), not the library. */
export class HttpProblem extends Error {
  constructor(readonly status: number, readonly title: string, detail: string, readonly headers: Record<string, string> = {}) {
    super(detail);
  }
}

/** Reads the body as JSON: junk is `invalid_input` (400), too much is 413. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // The rest of the body is not read: the connection closes after the answer.
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, 'Content Too Large', `the body is larger than ${MAX_BODY_BYTES} bytes`, { connection: 'close' });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new PipelineError('invalid_input', 'body: expected a JSON document', { path: 'body' });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PipelineError('invalid_input', 'body: not valid JSON', { path: 'body' });
  }
}

/**
 * The version an `If-Match` header names: `"3"`, `W/"3"` or `3`. Absent or `*` is no condition.
 * Several tags, or a tag that is not a version, is `invalid_input`.
 */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!match) throw new PipelineError('invalid_input', 'If-Match: expected one entity tag, the version of the deal ("3")', { path: 'headers.if-match' });
  return Number(match[1]);
}

/** The ETag of a version. */
export const etagOf = (version: number): string => `"${version}"`;

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends anything thrown as `application/problem+json`: a PipelineError with its status, the rest as 500. */
export function sendProblem(res: ServerResponse, error: unknown): Problem {
  const problem: Problem =
    error instanceof HttpProblem
      ? { type: 'about:blank', title: error.title, status: error.status, detail: error.message, code: 'http' }
      : toProblem(error);
  const text = JSON.stringify(problem);
  const headers = error instanceof HttpProblem ? error.headers : {};
  if (!res.headersSent) {
    res.writeHead(problem.status, { 'content-type': 'application/problem+json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  }
  res.end(text);
  return problem;
}
