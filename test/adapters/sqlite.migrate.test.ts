import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createPipelineService, type Deal } from '../../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { dealerCommands } from '../../examples/dealership.js';
import { createSqliteRepositories as createV1Repositories, migrateSqlite as migrateV1 } from './fixtures/sqliteV1.js';
import { steppingClock } from '../service/helpers.js';
import { wholeDeals as allDeals } from '../helpers/paging.js';

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
    expect(migrateSqlite(db)).toBe(6);
    const repos = createSqliteRepositories(db);
    expect(await allDeals(repos)).toEqual(before.deals);
    expect((await repos.workspace.load()).version).toBe(before.version);
    const visits = db.prepare("SELECT deal_id, seq, stage_id, entered_at, exited_at FROM sp_stage_visits WHERE tenant_id = 'default' ORDER BY deal_id, seq").all();
    expect(visits).toEqual(before.deals.flatMap((d) => d.history.map((v, seq) => ({ deal_id: d.id, seq, stage_id: v.stageId, entered_at: v.enteredAt, exited_at: v.exitedAt }))));
    expect(db.prepare('SELECT version FROM sp_schema').all()).toEqual([{ version: 6 }]);
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

  it('is idempotent and creates version 6 on an empty database', () => {
    const db = new Database(':memory:');
    expect(migrateSqlite(db)).toBe(6);
    const tables = () => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    const first = tables();
    expect(first).toEqual(expect.arrayContaining(['sp_schema', 'sp_workspace', 'sp_deals', 'sp_deal_changes', 'sp_stage_visits', 'sp_outbox']));
    expect(migrateSqlite(db)).toBe(6);
    expect(tables()).toEqual(first);
    expect(db.prepare('SELECT count(*) FROM sp_schema').pluck().get()).toBe(1);
    db.close();
  });

  it('refuses a database of a newer schema version with storage_failed, touching nothing', () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    db.prepare('UPDATE sp_schema SET version = 7').run();
    expect(() => migrateSqlite(db)).toThrow(expect.objectContaining({ code: 'storage_failed', message: expect.stringMatching(/schema version 7, newer than 6/) }));
    expect(db.prepare('SELECT version FROM sp_schema').pluck().get()).toBe(7);
    expect(() => createSqliteRepositories(db)).toThrow(expect.objectContaining({ code: 'storage_failed', message: expect.stringMatching(/upgrade sales-pipelines/) }));
    db.close();
  });

  /** A copy of the version-3 fixture (written by the adapter of schema version 3) and what that adapter read from it. */
  function versionThree(name: string): { db: Database.Database; expected: Fixture } {
    const file = join(dir, name);
    copyFileSync(new URL('./fixtures/sqlite-v3.db', import.meta.url), file);
    return { db: new Database(file), expected: JSON.parse(readFileSync(new URL('./fixtures/sqlite-v3.json', import.meta.url), 'utf8')) as Fixture };
  }

  const OWNER_INDEX = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'sp_deals_by_owner'";
  const OUTBOX = 'SELECT seq, tenant_id, event_id, deal_id, version, body, delivered_at FROM sp_outbox ORDER BY seq';

  async function expectFixture(db: Database.Database, expected: Fixture): Promise<void> {
    for (const [tenantId, { workspace, deals }] of Object.entries(expected.tenants)) {
      const repos = createSqliteRepositories(db, { tenantId });
      expect(await repos.workspace.load()).toEqual(workspace);
      expect(await allDeals(repos)).toEqual(deals);
      expect(await repos.deals.getMany(deals.map((d) => d.id))).toEqual(deals);
      for (const deal of deals) expect(await repos.deals.get(deal.id)).toEqual(deal);
    }
    expect(db.prepare(OUTBOX).all()).toEqual(expected.outbox);
    expect(db.prepare('SELECT count(*) FROM sp_stage_visits').pluck().get()).toBe(expected.visits);
    const entries = Object.values(expected.tenants).flatMap((t) => t.deals).reduce((n, d) => n + (d.changes?.length ?? 0), 0);
    expect(db.prepare('SELECT count(*) FROM sp_deal_changes').pluck().get()).toBe(entries);
  }

  it('upgrades the version-3 database of the previous release: every deal, workspace, visit, change and outbox row as that release read them', async () => {
    const { db, expected } = versionThree('v3.db');
    expect(() => createSqliteRepositories(db)).toThrow(expect.objectContaining({ code: 'storage_failed', message: expect.stringMatching(/schema version 3.*run migrateSqlite/) }));
    const deals = Object.values(expected.tenants).flatMap((t) => t.deals);
    // The fixture holds what the upgrade must carry: change logs, a deal without one, unicode, moves, pending and delivered events.
    expect(deals.some((d) => d.changes === undefined)).toBe(true);
    expect(deals.some((d) => (d.changes?.length ?? 0) > 1)).toBe(true);
    expect(expected.outbox.some((o) => o.delivered_at === null) && expected.outbox.some((o) => o.delivered_at !== null)).toBe(true);
    expect(migrateSqlite(db)).toBe(6);
    await expectFixture(db, expected);
    expect(db.prepare(OWNER_INDEX).pluck().get()).toMatch(/closing_date, id, amount\)$/);
    expect(db.prepare("SELECT count(*) FROM sp_deals WHERE name_key <> lower(name_key) OR change_count IS NULL").pluck().get()).toBeGreaterThan(0);
    expect(db.prepare('SELECT DISTINCT attempts, due_at, claimed_by, parked_at, last_error FROM sp_outbox').all()).toEqual([{ attempts: 0, due_at: null, claimed_by: null, parked_at: null, last_error: null }]);
    // Idempotent: a second run changes nothing.
    expect(migrateSqlite(db)).toBe(6);
    await expectFixture(db, expected);
    db.close();
  });

  it('upgrades a version-2 database (version 3 without the workspace version index) the same way', async () => {
    const { db, expected } = versionThree('v2.db');
    db.exec('DROP INDEX sp_workspace_by_version; UPDATE sp_schema SET version = 2');
    expect(migrateSqlite(db)).toBe(6);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'sp_workspace_by_version'").pluck().get()).toBe('sp_workspace_by_version');
    await expectFixture(db, expected);
    db.close();
  });

  it('upgrades a version-4 database (version 5 without the index of a pipeline\'s deals in id order), keeping every row, and lists a pipeline by it', async () => {
    const { db, expected } = versionThree('v4.db');
    migrateSqlite(db);
    db.exec('DROP INDEX sp_deals_by_pipeline_id; UPDATE sp_schema SET version = 4');
    const index = "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'sp_deals_by_pipeline_id'";
    expect(db.prepare(index).pluck().get()).toBeUndefined();
    expect(() => createSqliteRepositories(db)).toThrow(expect.objectContaining({ code: 'storage_failed', message: expect.stringMatching(/schema version 4.*run migrateSqlite/) }));
    expect(migrateSqlite(db)).toBe(6);
    expect(db.prepare(index).pluck().get()).toBe('sp_deals_by_pipeline_id');
    await expectFixture(db, expected);
    const plan = (db.prepare("EXPLAIN QUERY PLAN SELECT d.id FROM sp_deals d WHERE d.tenant_id = 'a' AND d.pipeline_id = 'p' AND d.id > 'x' ORDER BY d.id LIMIT 100").all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan).toMatch(/INDEX sp_deals_by_pipeline_id/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
    db.close();
  });

  it('upgrades a version-5 database (sp_deals_by_owner without the amount), keeping every row, and sorts an owner\'s deals by amount from the index', async () => {
    const { db, expected } = versionThree('v5.db');
    migrateSqlite(db);
    db.exec('DROP INDEX sp_deals_by_owner; CREATE INDEX sp_deals_by_owner ON sp_deals (tenant_id, owner_id, closing_date, id); UPDATE sp_schema SET version = 5');
    expect(() => createSqliteRepositories(db)).toThrow(expect.objectContaining({ code: 'storage_failed', message: expect.stringMatching(/schema version 5.*run migrateSqlite/) }));
    expect(migrateSqlite(db)).toBe(6);
    expect(db.prepare(OWNER_INDEX).pluck().get()).toMatch(/closing_date, id, amount\)$/);
    await expectFixture(db, expected);
    const plan = (db.prepare("EXPLAIN QUERY PLAN SELECT d.id, d.amount FROM sp_deals d WHERE d.tenant_id = 'a' AND d.owner_id = 'o' AND d.closing_date >= '2026-03-01' ORDER BY d.amount DESC LIMIT 100").all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan).toMatch(/COVERING INDEX sp_deals_by_owner/);
    db.close();
  });

  it('leaves an upgraded database working: the service moves a migrated deal on, appending to its change log', async () => {
    const { db, expected } = versionThree('v3-then-service.db');
    migrateSqlite(db);
    const old = expected.tenants.acme!.deals.find((d) => d.pipelineId === 'new-cars' && d.stageId === 'test-drive' && (d.changes?.length ?? 0) > 0)!;
    const service = createPipelineService({ ...createSqliteRepositories(db, { tenantId: 'acme' }), clock: steppingClock(Date.parse('2027-01-01T00:00:00Z')) });
    const moved = await service.dispatch(old.id, { type: 'moveToStage', stageId: 'requirements' });
    expect(moved.changes!.slice(0, old.changes!.length)).toEqual(old.changes);
    expect(await service.getDeal(old.id)).toEqual(moved);
    db.close();
  });

  it('refuses repositories on a database migrateSqlite has not set up, saying to run it', () => {
    const db = new Database(':memory:');
    expect(() => createSqliteRepositories(db)).toThrow(expect.objectContaining({ code: 'storage_failed', message: expect.stringMatching(/run migrateSqlite/) }));
    db.close();
  });
});

interface Fixture {
  readonly tenants: Record<string, { readonly workspace: unknown; readonly deals: Deal[] }>;
  readonly outbox: { readonly delivered_at: number | null }[];
  readonly visits: number;
}
