import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineService, type Deal } from '../../src/index.js';
import { createPostgresRepositories, migratePostgres } from '../../src/postgres.js';
import { dealerCommands } from '../../examples/dealership.js';
import { createPostgresRepositories as createV1Repositories, migratePostgres as migrateV1 } from './fixtures/postgresV1.js';
import { steppingClock } from '../service/helpers.js';
import { wholeDeals } from './postgresDatabases.js';


describe('migratePostgres', () => {
  let db: PGlite;
  let written: Deal[];
  beforeAll(async () => {
    db = new PGlite();
    await migrateV1(db);
    const service = createPipelineService({ ...createV1Repositories(db), clock: steppingClock() });
    for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
    for (let i = 0; i < 12; i++) {
      await service.createDeal({ id: `d${i}`, layoutId: i % 3 === 0 ? 'service' : 'sales', name: `Deal ${i}`, amount: i * 1000.5, currency: i % 2 ? 'EUR' : null });
      if (i % 3 !== 0) await service.dispatch(`d${i}`, { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'test-drive' }, { by: 'ann' });
      if (i % 4 === 1 && i % 3 !== 0) await service.dispatch(`d${i}`, { type: 'moveToStage', stageId: 'quote' });
    }
    written = await wholeDeals(createV1Repositories(db));
  }, 60_000);
  afterAll(() => db.close());

  it('upgrades a version-1 database in place, keeping every deal and every visit', async () => {
    const workspace = await createV1Repositories(db).workspace.load();
    expect(await migratePostgres(db)).toBe(3);
    const repos = createPostgresRepositories(db);
    expect(await repos.workspace.load()).toEqual(workspace);
    expect(await wholeDeals(repos)).toEqual(written);
    for (const deal of written) expect(await repos.deals.get(deal.id)).toEqual(deal);
    const visits = (await repos.visits.list({ limit: 1000 })).visits;
    expect(visits).toHaveLength(written.reduce((n, d) => n + d.history.length, 0));
    const { rows } = await db.query<{ version: number }>('SELECT version FROM sp_schema');
    expect(rows).toEqual([{ version: 3 }]);
  });

  it('is idempotent, and the upgraded store keeps working under the default tenant', async () => {
    expect(await migratePostgres(db)).toBe(3);
    const repos = createPostgresRepositories(db, { tenantId: 'default' });
    expect(await wholeDeals(repos)).toEqual(written);
    const service = createPipelineService({ ...repos, clock: steppingClock(Date.parse('2026-06-01T00:00:00Z')) });
    const moved = await service.dispatch('d1', { type: 'moveToStage', stageId: 'negotiation' });
    expect(await repos.deals.get('d1')).toEqual(moved);
    expect(await createPostgresRepositories(db, { tenantId: 'other' }).deals.get('d1')).toBeNull();
  });

  it('creates version 3 on an empty database, and refuses a newer schema', async () => {
    const empty = new PGlite();
    try {
      expect(await migratePostgres(empty)).toBe(3);
      expect(await migratePostgres(empty)).toBe(3);
      expect((await createPostgresRepositories(empty).workspace.load()).version).toBe(0);
      await empty.query('UPDATE sp_schema SET version = 4');
      await expect(migratePostgres(empty)).rejects.toMatchObject({ code: 'storage_failed' });
    } finally {
      await empty.close();
    }
  }, 60_000);
});
