import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createPipelineService, type Deal } from '../../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { dealerCommands } from '../../examples/dealership.js';
import { createSqliteRepositories as createV1Repositories, migrateSqlite as migrateV1 } from './fixtures/sqliteV1.js';
import { allDeals, steppingClock } from '../service/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sp-sqlite-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A database written by 0.1's adapter: the dealer, 30 deals, most of them moved a few times. */
async function versionOneDatabase(file: string): Promise<{ deals: Deal[]; version: number }> {
  const db = new Database(file);
  migrateV1(db);
  const service = createPipelineService({ ...createV1Repositories(db), clock: steppingClock() });
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
  for (let i = 0; i < 30; i++) {
    const id = `d-${String(i).padStart(2, '0')}`;
    await service.createDeal({ id, layoutId: i % 5 === 0 ? 'service' : 'sales', name: `Deal ${i}`, amount: 1000 * i, currency: 'EUR', closingDate: '2026-09-30' });
    if (i % 5 !== 0) {
      for (const stageId of ['test-drive', 'quote', 'negotiation'].slice(0, i % 4)) await service.dispatch(id, { type: 'moveToStage', stageId });
    }
  }
  const deals = await allDeals(createV1Repositories(db));
  const version = (await service.getWorkspace()).version;
  db.close();
  return { deals, version };
}

describe('migrateSqlite', () => {
  it('upgrades a version-1 database in place, keeping every deal and stage visit under the default tenant', async () => {
    const file = join(dir, 'v1.db');
    const before = await versionOneDatabase(file);
    expect(before.deals).toHaveLength(30);
    const db = new Database(file);
    expect(migrateSqlite(db)).toBe(3);
    const repos = createSqliteRepositories(db);
    expect(await allDeals(repos)).toEqual(before.deals);
    expect((await repos.workspace.load()).version).toBe(before.version);
    const visits = db.prepare("SELECT deal_id, seq, stage_id, entered_at, exited_at FROM sp_stage_visits WHERE tenant_id = 'default' ORDER BY deal_id, seq").all();
    expect(visits).toEqual(before.deals.flatMap((d) => d.history.map((v, seq) => ({ deal_id: d.id, seq, stage_id: v.stageId, entered_at: v.enteredAt, exited_at: v.exitedAt }))));
    expect(db.prepare('SELECT version FROM sp_schema').all()).toEqual([{ version: 3 }]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%_v1'").all()).toEqual([]);
    db.close();
  });

  it('leaves a migrated database working: the service moves its deals on', async () => {
    const file = join(dir, 'v1-then-service.db');
    const before = await versionOneDatabase(file);
    const db = new Database(file);
    migrateSqlite(db);
    const service = createPipelineService({ ...createSqliteRepositories(db), clock: steppingClock(Date.parse('2027-01-01T00:00:00Z')) });
    const moved = await service.dispatch('d-01', { type: 'moveToStage', stageId: 'quote' });
    const old = before.deals.find((d) => d.id === 'd-01')!;
    expect(moved.version).toBe(old.version + 1);
    expect(moved.history.slice(0, -2)).toEqual(old.history.slice(0, -1));
    expect(await service.getDeal('d-01')).toEqual(moved);
    db.close();
  });

  it('upgrades a version-2 database in place: adds the workspace version index and keeps every row', async () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    // Version 2 is version 3 without the index.
    db.exec('DROP INDEX sp_workspace_by_version; UPDATE sp_schema SET version = 2');
    const service = createPipelineService({ ...createSqliteRepositories(db, { tenantId: 'acme' }), clock: steppingClock() });
    for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
    await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'Fleet', amount: 1000, currency: 'EUR' });
    await service.dispatch('d1', { type: 'moveToStage', stageId: 'test-drive' });
    const before = await allDeals(createSqliteRepositories(db, { tenantId: 'acme' }));
    expect(before[0]!.history).toHaveLength(2);
    expect(migrateSqlite(db)).toBe(3);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'sp_workspace_by_version'").pluck().get()).toBe('sp_workspace_by_version');
    expect(db.prepare('SELECT version FROM sp_schema').pluck().all()).toEqual([3]);
    const repos = createSqliteRepositories(db, { tenantId: 'acme' });
    expect(await allDeals(repos)).toEqual(before);
    expect((await repos.workspace.load()).version).toBe((await service.getWorkspace()).version);
    db.close();
  });

  it('is idempotent and creates version 3 on an empty database', () => {
    const db = new Database(':memory:');
    expect(migrateSqlite(db)).toBe(3);
    const tables = () => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    const first = tables();
    expect(first).toEqual(expect.arrayContaining(['sp_schema', 'sp_workspace', 'sp_deals', 'sp_stage_visits', 'sp_outbox']));
    expect(migrateSqlite(db)).toBe(3);
    expect(tables()).toEqual(first);
    expect(db.prepare('SELECT count(*) FROM sp_schema').pluck().get()).toBe(1);
    db.close();
  });

  it('refuses a database of a newer schema version with storage_failed, touching nothing', () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    db.prepare('UPDATE sp_schema SET version = 4').run();
    expect(() => migrateSqlite(db)).toThrow(expect.objectContaining({ code: 'storage_failed' }));
    expect(db.prepare('SELECT version FROM sp_schema').pluck().get()).toBe(4);
    db.close();
  });
});
