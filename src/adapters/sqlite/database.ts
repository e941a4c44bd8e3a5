/**
 * One prepared statement, as better-sqlite3 12 gives it. Only what the adapter uses.
 *
 * @example
 * ```ts
 * const stmt: SqliteStatement = db.prepare('SELECT version FROM sp_workspace WHERE tenant_id = ?');
 * ```
 */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  raw(toggle?: boolean): SqliteStatement;
}

/**
 * The database handle the adapter needs: a better-sqlite3 12 `Database` (or anything with the
 * same synchronous `prepare`, `exec`, `transaction` and `pragma`).
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * const db: SqliteDatabase = new Database('crm.db');
 * ```
 */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the driver's own signature
  transaction<F extends (...args: any[]) => any>(fn: F): F & { immediate: F };
  pragma(source: string, options?: { simple?: boolean }): unknown;
}
