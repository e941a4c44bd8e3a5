import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineService, isPipelineError, type Deal } from '../../src/index.js';
import { createPostgresRepositories, fromPgPool, migratePostgres, type PostgresClient } from '../../src/postgres.js';
import { V2_READ, V2_STATEMENTS } from './fixtures/postgresV2.js';
import { SERVER_URL, wholeDeals } from './postgresDatabases.js';
import { steppingClock } from '../service/helpers.js';

const TENANTS = Object.keys(V2_READ);

function migration(name: string, open: () => Promise<{ db: PostgresClient; close: () => Promise<void> }>) {
  describe(`migratePostgres from schema version 2 (${name})`, () => {
    let db: PostgresClient;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ db, close } = await open());
      for (const statement of V2_STATEMENTS) await db.query(statement);
    }, 60_000);
    afterAll(() => close());

    it('refuses to read an unmigrated version-2 database, naming migratePostgres', async () => {
      const error = await createPostgresRepositories(db, { tenantId: 'acme' }).deals.get('acme-d1').then(() => null, (e: unknown) => e);
      expect(isPipelineError(error, 'storage_failed')).toBe(true);
      expect((error as Error).message).toContain('migratePostgres');
    });

    it('splits every body into columns and change rows: every deal, visit, change and outbox row reads back as before', async () => {
      expect(await migratePostgres(db)).toBe(3);
      for (const tenantId of TENANTS) {
        const before = V2_READ[tenantId]!;
        const repos = createPostgresRepositories(db, { tenantId });
        expect(await repos.workspace.load()).toEqual(before.workspace);
        const deals = await wholeDeals(repos, 5);
        expect(deals).toEqual(before.deals);
        for (const deal of before.deals as Deal[]) expect(await repos.deals.get(deal.id)).toEqual(deal);
        expect(await repos.outbox.pending(1000)).toEqual(before.pending);
      }
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::integer AS n FROM sp_deal_changes`);
      const changes = Object.values(V2_READ).flatMap((r) => r.deals as Deal[]).reduce((n, d) => n + (d.changes?.length ?? 0), 0);
      expect(rows[0]!.n).toBe(changes);
      const { rows: columns } = await db.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'sp_deals' AND column_name = 'body'`);
      expect(columns).toEqual([]);
    });

    it('keeps deals without a change log without one, and lower-cases names as JavaScript does', async () => {
      const acme = createPostgresRepositories(db, { tenantId: 'acme' });
      expect((await acme.deals.get('acme-d4'))!.changes).toBeUndefined();
      const { rows } = await db.query<{ name: string; name_key: string }>(`SELECT name, name_key FROM sp_deals`);
      for (const r of rows) expect(r.name_key).toBe(r.name.toLowerCase());
    });

    it('is idempotent, and the migrated store keeps working: outbox order by stream, new writes, listings', async () => {
      expect(await migratePostgres(db)).toBe(3);
      const repos = createPostgresRepositories(db, { tenantId: 'zeta ünïcode' });
      const claimed = await repos.outbox.claim({ owner: 'w', limit: 1000, leaseMs: 60_000, now: Date.parse('2026-06-01T00:00:00Z') });
      // One event per stream at most ahead of its stream's earlier ones: within a stream, versions never go down.
      const lastVersion = new Map<string | null, number>();
      for (const { event } of claimed) {
        const stream = 'dealId' in event ? event.dealId : null;
        expect(event.version).toBeGreaterThanOrEqual(lastVersion.get(stream) ?? 0);
        lastVersion.set(stream, event.version);
      }
      const service = createPipelineService({ ...repos, clock: steppingClock(Date.parse('2026-06-01T00:00:00Z')) });
      const moved = await service.dispatch('zeta ünïcode-d1', { type: 'moveToStage', stageId: 'negotiation' });
      expect(await repos.deals.get('zeta ünïcode-d1')).toEqual(moved);
      const page = await repos.deals.list({ search: 'café', sort: 'amount', order: 'desc', limit: 10 });
      expect(page.deals.map((d) => d.id)).toEqual(['zeta ünïcode-d0', 'zeta ünïcode-d5']);
    });
  });
}

describe('an empty database', () => {
  it('gives storage_failed saying to run migratePostgres, not a missing-relation error', async () => {
    const db = new PGlite();
    try {
      for (const call of [(r: ReturnType<typeof createPostgresRepositories>) => r.workspace.load(), (r: ReturnType<typeof createPostgresRepositories>) => r.deals.list({ limit: 5 })]) {
        const error = await call(createPostgresRepositories(db)).then(() => null, (e: unknown) => e);
        expect(isPipelineError(error, 'storage_failed')).toBe(true);
        expect((error as Error).message).toMatch(/run migratePostgres/);
      }
    } finally {
      await db.close();
    }
  }, 60_000);
});

migration('PGlite', async () => {
  const db = new PGlite();
  return { db, close: () => db.close() };
});

describe.runIf(SERVER_URL)('on the server', () => {
  migration('server, a database of its own', async () => {
    const admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    const name = `sp_migrate_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(SERVER_URL ?? '');
    url.pathname = `/${name}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
    return {
      db: fromPgPool(pool),
      close: async () => {
        await pool.end();
        await admin.query(`DROP DATABASE ${name}`);
        await admin.end();
      },
    };
  });
});
