/**
 * The stable error codes of {@link PipelineError}. Hosts switch on these; they never change meaning.
 *
 * @example
 * ```ts
 * ERROR_CODES.includes('conflict'); // true
 * ```
 * @category Errors
 */
export const ERROR_CODES = [
  'invalid_input',
  'not_found',
  'duplicate_id',
  'stage_not_in_pipeline',
  'transition_not_allowed',
  'stage_mapping_required',
  'required_fields_missing',
  'lost_reason_required',
  'pipeline_in_use',
  'stage_in_use',
  'last_pipeline',
  'default_pipeline',
  'standard_pipeline',
  'conflict',
  'forbidden',
  'time_went_backwards',
  'limit_exceeded',
  'storage_failed',
] as const;

/**
 * One of {@link ERROR_CODES}.
 *
 * @example
 * ```ts
 * const retryable: PipelineErrorCode[] = ['conflict'];
 * ```
 * @category Errors
 */
export type PipelineErrorCode = (typeof ERROR_CODES)[number];

const BRAND = 'sales-pipelines/PipelineError';

/**
 * The one error type the public API throws. `code` is stable; `details` is structured data
 * (paths for `invalid_input`, violations for `transition_not_allowed`, blocking deal ids for
 * `pipeline_in_use` / `stage_in_use`, conflicting ids for `conflict`).
 *
 * @example
 * ```ts
 * try {
 *   applyWorkspace(ws, { type: 'renameLayout', layoutId: 'nope', name: 'x' }, { at: 0 });
 * } catch (e) {
 *   if (isPipelineError(e, 'not_found')) console.log(e.details); // { layoutId: 'nope' }
 * }
 * ```
 * @category Errors
 */
export class PipelineError extends Error {
  /** Stable machine-readable code. */
  readonly code: PipelineErrorCode;
  /** Structured data about the failure; JSON-compatible. */
  readonly details: Readonly<Record<string, unknown>>;
  /**
   * @param code - the stable code
   * @param message - a sentence naming the field or ids concerned
   * @param details - structured data
   * @param options - `{ cause }`: the underlying error (a storage driver's, say)
   */
  constructor(code: PipelineErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PipelineError';
    this.code = code;
    this.details = details;
    // A registry symbol marks the error for isPipelineError across copies of the package.
    Object.defineProperty(this, Symbol.for(BRAND), { value: true });
  }

  /** A plain-data form, for logs and HTTP responses. */
  toJSON(): { name: string; code: PipelineErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/**
 * Structural guard for {@link PipelineError}. It works when a host ends up with two copies of
 * the package (ESM and CJS), where `instanceof` would fail.
 *
 * @param e - anything caught
 * @param code - when given, also require this code
 * @returns whether `e` is a PipelineError (with that code)
 * @example
 * ```ts
 * isPipelineError(new PipelineError('conflict', 'stale'), 'conflict'); // true
 * isPipelineError(new Error('x')); // false
 * ```
 * @category Errors
 */
export function isPipelineError(e: unknown, code?: PipelineErrorCode): e is PipelineError {
  try {
    return looksLikePipelineError(e, code);
  } catch {
    // A revoked Proxy or a throwing getter is not a PipelineError.
    return false;
  }
}

function looksLikePipelineError(e: unknown, code?: PipelineErrorCode): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const marked = (e as Record<symbol, unknown>)[Symbol.for(BRAND)] === true;
  const rec = e as { code?: unknown; name?: unknown };
  const looksRight = marked || (rec.name === 'PipelineError' && typeof rec.code === 'string');
  if (!looksRight) return false;
  if (!(ERROR_CODES as readonly unknown[]).includes(rec.code)) return false;
  return code === undefined || rec.code === code;
}

/** Internal shorthand: throw a PipelineError. */
export function fail(code: PipelineErrorCode, message: string, details: Record<string, unknown> = {}): never {
  throw new PipelineError(code, message, details);
}
