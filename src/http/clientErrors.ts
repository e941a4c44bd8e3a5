import { ERROR_CODES, PipelineError, type PipelineErrorCode } from '../errors.js';

const STANDARD = new Set(['type', 'title', 'status', 'detail', 'code']);

/**
 * A `PipelineError` rebuilt from a problem-details response: its `code` (or, for a code this copy
 * does not know, `storage_failed` for a 5xx and `invalid_input` otherwise), `detail` as the
 * message, the extension members as `details` with the HTTP `status` added.
 */
export async function errorFromResponse(response: Response): Promise<PipelineError> {
  let problem: Record<string, unknown> = {};
  try {
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) problem = body as Record<string, unknown>;
  } catch {
    // not a problem document: the status alone says what happened
  }
  const code = typeof problem['code'] === 'string' && (ERROR_CODES as readonly string[]).includes(problem['code'])
    ? (problem['code'] as PipelineErrorCode)
    : response.status >= 500 ? 'storage_failed' : 'invalid_input';
  const details: Record<string, unknown> = { status: response.status };
  for (const [key, value] of Object.entries(problem)) {
    if (STANDARD.has(key) || key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    details[key] = value;
  }
  if (typeof problem['code'] === 'string' && problem['code'] !== code) details['problemCode'] = problem['code'];
  const message = typeof problem['detail'] === 'string' ? problem['detail'] : `HTTP ${response.status} ${response.statusText}`.trim();
  return new PipelineError(code, message, details);
}

/** A request that never got an answer (network down, refused connection), as `storage_failed`. */
export function unreachable(url: string, error: unknown): PipelineError {
  const reason = error instanceof Error ? error.message : String(error);
  return new PipelineError('storage_failed', `request to ${url} failed: ${reason}`, { url }, { cause: error });
}
