import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDeal, isPipelineError } from '../../src/index.js';
import { createPostgresRepositories, migratePostgres, type PostgresClient, type PostgresQueryable } from '../../src/postgres.js';
import { dealerWorkspace } from '../../examples/dealership.js';
import { freshTenant, SERVER_URL } from './postgresDatabases.js';

const ROLE = 'sales_pipelines_rls_test';

/** The PostgreSQL guide's row-level security statements, granted to the test's role instead of `app`. */
function readmeRlsStatements(): string[] {
  const readme = readFileSync(join(import.meta.dirname, '../../docs/postgres.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Row-level security'));
  const sql = /```sql\n([\s\S]*?)```/.exec(section)![1]!;
  return sql.split(';\n').map((s) => s.trim()).filter(Boolean).map((s) => s.replace(/ TO app$/, ` TO ${ROLE}`));
}

async function enableRls(admin: PostgresQueryable, login: boolean): Promise<void> {
  await admin.query(`CREATE ROLE ${ROLE} ${login ? 'LOGIN' : 'NOLOGIN'}`).catch((e: { code?: string }) => {
    if (e.code !== '42710') throw e; // it exists already
  });
  for (const table of ['sp_workspace', 'sp_deals', 'sp_deal_changes', 'sp_stage_visits', 'sp_outbox']) await admin.query(`DROP POLICY IF EXISTS sp_tenant ON ${table}`);
  for (const statement of readmeRlsStatements()) await admin.query(statement);
}

const ws = dealerWorkspace();
const deal = (id: string) => applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId: 'sales', name: id } }, { at: Date.UTC(2026, 0, 5) }).deal;

describe('row-level security on PGlite (SET ROLE to a role that is not a superuser)', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = new PGlite();
    await migratePostgres(db);
    await enableRls(db, false);
  }, 60_000);
  afterAll(() => db.close());

  it('lets a session see and write only the tenant of its setting, whatever tenant the adapter is given', async () => {
    const other = createPostgresRepositories(db, { tenantId: 'globex' });
    await other.workspace.save(ws, 0);
    await other.deals.save([{ deal: deal('secret'), expectedVersion: null }]);
    await db.query(`SET ROLE ${ROLE}`);
    try {
      await db.query(`SELECT set_config('sales_pipelines.tenant_id', 'acme', false)`);
      const acme = createPostgresRepositories(db, { tenantId: 'acme' });
      await acme.workspace.save(ws, 0);
      await acme.deals.save([{ deal: deal('mine'), expectedVersion: null }]);
      expect((await acme.deals.list({ limit: 10 })).deals.map((d) => d.id)).toEqual(['mine']);
      const posingAsGlobex = createPostgresRepositories(db, { tenantId: 'globex' });
      expect(await posingAsGlobex.deals.get('secret')).toBeNull();
      expect((await posingAsGlobex.workspace.load()).version).toBe(0);
      expect((await posingAsGlobex.visits.list({ limit: 10 })).visits).toEqual([]);
      const { rows } = await db.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM sp_deals');
      expect(rows).toEqual([{ tenant_id: 'acme' }]);
      const refused = await posingAsGlobex.deals.save([{ deal: deal('planted'), expectedVersion: null }]).then(() => null, (e: unknown) => e);
      expect(isPipelineError(refused, 'storage_failed')).toBe(true);
      expect((refused as { details: { sqlState?: string } }).details.sqlState).toBe('42501');
    } finally {
      await db.query('RESET ROLE');
    }
    expect(await other.deals.get('planted')).toBeNull();
    expect((await other.deals.get('secret'))!.id).toBe('secret');
  });
});

describe.runIf(SERVER_URL)('row-level security on the PostgreSQL server (a login role, tenant set per transaction)', () => {
  let admin: pg.Pool;
  let app: pg.Pool;
  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: SERVER_URL, max: 2 });
    await migratePostgres({ query: (sql, params) => admin.query(sql, params) as never, transaction: async (fn) => fn({ query: (sql, params) => admin.query(sql, params) as never }) });
    await enableRls(admin as never, true);
    const url = new URL(SERVER_URL!);
    url.username = ROLE;
    url.password = '';
    app = new pg.Pool({ connectionString: url.toString(), max: 4 });
  }, 60_000);
  afterAll(async () => {
    await app?.end();
    await admin?.end();
  });

  /** The README's wrapper: every statement in a transaction with the tenant setting. */
  function forTenant(pool: pg.Pool, tenantId: string): PostgresClient {
    const scoped = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query(`SELECT set_config('sales_pipelines.tenant_id', $1, true)`, [tenantId]);
        const result = await fn(c);
        await c.query('COMMIT');
        return result;
      } catch (e) {
        await c.query('ROLLBACK');
        throw e;
      } finally {
        c.release();
      }
    };
    return { query: (sql, params) => scoped((c) => c.query(sql, params)) as never, transaction: (fn) => scoped(fn) };
  }

  it('keeps a tenant from reading or writing another tenant, even when the adapter asks for it', async () => {
    const [acmeId, globexId] = [freshTenant('acme'), freshTenant('globex')];
    const globex = createPostgresRepositories(forTenant(app, globexId), { tenantId: globexId });
    await globex.workspace.save(ws, 0);
    const created = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'secret', layoutId: 'sales', name: 'secret' } }, { at: Date.UTC(2026, 0, 5) });
    await globex.deals.save([{ deal: created.deal, expectedVersion: null }], { events: created.events });
    expect((await globex.outbox.pending(10)).map((p) => p.event)).toEqual(created.events);
    const acmeSession = forTenant(app, acmeId);
    const acme = createPostgresRepositories(acmeSession, { tenantId: acmeId });
    await acme.deals.save([{ deal: deal('mine'), expectedVersion: null }]);
    const posing = createPostgresRepositories(acmeSession, { tenantId: globexId });
    expect(await posing.deals.get('secret')).toBeNull();
    expect((await posing.workspace.load()).version).toBe(0);
    expect(await posing.outbox.pending(10)).toEqual([]);
    const { rows } = await acmeSession.query<{ n: number }>('SELECT count(*)::int AS n FROM sp_deals WHERE tenant_id <> $1', [acmeId]);
    expect(rows).toEqual([{ n: 0 }]);
    const refused = await posing.deals.save([{ deal: deal('planted'), expectedVersion: null }]).then(() => null, (e: unknown) => e);
    expect(isPipelineError(refused, 'storage_failed')).toBe(true);
    expect((await globex.deals.get('secret'))!.id).toBe('secret');
    expect(await globex.deals.get('planted')).toBeNull();
  });
});
