/**
 * One prepared statement, as better-sqlite3 12 gives it. Only what the adapter uses.
 *
 * @example
 * ```ts
 * const stmt: SqliteStatement = db.prepare('SELECT version FROM sp_workspace WHERE tenant_id = ?');
 * ```
 * @category SQLite
 */
export interface SqliteStatement {
  /** Runs the statement; `changes` is the number of rows it wrote. */
  run(...params: unknown[]): { changes: number };
  /** The first row, or undefined. */
  get(...params: unknown[]): unknown;
  /** Every row. */
  all(...params: unknown[]): unknown[];
  /** Optional: the rows one by one (better-sqlite3 has it); reports then hold less than every row. */
  iterate?(...params: unknown[]): Iterable<unknown>;
  /** Rows as arrays of column values (true) or objects (false). */
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
 * @category SQLite
 */
export interface SqliteDatabase {
  /** Compiles one statement. */
  prepare(sql: string): SqliteStatement;
  /** Runs statements without parameters (the schema). */
  exec(sql: string): unknown;
  /**
   * Wraps `fn` so that it runs inside one transaction.
   *
   * @typeParam F - the wrapped function
   */
  // The driver's own signature: `any[]` so that better-sqlite3's Database is assignable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  transaction<F extends (...params: any[]) => unknown>(fn: F): SqliteTransaction<F>;
  /** Reads or sets a pragma. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
}

/** The parameters of `F`, spelled as better-sqlite3's types spell them (so its Database is assignable). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Arguments<F extends (...params: any[]) => unknown> = F extends (...args: infer A) => unknown ? A : never;

/**
 * A function wrapped by `db.transaction`: calling `immediate(...)` runs it inside BEGIN IMMEDIATE.
 *
 * @typeParam F - the wrapped function
 * @example
 * ```ts
 * const save: SqliteTransaction<(n: number) => void> = db.transaction((n: number) => insert.run(n));
 * save.immediate(1);
 * ```
 * @category SQLite
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface SqliteTransaction<F extends (...params: any[]) => unknown> {
  (...params: Arguments<F>): ReturnType<F>;
  /** Runs the function inside BEGIN IMMEDIATE (takes the write lock first). */
  immediate(...params: Arguments<F>): ReturnType<F>;
}
