// A PostgreSQL adapter for sales-pipelines. It needs only `query` and `transaction`, which
// PGlite (@electric-sql/pglite, Postgres in WebAssembly) offers as is, and which a `pg` pool
// offers through `fromPgPool` below, so the same code runs in tests without a server and in
// production against PostgreSQL (or a distributed Postgres such as Citus).
//
// Concurrency is per row: every update says `WHERE id = $1 AND version = $2`, so two writers of
// one deal serialise on its row lock and the second sees it changed; writers of different deals
// never wait for each other. `list` pages by key (`id > $after ORDER BY id`), which stays fast
// at any depth, unlike OFFSET.
import { PipelineError, emptyWorkspace, type Deal, type DealChange, type DealQuery, type Repositories, type Workspace } from '../../src/index.js';

/** The part of a Postgres client the adapter uses. */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** A client that can also run a function in a transaction (rolled back when it throws). */
export interface TransactionalQueryable extends Queryable {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

/** Adapts a `pg` Pool: `createPostgresRepositories(fromPgPool(new Pool({ connectionString })))`. */
export function fromPgPool(pool: {
  query: Queryable['query'];
  connect(): Promise<Queryable & { release(): void }>;
}): TransactionalQueryable {
  return {
    query: (text, params) => pool.query(text, params),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      } finally {
        client.release();
      }
    },
  };
}

/** Creates the tables and indexes if they do not exist. */
export async function migratePostgres(db: Queryable): Promise<void> {
  for (const statement of [
    `CREATE TABLE IF NOT EXISTS sp_workspace (id int PRIMARY KEY CHECK (id = 1), version int NOT NULL, body jsonb NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS sp_deals (
       id text PRIMARY KEY, layout_id text NOT NULL, pipeline_id text, stage_id text NOT NULL,
       version int NOT NULL, body jsonb NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS sp_deals_layout ON sp_deals (layout_id, id)`,
    `CREATE INDEX IF NOT EXISTS sp_deals_pipeline ON sp_deals (pipeline_id, id)`,
    `CREATE INDEX IF NOT EXISTS sp_deals_stage ON sp_deals (stage_id, id)`,
  ]) {
    await db.query(statement);
  }
}

// Text ids compare byte by byte ("C" collation), the order the cursor relies on.
const ID_ORDER = 'COLLATE "C"';

const parse = <T>(body: unknown): T => (typeof body === 'string' ? JSON.parse(body) : body) as T;

/** Repositories over Postgres (call {@link migratePostgres} once first). */
export function createPostgresRepositories(db: TransactionalQueryable): Repositories {
  return {
    workspace: {
      async load(): Promise<Workspace> {
        const { rows } = await db.query<{ body: unknown }>('SELECT body FROM sp_workspace WHERE id = 1');
        return rows[0] ? parse<Workspace>(rows[0].body) : emptyWorkspace();
      },
      async save(ws, expectedVersion) {
        const body = JSON.stringify(ws);
        const { rows } = expectedVersion === 0
          ? await db.query('INSERT INTO sp_workspace (id, version, body) VALUES (1, $1, $2::jsonb) ON CONFLICT (id) DO UPDATE SET version = $1, body = $2::jsonb WHERE sp_workspace.version = 0 RETURNING id', [ws.version, body])
          : await db.query('UPDATE sp_workspace SET version = $1, body = $2::jsonb WHERE id = 1 AND version = $3 RETURNING id', [ws.version, body, expectedVersion]);
        if (rows.length !== 1) throw new PipelineError('conflict', `workspace: stored version is not ${expectedVersion}`, { ids: ['workspace'], expectedVersion });
      },
    },
    deals: {
      async get(id) {
        const { rows } = await db.query<{ body: unknown }>('SELECT body FROM sp_deals WHERE id = $1', [id]);
        return rows[0] ? parse<Deal>(rows[0].body) : null;
      },
      async getMany(ids) {
        if (ids.length === 0) return [];
        const { rows } = await db.query<{ body: unknown }>('SELECT body FROM sp_deals WHERE id = ANY($1::text[])', [ids]);
        return rows.map((r) => parse<Deal>(r.body));
      },
      async list(q: DealQuery) {
        const where: string[] = [];
        const params: unknown[] = [];
        const add = (sql: string, value: unknown) => {
          params.push(value);
          where.push(sql.replace('?', `$${params.length}`));
        };
        if (q.layoutId !== undefined) add('layout_id = ?', q.layoutId);
        if (q.pipelineId === null) where.push('pipeline_id IS NULL');
        else if (q.pipelineId !== undefined) add('pipeline_id = ?', q.pipelineId);
        if (q.stageId !== undefined) add('stage_id = ?', q.stageId);
        if (q.after != null) add(`id ${ID_ORDER} > ?`, q.after);
        const limit = Math.max(1, Math.floor(q.limit));
        params.push(limit + 1);
        const sql = `SELECT id, body FROM sp_deals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${ID_ORDER} LIMIT $${params.length}`;
        const { rows } = await db.query<{ id: string; body: unknown }>(sql, params);
        const page = rows.slice(0, limit);
        return { deals: page.map((r) => parse<Deal>(r.body)), next: rows.length > limit ? page[page.length - 1]!.id : null };
      },
      async save(changes: readonly DealChange[]) {
        await db.transaction(async (tx) => {
          const conflicts: string[] = [];
          for (const { deal, expectedVersion } of changes) {
            const values = [deal.id, deal.layoutId, deal.pipelineId, deal.stageId, deal.version, JSON.stringify(deal)];
            const { rows } = expectedVersion === null
              ? await tx.query('INSERT INTO sp_deals (id, layout_id, pipeline_id, stage_id, version, body) VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (id) DO NOTHING RETURNING id', values)
              : await tx.query('UPDATE sp_deals SET layout_id = $2, pipeline_id = $3, stage_id = $4, version = $5, body = $6::jsonb WHERE id = $1 AND version = $7 RETURNING id', [...values, expectedVersion]);
            if (rows.length !== 1) conflicts.push(deal.id);
          }
          // Throwing rolls the whole transaction back: all or nothing.
          if (conflicts.length > 0) throw new PipelineError('conflict', `deals changed since they were read: ${conflicts.join(', ')}`, { ids: conflicts });
        });
      },
    },
  };
}
