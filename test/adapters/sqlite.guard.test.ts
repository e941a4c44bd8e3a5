import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createPipelineService, type Workspace } from '../../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { dealerCommands } from '../../examples/dealership.js';
import { steppingClock } from '../service/helpers.js';

async function dealer() {
  const db = new Database(':memory:');
  migrateSqlite(db);
  const repos = createSqliteRepositories(db);
  const service = createPipelineService({ ...repos, clock: steppingClock() });
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
  for (let i = 0; i < 13; i++) await service.createDeal({ id: `d${String(i).padStart(2, '0')}`, layoutId: 'sales', name: `Deal ${i}`, ownerId: i % 2 ? 'ann' : null });
  await service.createDeal({ id: 's1', layoutId: 'service', name: 'Repair' });
  return { db, repos, ws: await repos.workspace.load() };
}

const next = (ws: Workspace): Workspace => ({ ...ws, version: ws.version + 1 });

describe('workspace.save with unused filters (sqlite)', () => {
  it('refuses with conflict, count and the first 10 ids in id order, writing nothing, while a stored deal matches a filter', async () => {
    const { db, repos, ws } = await dealer();
    const error = await repos.workspace.save(next(ws), ws.version, { unused: [{ pipelineId: 'used-cars' }, { pipelineId: 'new-cars', stageId: 'requirements' }] }).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'conflict', details: { ids: [], inUse: { count: 13, dealIds: Array.from({ length: 10 }, (_, i) => `d${String(i).padStart(2, '0')}`) } } });
    expect((await repos.workspace.load()).version).toBe(ws.version);
    await expect(repos.workspace.save(next(ws), ws.version, { unused: [{ layoutId: 'service', ownerId: null }] })).rejects.toMatchObject({ details: { inUse: { count: 1, dealIds: ['s1'] } } });
    db.close();
  });

  it('stores the workspace when no deal matches, and refuses malformed filters with invalid_input', async () => {
    const { db, repos, ws } = await dealer();
    await repos.workspace.save(next(ws), ws.version, { unused: [{ pipelineId: 'used-cars' }, { pipelineId: 'new-cars', stageId: 'quote' }, { ownerId: 'bob' }] });
    expect((await repos.workspace.load()).version).toBe(ws.version + 1);
    await expect(repos.workspace.save(next(next(ws)), ws.version + 1, { unused: [{ pipelineId: 7 as never }] })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(repos.workspace.save(next(next(ws)), ws.version + 1, { unused: 'all' as never })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'options.unused' } });
    db.close();
  });

  it('decides on what is stored when the save runs: a deal saved by another connection just before is seen', async () => {
    const { db, repos, ws } = await dealer();
    const other = createSqliteRepositories(db);
    const [d] = await other.deals.getMany(['d00']);
    await other.deals.save([{ deal: { ...d!, stageId: 'quote', version: d!.version + 1, history: [...d!.history.slice(0, -1), { ...d!.history.at(-1)!, stageId: 'quote' }] }, expectedVersion: d!.version }]);
    await expect(repos.workspace.save(next(ws), ws.version, { unused: [{ pipelineId: 'new-cars', stageId: 'quote' }] })).rejects.toMatchObject({ details: { inUse: { count: 1, dealIds: ['d00'] } } });
    db.close();
  });
});
