import { isPipelineError, type PipelineError, type PipelineErrorCode } from './errors.js';

/**
 * An RFC 9457 problem-details object: the body of an `application/problem+json` response.
 * `code` and the error's `details` are extension members; the standard members always win over a
 * detail of the same name.
 *
 * @example
 * ```ts
 * const problem: Problem = toProblem(error);
 * res.writeHead(problem.status, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problem));
 * ```
 */
export interface Problem {
  /** A stable URI naming the kind of problem (see {@link PROBLEM_TYPE_BASE}). */
  readonly type: string;
  /** A short summary of the kind of problem; the same for every occurrence of a code. */
  readonly title: string;
  /** The HTTP status code. */
  readonly status: number;
  /** What went wrong this time: the error's message, which names the field or ids concerned. */
  readonly detail: string;
  /** The {@link PipelineErrorCode}, or `internal_error` for anything else. */
  readonly code: string;
  /** The error's `details` (paths, violations, blocking deal ids, the current version, …). */
  readonly [extension: string]: unknown;
}

/**
 * The HTTP status of each error code. Refusals by a business rule are 422 (the request was
 * understood and well-formed, the pipeline's rules say no); clashes with the current state are
 * 409; `limit_exceeded` is 422 too, because it is about the content (too many stages, too long a
 * name), not the size of the HTTP body, which is what 413 means and what the host's server decides.
 *
 * @example
 * ```ts
 * PROBLEM_STATUS.conflict; // 409
 * PROBLEM_STATUS.transition_not_allowed; // 422
 * ```
 */
export const PROBLEM_STATUS: Readonly<Record<PipelineErrorCode, number>> = Object.freeze({
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  duplicate_id: 409,
  pipeline_in_use: 409,
  stage_in_use: 409,
  default_pipeline: 409,
  last_pipeline: 409,
  standard_pipeline: 409,
  transition_not_allowed: 422,
  stage_not_in_pipeline: 422,
  stage_mapping_required: 422,
  required_fields_missing: 422,
  lost_reason_required: 422,
  time_went_backwards: 422,
  limit_exceeded: 422,
  storage_failed: 503,
});

const TITLES: Readonly<Record<PipelineErrorCode, string>> = {
  invalid_input: 'Invalid input',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  conflict: 'Version conflict',
  duplicate_id: 'Duplicate id',
  pipeline_in_use: 'Pipeline in use',
  stage_in_use: 'Stage in use',
  default_pipeline: 'Default pipeline',
  last_pipeline: 'Last pipeline',
  standard_pipeline: 'Standard pipeline',
  transition_not_allowed: 'Transition not allowed',
  stage_not_in_pipeline: 'Stage not in pipeline',
  stage_mapping_required: 'Stage mapping required',
  required_fields_missing: 'Required fields missing',
  lost_reason_required: 'Lost reason required',
  time_went_backwards: 'Time went backwards',
  limit_exceeded: 'Limit exceeded',
  storage_failed: 'Storage unavailable',
};

/**
 * The prefix of every problem `type`: `urn:sales-pipelines:problem:<code>`. A URN because it
 * identifies the kind of problem and is never meant to be fetched; a host that publishes its own
 * documentation passes `{ typeBase: 'https://api.example.com/problems/' }` to {@link toProblem}.
 *
 * @example
 * ```ts
 * toProblem(new PipelineError('not_found', 'deal d1 does not exist')).type; // 'urn:sales-pipelines:problem:not_found'
 * ```
 */
export const PROBLEM_TYPE_BASE = 'urn:sales-pipelines:problem:';

/**
 * Options of {@link toProblem}.
 *
 * @example
 * ```ts
 * const options: ToProblemOptions = { typeBase: 'https://api.example.com/problems/' };
 * ```
 */
export interface ToProblemOptions {
  /** Prefix of `type`, followed by the code (default {@link PROBLEM_TYPE_BASE}). */
  readonly typeBase?: string;
}

/**
 * Turns anything thrown into an RFC 9457 problem-details object with the HTTP status of its
 * code ({@link PROBLEM_STATUS}). A {@link PipelineError} keeps its message as `detail` and its
 * `details` as extension members next to `code`. Anything else is a 500 that tells nothing about
 * the error (no message, no stack): log the original yourself.
 *
 * @param error - anything caught
 * @param options - `{ typeBase? }`
 * @returns the problem, ready for `JSON.stringify`
 * @example
 * ```ts
 * toProblem(new PipelineError('conflict', 'deal d1 is at version 5', { ids: ['d1'], currentVersion: 5 }));
 * // { type: 'urn:sales-pipelines:problem:conflict', title: 'Version conflict', status: 409,
 * //   detail: 'deal d1 is at version 5', code: 'conflict', ids: ['d1'], currentVersion: 5 }
 * toProblem(new TypeError('x is undefined'));
 * // { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred.', code: 'internal_error' }
 * ```
 */
export function toProblem(error: unknown, options: ToProblemOptions = {}): Problem {
  try {
    if (isPipelineError(error)) return fromPipelineError(error, options);
  } catch {
    // an object that looks like a PipelineError but throws when read is treated as unknown
  }
  return { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred.', code: 'internal_error' };
}

function fromPipelineError(error: PipelineError, options: ToProblemOptions): Problem {
  const code = error.code;
  const details = plainDetails(error.details);
  const detail = typeof error.message === 'string' ? error.message : TITLES[code];
  const typeBase = typeof options?.typeBase === 'string' ? options.typeBase : PROBLEM_TYPE_BASE;
  return { ...details, type: `${typeBase}${code}`, title: TITLES[code], status: PROBLEM_STATUS[code], detail, code };
}

// Details come from a PipelineError, possibly of another copy of the package: copy own
// enumerable keys only, and never a key that would reach Object.prototype.
function plainDetails(details: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof details !== 'object' || details === null) return out;
  try {
    for (const key of Object.keys(details)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
      out[key] = (details as Record<string, unknown>)[key];
    }
  } catch {
    return {}; // details that cannot be read (a throwing getter) are left out rather than thrown
  }
  return out;
}
