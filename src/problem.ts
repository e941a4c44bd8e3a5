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
 * @category Errors
 */
export interface Problem {
  /** A stable URI naming the kind of problem (see {@link PROBLEM_TYPE_BASE}). */
  readonly type: string;
  /** A short summary of the kind of problem; the same for every occurrence of a code. */
  readonly title: string;
  /** The HTTP status code. */
  readonly status: number;
  /** What went wrong this time: the error's message, which names the field or ids concerned (a generic sentence for 5xx). */
  readonly detail: string;
  /** The {@link PipelineErrorCode}, or `internal_error` for anything else. */
  readonly code: string;
  /** The id to quote when reporting the problem: always present on a 5xx, on a 4xx when the host gave one. */
  readonly correlationId?: string;
  /** The error's `details` (paths, violations, blocking deal ids, the current version, …); never on a 5xx. */
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
 * @category Errors
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
 * @category Errors
 */
export const PROBLEM_TYPE_BASE = 'urn:sales-pipelines:problem:';

/**
 * Options of {@link toProblem}.
 *
 * @example
 * ```ts
 * const options: ToProblemOptions = { typeBase: 'https://api.example.com/problems/' };
 * ```
 * @category Errors
 */
export interface ToProblemOptions {
  /** Prefix of `type`, followed by the code (default {@link PROBLEM_TYPE_BASE}). */
  readonly typeBase?: string;
  /**
   * The id to quote in the problem (`correlationId`): the host's request id, the one it logs
   * with the error. 1 to 200 characters of letters, digits and `_ . : / + = -`; anything else is
   * ignored and an id is derived from the error instead (see {@link toProblem}).
   */
  readonly correlationId?: string;
}

/**
 * Turns anything thrown into an RFC 9457 problem-details object with the HTTP status of its
 * code ({@link PROBLEM_STATUS}). A {@link PipelineError} of a 4xx code keeps its message as
 * `detail` and its `details` as extension members next to `code`.
 *
 * A 5xx problem is opaque: `storage_failed` (503) says only that the storage is unavailable, and
 * anything that is not a PipelineError is a 500 that tells nothing about the error. Neither
 * carries the message or the details (a driver's message names hosts, ports and SQL; `sqlState`
 * and `driverCode` describe the database), only a `correlationId`: the one given in `options`
 * (your request id), else one derived from the error itself (a hash of its code, message, stack
 * and cause: the same error object always gets the same id, and nothing random is drawn). Log
 * the error, its `cause` (the driver's error) and `problem.correlationId` together.
 *
 * @param error - anything caught
 * @param options - `{ typeBase?, correlationId? }`
 * @returns the problem, ready for `JSON.stringify`
 * @example
 * ```ts
 * toProblem(new PipelineError('conflict', 'deal d1 is at version 5', { ids: ['d1'], currentVersion: 5 }));
 * // { type: 'urn:sales-pipelines:problem:conflict', title: 'Version conflict', status: 409,
 * //   detail: 'deal d1 is at version 5', code: 'conflict', ids: ['d1'], currentVersion: 5 }
 * toProblem(new TypeError('x is undefined'), { correlationId: 'req-42' });
 * // { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred.',
 * //   code: 'internal_error', correlationId: 'req-42' }
 * ```
 * @category Errors
 */
export function toProblem(error: unknown, options: ToProblemOptions = {}): Problem {
  const given = readOption(options, 'correlationId');
  const correlationId = typeof given === 'string' && CORRELATION_ID.test(given) ? given : undefined;
  try {
    if (isPipelineError(error)) return fromPipelineError(error, options, correlationId);
  } catch {
    // an object that looks like a PipelineError but throws when read is treated as unknown
  }
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'An unexpected error occurred.',
    code: 'internal_error',
    correlationId: correlationId ?? derivedId(error),
  };
}

/** What a correlation id may hold: it is echoed to clients and written to logs. */
const CORRELATION_ID = /^[\w.:/+=-]{1,200}$/;

/** The generic `detail` of each 5xx code: what a client may know. */
const OPAQUE_DETAIL: Readonly<Partial<Record<PipelineErrorCode, string>>> = { storage_failed: 'The storage is unavailable; try again later.' };

function fromPipelineError(error: PipelineError, options: ToProblemOptions, correlationId: string | undefined): Problem {
  const code = error.code;
  const status = PROBLEM_STATUS[code];
  const typeBase = readOption(options, 'typeBase');
  const type = `${typeof typeBase === 'string' ? typeBase : PROBLEM_TYPE_BASE}${code}`;
  if (status >= 500) {
    const detail = OPAQUE_DETAIL[code] ?? 'An unexpected error occurred.';
    return { type, title: TITLES[code], status, detail, code, correlationId: correlationId ?? derivedId(error) };
  }
  const details = plainDetails(error.details);
  const detail = typeof error.message === 'string' ? error.message : TITLES[code];
  return { ...details, type, title: TITLES[code], status, detail, code, ...(correlationId === undefined ? {} : { correlationId }) };
}

/** An option, or undefined when the options cannot be read (toProblem runs in error handlers: it never throws). */
function readOption(options: unknown, key: keyof ToProblemOptions): unknown {
  try {
    return typeof options === 'object' && options !== null ? (options as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined;
  }
}

/** 16 hex digits from the error's code, message, stack and cause: stable for one error object, no randomness. */
function derivedId(error: unknown): string {
  let text = typeof error;
  try {
    if (typeof error === 'object' && error !== null) {
      const e = error as { code?: unknown; message?: unknown; stack?: unknown; cause?: unknown };
      const cause = e.cause as { message?: unknown; stack?: unknown } | undefined;
      text += `|${String(e.code)}|${String(e.message)}|${String(e.stack)}`;
      if (typeof cause === 'object' && cause !== null) text += `|${String(cause.message)}|${String(cause.stack)}`;
    } else text += `|${String(error)}`;
  } catch {
    // an error that cannot be read still gets an id, from what was read before the throw
  }
  return fnv1a(text, 0x811c9dc5) + fnv1a(text, 0x01000193);
}

/** The 32-bit FNV-1a hash of `text` from `seed`, as 8 hex digits. */
function fnv1a(text: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
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
