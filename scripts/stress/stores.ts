// Opening one tenant of a shared store from any process of a stress run: an SQLite file in WAL mode
// (every process opens the same file) or the PostgreSQL server (a pool per process). The library
// is loaded from `src` (the working tree's sources by default): a run against a modified copy of
// the sources (a guard switched off) shows what the guard prevents.
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';

type Index = typeof import('../../src/index.js');
type Sqlite = typeof import('../../src/sqlite.js');
type Postgres = typeof import('../../src/postgres.js');
type Testing = typeof import('../../src/testing.js');
export type Repositories = import('../../src/index.js').Repositories;

export type StoreKind = 'sqlite' | 'postgres';

/** Where a run keeps its data: the SQLite file's path or the server's URL. */
export interface StoreAt {
  readonly kind: StoreKind;
  readonly location: string;
}

/** The library as loaded from one sources directory. */
export interface Library {
  readonly index: Index;
  readonly sqlite: Sqlite;
  readonly postgres: Postgres;
  readonly testing: Testing;
}

export const DEFAULT_SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

const load = <T>(src: string, file: string): Promise<T> => import(pathToFileURL(join(src, file)).href) as Promise<T>;

/** Loads the library's entry files from `src` (a directory holding index.ts, sqlite.ts, postgres.ts, testing.ts). */
export async function loadLibrary(src = DEFAULT_SRC): Promise<Library> {
  const [index, sqlite, postgres, testing] = await Promise.all([load<Index>(src, 'index.ts'), load<Sqlite>(src, 'sqlite.ts'), load<Postgres>(src, 'postgres.ts'), load<Testing>(src, 'testing.ts')]);
  return { index, sqlite, postgres, testing };
}

/** One process's connection to the store, shared by the tenants it opens. */
export interface Connection {
  repositories(tenantId: string): Repositories;
  /** Rows of an SQL query with positional parameters (`?` for SQLite, `$1` for PostgreSQL). */
  query<R>(sql: string, params: readonly unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/** Connects to the store (migrating it on first use; every process may call this). */
export async function connect(lib: Library, at: StoreAt): Promise<Connection> {
  if (at.kind === 'sqlite') {
    const db = new Database(at.location);
    lib.sqlite.configureSqlite(db, { busyTimeoutMs: 60_000 });
    db.transaction(() => lib.sqlite.migrateSqlite(db)).immediate();
    return {
      repositories: (tenantId) => lib.sqlite.createSqliteRepositories(db, { tenantId }),
      query: async <R>(sql: string, params: readonly unknown[]) => db.prepare(sql).all(...params) as R[],
      close: async () => void db.close(),
    };
  }
  const pool = new pg.Pool({ connectionString: at.location, max: 4 });
  const client = lib.postgres.fromPgPool(pool);
  await lib.postgres.migratePostgres(client);
  return {
    repositories: (tenantId) => lib.postgres.createPostgresRepositories(client, { tenantId }),
    query: async <R>(sql: string, params: readonly unknown[]) => (await pool.query(sql, [...params])).rows as R[],
    close: () => pool.end(),
  };
}

/** A tenant id no earlier run used. */
export const freshTenant = (label: string): string => `${label}-${randomUUID()}`;

/** Where a run on `kind` keeps its data: a new SQLite file under `dir`, or the server of SALES_PIPELINES_PG_URL. */
export function storeFor(kind: StoreKind, dir: string): StoreAt {
  if (kind === 'sqlite') return { kind, location: join(dir, `stress-${randomUUID()}.db`) };
  const url = process.env.SALES_PIPELINES_PG_URL;
  if (!url) throw new Error('SALES_PIPELINES_PG_URL is not set: give a PostgreSQL server (bash scripts/pg-cluster.sh start prints one)');
  return { kind, location: url };
}
