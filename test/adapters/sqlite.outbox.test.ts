import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createPipelineService, type DealEvent } from '../../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { CLAIM_SQL } from '../../src/adapters/sqlite/outbox.js';

const NOW = Date.parse('2026-03-02T09:00:00Z');

/** Repositories whose outbox holds `events` (stored as a workspace save would store them: one save per event). */
function outboxWith(events: { dealId: string | null; version: number }[]) {
  const db = new Database(':memory:');
  migrateSqlite(db);
  const repos = createSqliteRepositories(db, { tenantId: 'acme' });
  const insert = db.prepare('INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, body, n) VALUES (?, ?, ?, ?, ?, 0)');
  for (const [i, e] of events.entries()) {
    const event = { type: 'dealUpdated', id: `e${i}`, ...(e.dealId === null ? {} : { dealId: e.dealId }), version: e.version, at: NOW };
    insert.run('acme', event.id, e.dealId, e.version, JSON.stringify(event));
  }
  return { db, outbox: repos.outbox };
}

const ids = (entries: { event: { id: string } }[]) => entries.map((e) => e.event.id);

describe('outbox claims (sqlite)', () => {
  it('claims due events sorted by seq, each the next of its stream, and holds them for the owner until the lease ends', async () => {
    const { db, outbox } = outboxWith([{ dealId: 'd1', version: 1 }, { dealId: 'd2', version: 1 }, { dealId: 'd1', version: 2 }, { dealId: null, version: 3 }, { dealId: null, version: 4 }]);
    const first = await outbox.claim({ owner: 'w1', limit: 2, leaseMs: 1000, now: NOW });
    expect(ids(first)).toEqual(['e0', 'e1']);
    expect(first[0]).toMatchObject({ attempts: 0, lastError: null });
    // e2 follows e0 in d1's stream, and e0 is held by w1: w2 gets only the workspace stream.
    expect(ids(await outbox.claim({ owner: 'w2', limit: 10, leaseMs: 1000, now: NOW + 1 }))).toEqual(['e3', 'e4']);
    expect(await outbox.claim({ owner: 'w3', limit: 10, leaseMs: 1000, now: NOW + 2 })).toEqual([]);
    // w1's lease ended: another owner may take its events (and e2 with them, the next of d1's stream).
    expect(ids(await outbox.claim({ owner: 'w3', limit: 10, leaseMs: 1000, now: NOW + 1001 }))).toEqual(['e0', 'e1', 'e2']);
    await outbox.markDelivered(first.map((e) => e.seq));
    expect(ids(await outbox.pending(10))).toEqual(['e2', 'e3', 'e4']);
    db.close();
  });

  it('retries a failed event at retryAt, counting attempts; only the owner that claimed it can fail it', async () => {
    const { db, outbox } = outboxWith([{ dealId: 'd1', version: 1 }, { dealId: 'd1', version: 2 }]);
    const [e0] = await outbox.claim({ owner: 'w1', limit: 1, leaseMs: 1000, now: NOW });
    await outbox.fail([e0!.seq], { owner: 'w2', error: 'not mine', retryAt: NOW + 10 });
    expect(await outbox.claim({ owner: 'w2', limit: 10, leaseMs: 1000, now: NOW + 1 })).toEqual([]);
    await outbox.fail([e0!.seq], { owner: 'w1', error: 'x'.repeat(1500), retryAt: NOW + 5000 });
    // Not due before retryAt, and its stream waits for it.
    expect(await outbox.claim({ owner: 'w2', limit: 10, leaseMs: 1000, now: NOW + 4999 })).toEqual([]);
    const again = await outbox.claim({ owner: 'w2', limit: 10, leaseMs: 1000, now: NOW + 5000 });
    expect(ids(again)).toEqual(['e0', 'e1']);
    expect(again[0]).toMatchObject({ attempts: 1, lastError: 'x'.repeat(1000) });
    db.close();
  });

  it('parks an event failed without retryAt: out of pending and claims, listed by parked, blocking nothing; retryParked makes it due again', async () => {
    const { db, outbox } = outboxWith([{ dealId: 'd1', version: 1 }, { dealId: 'd1', version: 2 }]);
    const [e0] = await outbox.claim({ owner: 'w1', limit: 1, leaseMs: 1000, now: NOW });
    await outbox.fail([e0!.seq], { owner: 'w1', error: 'poison', retryAt: null });
    expect(ids(await outbox.pending(10))).toEqual(['e1']);
    expect(ids(await outbox.claim({ owner: 'w1', limit: 10, leaseMs: 1000, now: NOW + 1 }))).toEqual(['e1']);
    const parked = await outbox.parked(10);
    expect(parked).toEqual([expect.objectContaining({ seq: e0!.seq, attempts: 1, lastError: 'poison' })]);
    expect(await outbox.retryParked([e0!.seq, 999])).toBe(1);
    expect(await outbox.parked(10)).toEqual([]);
    expect(ids(await outbox.pending(10))).toEqual(['e0', 'e1']);
    expect(db.prepare('SELECT attempts, due_at, parked_at FROM sp_outbox WHERE seq = ?').get(e0!.seq)).toEqual({ attempts: 0, due_at: null, parked_at: null });
    db.close();
  });

  it('purges delivered events delivered before an instant, returning how many', async () => {
    const { db, outbox } = outboxWith([{ dealId: 'd1', version: 1 }, { dealId: 'd2', version: 1 }, { dealId: 'd3', version: 1 }]);
    const [a, b] = await outbox.pending(2);
    await outbox.markDelivered([a!.seq, b!.seq]);
    db.prepare('UPDATE sp_outbox SET delivered_at = ? WHERE seq = ?').run(NOW - 10, a!.seq);
    expect(await outbox.purgeDelivered(NOW)).toBe(1);
    expect(await outbox.purgeDelivered(Date.now() + 1000)).toBe(1);
    expect(db.prepare('SELECT event_id FROM sp_outbox').pluck().all()).toEqual(['e2']);
    db.close();
  });

  it("stamps a parked event with the failing caller's instant (now), falling back to its own clock without one", async () => {
    const { db, outbox } = outboxWith([{ dealId: 'd1', version: 1 }, { dealId: 'd2', version: 1 }]);
    const [a, b] = await outbox.claim({ owner: 'w', limit: 2, leaseMs: 1000, now: NOW });
    await outbox.fail([a!.seq], { owner: 'w', error: 'poison', retryAt: null, now: NOW + 7 });
    const before = Date.now();
    await outbox.fail([b!.seq], { owner: 'w', error: 'poison', retryAt: null });
    const parkedAt = db.prepare('SELECT parked_at FROM sp_outbox WHERE seq = ?').pluck();
    expect(parkedAt.get(a!.seq)).toBe(NOW + 7);
    expect(parkedAt.get(b!.seq)).toBeGreaterThanOrEqual(before);
    db.close();
  });

  it("a service parks an event at its own clock's instant, not the adapter's", async () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    const service = createPipelineService({
      ...createSqliteRepositories(db),
      clock: () => NOW,
      onEvents: () => Promise.reject(new Error('consumer down')),
      onDeliveryError: () => undefined,
      delivery: { maxAttempts: 1 },
    });
    await service.configure({ type: 'addLayout', layoutId: 'sales', name: 'Sales', stages: [{ id: 'open', name: 'Open', probability: 10, outcome: 'open', forecastCategory: 'pipeline' }] }, { by: 'admin' });
    await service.idle();
    expect(db.prepare('SELECT parked_at FROM sp_outbox').pluck().all()).toEqual([NOW]);
    db.close();
  });

  it('refuses malformed claims and failures with invalid_input naming the field', async () => {
    const { db, outbox } = outboxWith([]);
    for (const [claim, path] of [
      [{ owner: '', limit: 1, leaseMs: 1, now: NOW }, 'claim.owner'],
      [{ owner: 'w', limit: 0, leaseMs: 1, now: NOW }, 'claim.limit'],
      [{ owner: 'w', limit: 1, leaseMs: 0, now: NOW }, 'claim.leaseMs'],
      [{ owner: 'w', limit: 1, leaseMs: 1, now: 'now' }, 'claim.now'],
    ] as const) await expect(outbox.claim(claim as never)).rejects.toMatchObject({ code: 'invalid_input', details: { path } });
    await expect(outbox.fail([1], { owner: 'w', error: 'e', retryAt: 'later' as never })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'failure.retryAt' } });
    await expect(outbox.fail([1], { owner: 'w', error: 'e', retryAt: null, now: 1.5 })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'failure.now' } });
    await expect(outbox.retryParked('1' as never)).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'seqs' } });
    await expect(outbox.purgeDelivered(Number.NaN)).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'before' } });
    db.close();
  });

  it('stores the events of one save with their place in it, so a stream orders by (version, n)', async () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    const repos = createSqliteRepositories(db);
    const events = [0, 1, 2].map((i) => ({ type: 'dealUpdated', id: `deal/1/${i}/d1`, dealId: 'd1', version: 1, at: NOW }) as unknown as DealEvent);
    await repos.workspace.save({ version: 1, layouts: [] } as never, 0, { events: events as never });
    expect(db.prepare('SELECT event_id, n FROM sp_outbox ORDER BY seq').all()).toEqual(events.map((e, n) => ({ event_id: e.id, n })));
    db.close();
  });

  it('reads pending events through the partial index of pending rows, however many delivered rows are kept', () => {
    const { db } = outboxWith([]);
    db.exec(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 100000)
      INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, body, delivered_at) SELECT 'acme', 'e' || i, 'd' || (i % 5000), i, '{}', CASE WHEN i % 100 = 0 THEN NULL ELSE i END FROM k;
      ANALYZE;`);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ tenant: 'acme', now: NOW, owner: 'w', limit: 10 }) as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan("SELECT seq FROM sp_outbox INDEXED BY sp_outbox_due WHERE tenant_id = @tenant AND delivered_at IS NULL AND parked_at IS NULL ORDER BY seq LIMIT @limit")).toMatch(/USING (COVERING )?INDEX sp_outbox_due \(tenant_id=\?\)/);
    // The claim's stream probe: the pending rows of one stream, by index.
    expect(plan(`SELECT o.seq FROM sp_outbox o INDEXED BY sp_outbox_due WHERE o.tenant_id = @tenant AND o.delivered_at IS NULL AND o.parked_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM sp_outbox e INDEXED BY sp_outbox_streams WHERE e.tenant_id = @tenant AND e.deal_id IS o.deal_id AND e.delivered_at IS NULL AND e.parked_at IS NULL AND e.version < o.version)
      ORDER BY o.seq LIMIT @limit`)).toMatch(/INDEX sp_outbox_streams \(tenant_id=\? AND deal_id=\? AND version<\?\)/);
    db.close();
  });

  it('claims past a backlog waiting for its retry without reading it: new events by seq, due retries by due time, each from its own index', async () => {
    const { db, outbox } = outboxWith([]);
    db.exec(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 50000)
      INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, body, attempts, due_at)
        SELECT 'acme', 'w' || i, 'w' || i, 1, json_object('type', 'dealUpdated', 'id', 'w' || i), 1, ${NOW} + 60000 + i FROM k;
      INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, body, attempts, due_at) VALUES ('acme', 'due', 'x', 1, '{"type":"dealUpdated","id":"due"}', 1, ${NOW} - 5);
      INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, body) VALUES ('acme', 'new', 'y', 1, '{"type":"dealUpdated","id":"new"}');
      ANALYZE;`);
    expect(ids(await outbox.claim({ owner: 'w', limit: 10, leaseMs: 1000, now: NOW }))).toEqual(['due', 'new']);
    expect(ids(await outbox.claim({ owner: 'v', limit: 3, leaseMs: 1000, now: NOW + 60_002 }))).toEqual(['w1', 'w2', 'due']);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${CLAIM_SQL}`).all({ tenant: 'acme', now: NOW, owner: 'w', limit: 10 }) as { detail: string }[]).map((r) => r.detail);
    expect(plan).toContain('SEARCH o USING INDEX sp_outbox_fresh (tenant_id=?)');
    expect(plan).toContain('SEARCH o USING INDEX sp_outbox_retry (tenant_id=? AND due_at>? AND due_at<?)');
    expect(plan.join('; ')).not.toMatch(/sp_outbox_due/);
    db.close();
  });

  it('migrateSqlite gives a version-4 database without the claim indexes its missing ones', () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    db.exec('DROP INDEX sp_outbox_fresh; DROP INDEX sp_outbox_retry; DELETE FROM sp_schema; INSERT INTO sp_schema (version) VALUES (4)');
    expect(migrateSqlite(db)).toBe(6);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('sp_outbox_fresh', 'sp_outbox_retry') ORDER BY name").pluck().all()).toEqual(['sp_outbox_fresh', 'sp_outbox_retry']);
    db.close();
  });
});
