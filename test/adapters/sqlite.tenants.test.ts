import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isPipelineError } from '../../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { wholeDeals as allDeals } from '../helpers/paging.js';
import { runWorkload } from './sqlite.workload.js';

const CONTROL = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b|\bFROM (sqlite_master|sp_schema)\b/;

describe('createSqliteRepositories with tenants', () => {
  it('prepares only statements that filter by, insert or join on the tenant id', async () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    const statements: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      statements.push(sql.replace(/\s+/g, ' ').trim());
      return prepare(sql);
    }) as typeof db.prepare;
    await runWorkload(createSqliteRepositories(db, { tenantId: 'acme' }));
    const data = statements.filter((s) => !CONTROL.test(s));
    expect(data.length).toBeGreaterThan(20);
    for (const sql of data) {
      if (sql.startsWith('INSERT')) expect(sql, sql).toMatch(/^INSERT INTO sp_\w+ \(tenant_id,/);
      else expect(sql, sql).toMatch(/\bWHERE (\w+\.)?tenant_id = \?/);
      for (const join of sql.matchAll(/JOIN (\w+) (\w+) ON ([^=]+= [^ ]+)/g)) {
        if (join[1] === 'json_each(?)') continue;
        expect(join[3], sql).toMatch(/^\w+\.tenant_id = \w+\.tenant_id$/);
      }
    }
    db.close();
  });

  it('keeps tenants apart: the same deal ids in two tenants, each sees only its own rows', async () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    const acme = createSqliteRepositories(db, { tenantId: 'acme' });
    const globex = createSqliteRepositories(db, { tenantId: "globex'; DROP TABLE sp_deals; --" });
    await runWorkload(acme);
    await runWorkload(globex);
    const [a, g] = [await allDeals(acme), await allDeals(globex)];
    expect(a.map((d) => d.id)).toEqual(g.map((d) => d.id));
    expect(db.prepare('SELECT count(DISTINCT tenant_id) FROM sp_deals').pluck().get()).toBe(2);
    expect(await createSqliteRepositories(db, { tenantId: 'initech' }).deals.list({ limit: 10 })).toEqual({ deals: [], next: null });
    expect((await createSqliteRepositories(db).workspace.load()).version).toBe(0);
    db.close();
  });

  it('stores rows of repositories without tenantId under the default tenant', async () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    await runWorkload(createSqliteRepositories(db));
    expect(db.prepare('SELECT DISTINCT tenant_id FROM sp_deals').pluck().all()).toEqual(['default']);
    expect(await allDeals(createSqliteRepositories(db, { tenantId: 'default' }))).toEqual(await allDeals(createSqliteRepositories(db)));
    db.close();
  });

  it('refuses a tenant id that is not a non-empty string, or holds U+0000', () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    for (const tenantId of ['', 42, 'a\u0000b', '\uD800']) {
      let error: unknown;
      try {
        createSqliteRepositories(db, { tenantId: tenantId as string });
      } catch (e) {
        error = e;
      }
      expect(isPipelineError(error, 'invalid_input'), String(tenantId)).toBe(true);
    }
    db.close();
  });
});
