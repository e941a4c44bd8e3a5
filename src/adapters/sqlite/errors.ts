import { isPipelineError, PipelineError } from '../../errors.js';

/** better-sqlite3's SqliteError carries a string `code` such as SQLITE_BUSY or SQLITE_CONSTRAINT_PRIMARYKEY. */
function driverCode(e: unknown): string | null {
  if (typeof e !== 'object' || e === null) return null;
  const code = (e as { code?: unknown }).code;
  return (e as { name?: unknown }).name === 'SqliteError' && typeof code === 'string' ? code : null;
}

/**
 * Turns whatever a storage call threw into a `PipelineError`: a busy or locked database (another
 * connection held the write lock past busy_timeout) is a `conflict` the service retries; any
 * other failure (a driver error, a closed connection) is `storage_failed`. The original error is
 * the `cause`.
 */
export function toPipelineError(e: unknown, what: string): PipelineError {
  if (isPipelineError(e)) return e;
  const code = driverCode(e);
  const text = e instanceof Error ? e.message : String(e);
  if (code !== null && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) {
    return new PipelineError('conflict', `${what}: the database is busy (${code}); try again`, { ids: [], driverCode: code }, { cause: e });
  }
  return new PipelineError('storage_failed', `${what}: ${text}`, code === null ? {} : { driverCode: code }, { cause: e });
}

/** Runs one storage call and maps its failure (see {@link toPipelineError}). */
export function guarded<T>(what: string, fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(toPipelineError(e, what));
  }
}
