import { PipelineError } from '../../errors.js';

/**
 * What the adapter needs from a PostgreSQL client: run one parameterised statement. PGlite
 * (`@electric-sql/pglite`) and a transaction of either have this shape.
 *
 * @example
 * ```ts
 * const { rows } = await client.query<{ n: number }>('SELECT $1::int AS n', [1]);
 * ```
 * @category PostgreSQL
 */
export interface PostgresQueryable {
  /**
   * Runs one statement with bound parameters (`$1`, `$2`, …) and resolves to its rows. The
   * adapter may pass `options.rowMode: 'array'` for reads of many rows (node-postgres and PGlite
   * both take it): rows then come as arrays of column values. A client that ignores the option
   * and returns objects works too; the adapter reads either.
   */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], options?: PostgresQueryOptions): Promise<{ rows: R[] }>;
}

/**
 * Options of {@link PostgresQueryable.query}: `rowMode: 'array'` asks for rows as arrays of column
 * values, in the statement's column order.
 *
 * @example
 * ```ts
 * const { rows } = await client.query('SELECT 1 AS one', [], { rowMode: 'array' }); // [[1]]
 * ```
 * @category PostgreSQL
 */
export interface PostgresQueryOptions {
  readonly rowMode?: 'array';
}

/**
 * A client the adapter can use: `query` for single statements (each saves atomically on its own)
 * and `transaction` for the schema migration. PGlite has this shape as is; a `pg` Pool gets it
 * from {@link fromPgPool}.
 *
 * @example
 * ```ts
 * const client: PostgresClient = new PGlite();
 * await migratePostgres(client);
 * ```
 * @category PostgreSQL
 */
export interface PostgresClient extends PostgresQueryable {
  /** Runs one statement with bound parameters (`$1`, `$2`, …) and resolves to its rows. */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: PostgresQueryable) => Promise<T>): Promise<T>;
}

/**
 * A node-postgres query config: a named statement is parsed and planned once per connection.
 *
 * @example
 * ```ts
 * const config: PgQueryConfig = { name: 'sp_workspace_load', text: 'SELECT 1', values: [] };
 * ```
 * @category PostgreSQL
 */
export interface PgQueryConfig {
  /** Absent for an unnamed statement (one sent with a row mode, when statements are not prepared). */
  readonly name?: string;
  readonly text: string;
  readonly values?: unknown[];
  /** `'array'`: rows as arrays of column values. */
  readonly rowMode?: 'array';
}

// The adapter's fixed statement texts by their names (see `named`). A text is looked up by
// identity of the string the adapter passes, so the lookup costs a hash of a cached string.
const NAMES = new Map<string, string>();
const TAKEN = new Set<string>();

/**
 * Gives one of the adapter's fixed statement texts a stable name, under which clients that can
 * prepare statements (`fromPgPool`) run it as a named prepared statement. Returns the text.
 */
export function named(name: string, text: string): string {
  if (NAMES.has(text)) return text;
  // Each name belongs to one text: a server refuses a name prepared twice with different texts.
  let unique = name;
  for (let i = 2; TAKEN.has(unique); i++) unique = `${name}_${i}`;
  TAKEN.add(unique);
  NAMES.set(text, unique);
  return text;
}

/** The statement as a pool runs it: a named query config for a fixed text, else the text itself. */
function prepared(sql: string, params: unknown[] | undefined): string | PgQueryConfig {
  const name = NAMES.get(sql);
  if (name === undefined) return sql;
  return params === undefined ? { name, text: sql } : { name, text: sql, values: params };
}

/** `query` of a pool or of one of its connections, sending each statement as `statement` makes it. */
function queryOn(target: Pick<PgPoolConnection, 'query'>, statement: (sql: string, params: unknown[] | undefined) => string | PgQueryConfig): PostgresQueryable['query'] {
  return async <R>(sql: string, params?: unknown[], options?: PostgresQueryOptions) => {
    let config = statement(sql, params);
    if (options?.rowMode === 'array') config = typeof config === 'string' ? { text: sql, ...(params === undefined ? {} : { values: params }), rowMode: 'array' } : { ...config, rowMode: 'array' };
    return (await (typeof config === 'string' ? target.query(config, params) : target.query(config))) as { rows: R[] };
  };
}

/**
 * The part of a `pg` Pool that {@link fromPgPool} uses.
 *
 * @example
 * ```ts
 * const pool: PgPoolLike = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 * @category PostgreSQL
 */
export interface PgPoolLike {
  /**
   * Runs one statement on any connection of the pool. The adapter's fixed statements come as a
   * query config `{ name, text, values }` (node-postgres prepares a named statement once per
   * connection and reuses it); everything else as `(sql, params)`.
   */
  query(sql: string | PgQueryConfig, params?: unknown[]): Promise<{ rows: unknown[] }>;
  /** Checks out one connection, for a transaction. */
  connect(): Promise<PgPoolConnection>;
}

/**
 * One connection checked out of a `pg` Pool.
 *
 * @example
 * ```ts
 * const connection: PgPoolConnection = await pool.connect();
 * connection.release();
 * ```
 * @category PostgreSQL
 */
export interface PgPoolConnection {
  /** Runs one statement on this connection (a named query config for the adapter's fixed statements). */
  query(sql: string | PgQueryConfig, params?: unknown[]): Promise<{ rows: unknown[] }>;
  /** Returns the connection to the pool; `true` (or an error) discards it instead. */
  release(error?: Error | boolean): void;
}

/**
 * Adapts a `pg` Pool (node-postgres 8) to {@link PostgresClient}: single statements go to the
 * pool (the adapter's fixed statements as named prepared statements, parsed and planned once per
 * connection), a transaction checks out one connection and runs BEGIN / COMMIT (ROLLBACK when the
 * function throws, then the connection is released, or discarded if the rollback failed too).
 *
 * @param pool - a `pg` Pool (or anything with `query` and `connect`)
 * @param options - `prepare: false` sends every statement unnamed, for connection poolers in
 *   transaction mode that cannot keep prepared statements (default true)
 * @returns a client for {@link createPostgresRepositories} and {@link migratePostgres}
 * @example
 * ```ts
 * import pg from 'pg';
 * const client = fromPgPool(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 * await migratePostgres(client);
 * const repos = createPostgresRepositories(client, { tenantId: 'acme' });
 * const behindPgBouncer = fromPgPool(pool, { prepare: false });
 * ```
 * @category PostgreSQL
 */
export function fromPgPool(pool: PgPoolLike, options: { readonly prepare?: boolean } = {}): PostgresClient {
  if (typeof options !== 'object' || options === null || (options.prepare !== undefined && typeof options.prepare !== 'boolean')) {
    throw new PipelineError('invalid_input', 'options.prepare: expected a boolean', { path: 'options.prepare' });
  }
  const statement = options.prepare === false ? (sql: string) => sql : prepared;
  return {
    query: queryOn(pool, statement),
    async transaction<T>(fn: (tx: PostgresQueryable) => Promise<T>): Promise<T> {
      const connection = await pool.connect();
      const tx: PostgresQueryable = { query: queryOn(connection, statement) };
      let broken = false;
      try {
        await connection.query('BEGIN');
        const result = await fn(tx);
        await connection.query('COMMIT');
        return result;
      } catch (e) {
        try {
          await connection.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw e;
      } finally {
        connection.release(broken);
      }
    },
  };
}
