import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { createPostgresRepositories, fromPgPool, type PostgresClient } from '../../src/postgres.js';
import { DUE, PENDING } from '../../src/adapters/postgres/outbox.js';
import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL } from './postgresDatabases.js';

const NOW = Date.parse('2026-03-02T09:00:00Z');

/** Stores events in this order (seq follows it), as a node numbering seq on its own might: [stream, version]. */
async function seed(db: PostgresClient, tenantId: string, rows: readonly [string | null, number][]): Promise<void> {
  for (const [dealId, version] of rows) {
    const event = dealId === null ? { type: 'workspaceChanged', id: `ws/${version}`, version } : { type: 'dealUpdated', id: `${dealId}/${version}`, dealId, version };
    await db.query(`INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, n, body) VALUES ($1, $2, $3, $4, 0, $5::jsonb)`, [tenantId, event.id, dealId, version, JSON.stringify(event)]);
  }
}

const ids = (entries: readonly { event: { id: string } }[]) => entries.map((e) => e.event.id);

function outbox(name: string, database: () => Promise<PostgresClient>) {
  describe(`outbox claims on ${name}`, () => {
    const setup = async (rows: readonly [string | null, number][]) => {
      const db = await database();
      const tenantId = freshTenant('outbox');
      await seed(db, tenantId, rows);
      return createPostgresRepositories(db, { tenantId }).outbox;
    };
    const claim = (o: Awaited<ReturnType<typeof setup>>, owner: string, limit: number, now = NOW) => o.claim({ owner, limit, leaseMs: 60_000, now });

    it("hands out each stream in version order whatever order seq numbered it, and a batch sorted by seq", async () => {
      const o = await setup([['a', 3], ['a', 1], ['b', 1], [null, 2], ['a', 2], [null, 1]]);
      expect(ids(await claim(o, 'w', 1))).toEqual(['a/1']);
      const rest = await claim(o, 'w', 10);
      // a/1 is still this owner's; a/2 and a/3 follow it, the workspace's 1 before its 2.
      expect(ids(rest)).toEqual(['a/3', 'a/1', 'b/1', 'ws/2', 'a/2', 'ws/1']);
      const seqs = rest.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    });

    it("holds a stream behind an event another owner leases, and hands the rest to the next claim", async () => {
      const o = await setup([['a', 1], ['a', 2], ['b', 1]]);
      expect(ids(await claim(o, 'w1', 1))).toEqual(['a/1']);
      expect(ids(await claim(o, 'w2', 10))).toEqual(['b/1']);
      // Once the lease runs out, a/1 is due again for anyone.
      expect(ids(await claim(o, 'w2', 10, NOW + 60_001))).toEqual(['a/1', 'a/2', 'b/1']);
    });

    it('fails with a retry time (not due before it) or parks (the stream goes on without it); retryParked and purgeDelivered count', async () => {
      const o = await setup([['a', 1], ['a', 2], ['b', 1], ['c', 1]]);
      const [a1, a2, b1, c1] = await claim(o, 'w', 10);
      await o.fail([b1!.seq], { owner: 'w', error: 'x'.repeat(2000), retryAt: NOW + 100_000 });
      await o.fail([a1!.seq], { owner: 'other', error: 'not mine', retryAt: null });
      await o.fail([c1!.seq], { owner: 'w', error: 'poison', retryAt: null });
      expect(ids(await claim(o, 'w2', 10, NOW + 60_001))).toEqual(['a/1', 'a/2']);
      const later = await claim(o, 'w3', 10, NOW + 120_002);
      expect(ids(later)).toEqual(['a/1', 'a/2', 'b/1']);
      expect(later[2]).toMatchObject({ attempts: 1, lastError: 'x'.repeat(1000) });
      expect(await o.parked(10)).toEqual([expect.objectContaining({ seq: c1!.seq, attempts: 1, lastError: 'poison' })]);
      expect(ids(await o.pending(10))).toEqual(['a/1', 'a/2', 'b/1']);
      expect(await o.retryParked([c1!.seq, a2!.seq])).toBe(1);
      expect(ids(await o.pending(10))).toEqual(['a/1', 'a/2', 'b/1', 'c/1']);
      await o.markDelivered([a1!.seq, a2!.seq]);
      expect(await o.purgeDelivered(Date.now() + 1000)).toBe(2);
      expect(await o.purgeDelivered(Date.now() + 1000)).toBe(0);
      expect(ids(await o.pending(10))).toEqual(['b/1', 'c/1']);
    });

    it('never hands the same event to two concurrent claims', async () => {
      const rows: [string, number][] = [];
      for (let d = 0; d < 30; d++) for (let v = 1; v <= 3; v++) rows.push([`d${d}`, v]);
      const o = await setup(rows);
      const batches = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((w) => claim(o, w, 25)));
      const all = batches.flat().map((e) => e.seq);
      expect(new Set(all).size).toBe(all.length);
      expect(all.length).toBeGreaterThan(0);
    });

    it("stamps a parked event with the failing caller's instant (now), falling back to its own clock without one", async () => {
      const db = await database();
      const tenantId = freshTenant('outbox');
      await seed(db, tenantId, [['a', 1], ['b', 1]]);
      const o = createPostgresRepositories(db, { tenantId }).outbox;
      const [a, b] = await claim(o, 'w', 2);
      await o.fail([a!.seq], { owner: 'w', error: 'poison', retryAt: null, now: NOW + 7 });
      const before = Date.now();
      await o.fail([b!.seq], { owner: 'w', error: 'poison', retryAt: null });
      const { rows } = await db.query<{ parked_at: string }>('SELECT parked_at FROM sp_outbox WHERE tenant_id = $1 ORDER BY seq', [tenantId]);
      expect(Number(rows[0]!.parked_at)).toBe(NOW + 7);
      expect(Number(rows[1]!.parked_at)).toBeGreaterThanOrEqual(before);
    });

    it('claims past a backlog waiting for its retry without reading it: new events by seq, due retries by due time, each from its own index', async () => {
      const db = await database();
      const tenantId = freshTenant('outbox');
      await db.query(`INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, n, body, attempts, due_at)
        SELECT $1, 'w' || i, 'w' || i, 1, 0, jsonb_build_object('type', 'dealUpdated', 'id', 'w' || i), 1, $2::bigint + 60000 + i FROM generate_series(1, 20000) i`, [tenantId, NOW]);
      await seed(db, tenantId, [['due', 1], ['new', 1]]);
      await db.query(`UPDATE sp_outbox SET attempts = 1, due_at = $2 WHERE tenant_id = $1 AND deal_id = 'due'`, [tenantId, NOW - 5]);
      await db.query('ANALYZE sp_outbox');
      const o = createPostgresRepositories(db, { tenantId }).outbox;
      expect(ids(await claim(o, 'w', 10))).toEqual(['due/1', 'new/1']);
      expect(ids(await o.claim({ owner: 'v', limit: 3, leaseMs: 1000, now: NOW + 60_002 }))).toEqual(['w1', 'w2', 'due/1']);
      const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${DUE.replace(/\$(\d)/g, (_, i: string) => ['', `'${tenantId}'`, String(NOW), "'w'", '10'][Number(i)]!)}`);
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Scan using sp_outbox_fresh/);
      expect(plan).toMatch(/Index Scan using sp_outbox_retry[^\n]*\n[^\n]*Index Cond: [^\n]*\(due_at <= /);
      expect(plan).not.toMatch(/sp_outbox_due/);
    });

    it('refuses malformed claims and failures naming the field', async () => {
      const o = await setup([]);
      await expect(o.claim({ owner: '', limit: 1, leaseMs: 1, now: NOW })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'claim.owner' } });
      await expect(o.claim({ owner: 'w', limit: 0, leaseMs: 1, now: NOW })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'claim.limit' } });
      await expect(o.fail([1], { owner: 'w', error: 'e', retryAt: 1.5 })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'failure.retryAt' } });
      await expect(o.fail([1], { owner: 'w', error: 'e', retryAt: null, now: 1.5 })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'failure.now' } });
      await expect(o.purgeDelivered(Number.NaN)).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'before' } });
    });
  });
}

outbox('PGlite', pgliteDatabase());
describe.runIf(SERVER_URL)('server', () => outbox('the PostgreSQL server', serverDatabase(SERVER_URL ?? '')));

/** The plan of one of the outbox's statements with its parameters written in (EXPLAIN does not take them). */
async function planOf(db: PostgresClient, sql: string, params: readonly string[], analyze = false): Promise<string> {
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${analyze ? '(ANALYZE) ' : ''}${sql.replace(/\$(\d)/g, (_, i: string) => params[Number(i) - 1]!)}`);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

describe.runIf(SERVER_URL)('outbox plans at 100,000 pending events on the PostgreSQL server', () => {
  const database = serverDatabase(SERVER_URL ?? '');
  it('pending and claims read the partial indexes from the start of the backlog, with no sort or scan of the whole table', async () => {
    const db = await database();
    const tenantId = freshTenant('outbox-plan');
    // 100,000 delivered events and 100,000 pending ones: a tenth never tried, the rest waiting for a
    // retry after an outage (one in a thousand of them due now).
    await db.query(`INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, n, body, delivered_at, attempts, due_at)
      SELECT $1, 'e' || i, 'd' || (i % 20000), i, 0, '{}'::jsonb, CASE WHEN i % 2 = 0 THEN i END,
        CASE WHEN i % 2 = 1 AND i % 10 <> 1 THEN 1 ELSE 0 END,
        CASE WHEN i % 2 = 0 OR i % 10 = 1 THEN NULL WHEN i % 2000 = 3 THEN $2::bigint - i ELSE $2::bigint + 86400000 END
      FROM generate_series(1, 200000) i`, [tenantId, NOW]);
    await db.query('ANALYZE sp_outbox');
    const tenant = `'${tenantId}'`;
    const pending = await planOf(db, PENDING, [tenant, '500']);
    expect(pending).toMatch(/^Limit/);
    expect(pending).toMatch(/Index Scan using sp_outbox_due/);
    expect(pending).not.toMatch(/Seq Scan|Sort|Bitmap/);
    // A claim of 500 reads about as many rows as it may hand out (a tenth of the pending rows are
    // new: the planner may read them through either index), never through the 90,000 waiting.
    const due = await planOf(db, DUE, [tenant, String(NOW), "'w'", '500'], true);
    expect(due).not.toMatch(/Seq Scan/);
    const removed = [...due.matchAll(/Rows Removed by Filter: (\d+)/g)].map((m) => Number(m[1]));
    expect(Math.max(0, ...removed)).toBeLessThan(10_000);
    await db.query('DELETE FROM sp_outbox WHERE tenant_id = $1', [tenantId]);
  }, 120_000);

  it("plans a claim's due rows for each call: a prepared statement's generic plan would read the backlog waiting for a retry", async () => {
    await database(); // migrated
    const pool = new pg.Pool({ connectionString: SERVER_URL, max: 1 });
    try {
      const tenantId = freshTenant('outbox-plan');
      await pool.query(`INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, n, body, attempts, due_at)
        SELECT $1, 'w' || i, 'w' || i, 1, 0, '{}'::jsonb, 1, $2::bigint + 86400000 FROM generate_series(1, 1000) i`, [tenantId, NOW]);
      const o = createPostgresRepositories(fromPgPool(pool), { tenantId }).outbox;
      for (let i = 0; i < 8; i++) expect(await o.claim({ owner: 'w', limit: 10, leaseMs: 1000, now: NOW + i })).toEqual([]);
      const { rows } = await pool.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
      expect(rows.filter((r) => r.statement.includes('WITH fresh AS'))).toEqual([]);
      await pool.query('DELETE FROM sp_outbox WHERE tenant_id = $1', [tenantId]);
    } finally {
      await pool.end();
    }
  }, 120_000);
});
