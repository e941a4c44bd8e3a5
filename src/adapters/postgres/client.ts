/**
 * What the adapter needs from a PostgreSQL client: run one parameterised statement. PGlite
 * (`@electric-sql/pglite`) and a transaction of either have this shape.
 *
 * @example
 * ```ts
 * const { rows } = await client.query<{ n: number }>('SELECT $1::int AS n', [1]);
 * ```
 */
export interface PostgresQueryable {
  /** Runs one statement with bound parameters (`$1`, `$2`, …) and resolves to its rows. */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
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
 */
export interface PostgresClient extends PostgresQueryable {
  /** Runs one statement with bound parameters (`$1`, `$2`, …) and resolves to its rows. */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: PostgresQueryable) => Promise<T>): Promise<T>;
}

/**
 * The part of a `pg` Pool that {@link fromPgPool} uses.
 *
 * @example
 * ```ts
 * const pool: PgPoolLike = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export interface PgPoolLike {
  /** Runs one statement on any connection of the pool. */
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
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
 */
export interface PgPoolConnection {
  /** Runs one statement on this connection. */
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  /** Returns the connection to the pool; `true` (or an error) discards it instead. */
  release(error?: Error | boolean): void;
}

/**
 * Adapts a `pg` Pool (node-postgres 8) to {@link PostgresClient}: single statements go to the
 * pool, a transaction checks out one connection and runs BEGIN / COMMIT (ROLLBACK when the
 * function throws, then the connection is released, or discarded if the rollback failed too).
 *
 * @param pool - a `pg` Pool (or anything with `query` and `connect`)
 * @returns a client for {@link createPostgresRepositories} and {@link migratePostgres}
 * @example
 * ```ts
 * import pg from 'pg';
 * const client = fromPgPool(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 * await migratePostgres(client);
 * const repos = createPostgresRepositories(client, { tenantId: 'acme' });
 * ```
 */
export function fromPgPool(pool: PgPoolLike): PostgresClient {
  return {
    query: async <R>(sql: string, params?: unknown[]) => (await pool.query(sql, params)) as { rows: R[] },
    async transaction<T>(fn: (tx: PostgresQueryable) => Promise<T>): Promise<T> {
      const connection = await pool.connect();
      const tx: PostgresQueryable = { query: async <R>(sql: string, params?: unknown[]) => (await connection.query(sql, params)) as { rows: R[] } };
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
