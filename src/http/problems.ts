import { PipelineError, type PipelineErrorCode } from '../errors.js';
import { toProblem, type Problem } from '../problem.js';

/**
 * An error about HTTP itself (a body too large, a method not allowed, a missing `If-Match`): a
 * `PipelineError` with the code clients switch on, answered with its own status and headers.
 */
export class HttpError extends PipelineError {
  constructor(
    readonly status: number,
    readonly title: string,
    code: PipelineErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message, details);
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** A JSON response. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_TYPE, ...headers } });
}

/**
 * Anything thrown, as an `application/problem+json` response: a `PipelineError` with the status
 * of its code (`toProblem`), an {@link HttpError} with its own, anything else a 500 that tells
 * nothing (`onError` hears about it).
 */
export function problemResponse(error: unknown, onError: (error: unknown) => void): Response {
  const base = toProblem(error);
  const problem: Problem = error instanceof HttpError ? { ...base, status: error.status, title: error.title } : base;
  if (problem.status >= 500) onError(error);
  const headers = error instanceof HttpError ? error.headers : {};
  return new Response(JSON.stringify(problem), { status: problem.status, headers: { 'content-type': PROBLEM_TYPE, ...headers } });
}

/** The answer to a stale `If-Match`: 412, still code `conflict` with the current version. */
export function preconditionFailed(error: PipelineError): HttpError {
  return new HttpError(412, 'Precondition Failed', 'conflict', error.message, { ...error.details });
}
