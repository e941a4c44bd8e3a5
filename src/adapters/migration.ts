import { PipelineError } from '../errors.js';

/**
 * How far a migration is: schema steps committed so far, of how many it planned, and the schema
 * version the database is at now. Each step is one transaction (one upgrade between two schema
 * versions, or the creation of the tables).
 *
 * @example
 * ```ts
 * await migratePostgres(db, { onProgress: ({ done, total, version }: MigrationProgress) => console.log(`${done}/${total}: now at version ${version}`) });
 * ```
 * @category Storage
 */
export interface MigrationProgress {
  readonly done: number;
  readonly total: number;
  readonly version: number;
}

/**
 * Options of `migrateSqlite` and `migratePostgres`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const options: MigrationOptions = { signal: controller.signal, onProgress: (p) => bar.set(p.done / p.total) };
 * ```
 * @category Storage
 */
export interface MigrationOptions {
  /** Told after each committed step. */
  readonly onProgress?: (progress: MigrationProgress) => void;
  /**
   * Stops between steps: the steps committed stay, the migration returns the version the
   * database is at, and running it again goes on from there.
   */
  readonly signal?: AbortSignal;
}

/** The options, checked: `invalid_input` naming `options.<name>`. */
export function checkMigrationOptions(options: unknown): MigrationOptions {
  if (options === undefined) return {};
  const bad = (path: string, what: string): never => {
    throw new PipelineError('invalid_input', `${path}: expected ${what}`, { path });
  };
  if (typeof options !== 'object' || options === null) return bad('options', 'an object');
  const { onProgress, signal } = options as Record<string, unknown>;
  if (onProgress !== undefined && typeof onProgress !== 'function') bad('options.onProgress', 'a function');
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof (signal as { aborted?: unknown }).aborted !== 'boolean')) bad('options.signal', 'an AbortSignal');
  return { ...(onProgress ? { onProgress: onProgress as MigrationOptions['onProgress'] & object } : {}), ...(signal ? { signal: signal as AbortSignal } : {}) };
}
