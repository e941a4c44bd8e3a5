import { isPipelineError, PipelineError } from '../../errors.js';

/** SQLSTATE codes after which the same call, run again on fresh state, may succeed. */
const RETRYABLE = new Set(['40P01', '40001']);
/** SQLSTATE of a missing table or column: the database was not migrated to this version. */
const UNMIGRATED = new Set(['42P01', '42703']);
/** SQLSTATE codes for text the database cannot store (U+0000, invalid UTF-8). */
const BAD_TEXT = new Set(['22P05', '22021']);

function sqlState(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns whatever a statement threw into a PipelineError: PipelineErrors pass through, deadlocks
 * and serialization failures become `conflict` (the service retries them), untranslatable text
 * `invalid_input`, anything else `storage_failed`; the driver's error is the `cause`.
 */
export function storageError(e: unknown, what: string, ids: readonly string[] = []): PipelineError {
  if (isPipelineError(e)) return e;
  const code = sqlState(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code !== undefined && RETRYABLE.has(code)) {
    return new PipelineError('conflict', `${what}: the database asked for a retry (${code}: ${message})`, { ids: [...ids], sqlState: code }, { cause: e });
  }
  if (code !== undefined && UNMIGRATED.has(code)) {
    return new PipelineError('storage_failed', `${what}: the database has no sales-pipelines tables of this version: run migratePostgres(client) once first (${message})`, { sqlState: code }, { cause: e });
  }
  if (code !== undefined && BAD_TEXT.has(code)) {
    return new PipelineError('invalid_input', `${what}: text the database cannot store (${code}: ${message})`, { path: what, sqlState: code }, { cause: e });
  }
  return new PipelineError('storage_failed', `${what}: ${message}`, code === undefined ? {} : { sqlState: code }, { cause: e });
}

/** Runs one database call, mapping its failure with {@link storageError}. */
export async function guarded<T>(what: string, run: () => Promise<T>, ids?: readonly string[]): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw storageError(e, what, ids);
  }
}
