import { describe, expect, it } from 'vitest';
import { applyDeal, applyWorkspace, isPipelineError, type Deal, type Workspace } from '../../src/index.js';
import { createPostgresRepositories, type PostgresClient } from '../../src/postgres.js';
import { dealerWorkspace } from '../../examples/dealership.js';
import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL } from './postgresDatabases.js';

const AT = Date.parse('2026-03-02T09:00:00Z');
const ws = dealerWorkspace();
const create = (id: string, pipelineId?: string): Deal =>
  applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId: 'sales', name: `Deal ${id}`, ...(pipelineId ? { pipelineId } : {}) } }, { at: AT }).deal;
// The workspace without the used-cars pipeline (what deletePipeline without a transfer saves).
const withoutUsedCars = (from: Workspace): Workspace => applyWorkspace(from, { type: 'deletePipeline', pipelineId: 'used-cars' }, { at: AT + 1 }).workspace;

function guard(name: string, database: () => Promise<PostgresClient>, rounds: number) {
  describe(`the in-use guard of workspace saves on ${name}`, () => {
    const fresh = async () => {
      const repos = createPostgresRepositories(await database(), { tenantId: freshTenant('guard') });
      await repos.workspace.save(ws, 0);
      return repos;
    };

    it('refuses a save while a stored deal matches a dropped filter (count, first ten ids), and saves when none does', async () => {
      const repos = await fresh();
      const ids = Array.from({ length: 12 }, (_, i) => `u${String(i).padStart(2, '0')}`);
      await repos.deals.save([...ids.map((id) => ({ deal: create(id, 'used-cars'), expectedVersion: null })), { deal: create('n1'), expectedVersion: null }]);
      const next = withoutUsedCars(ws);
      const error = await repos.workspace.save(next, ws.version, { unused: [{ pipelineId: 'used-cars' }, { pipelineId: 'gone' }] }).then(() => null, (e: unknown) => e);
      expect(isPipelineError(error, 'conflict')).toBe(true);
      expect((error as { details: unknown }).details).toEqual({ ids: [], inUse: { count: 12, dealIds: ids.slice(0, 10) } });
      expect((await repos.workspace.load()).version).toBe(ws.version);
      await repos.workspace.save(next, ws.version, { unused: [{ pipelineId: 'gone' }, { layoutId: 'sales', stageId: 'nowhere' }] });
      expect((await repos.workspace.load()).version).toBe(next.version);
    });

    it('refuses malformed filters naming the field', async () => {
      const repos = await fresh();
      await expect(repos.workspace.save(withoutUsedCars(ws), ws.version, { unused: [{ amountMin: 'x' as never }] })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'query.amountMin' } });
      await expect(repos.workspace.save(withoutUsedCars(ws), ws.version, { unused: 'x' as never })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'options.unused' } });
    });

    it(`races ${rounds} deal creations into a pipeline against saves that drop it: never a deal left in a dropped pipeline`, async () => {
      for (let round = 0; round < rounds; round++) {
        const repos = await fresh();
        const [created, dropped] = await Promise.allSettled([
          repos.deals.save([{ deal: create(`r${round}`, 'used-cars'), expectedVersion: null }], { workspaceVersion: ws.version }),
          repos.workspace.save(withoutUsedCars(ws), ws.version, { unused: [{ pipelineId: 'used-cars' }] }),
        ]);
        const stored = await repos.workspace.load();
        const inUsed = (await repos.deals.list({ pipelineId: 'used-cars', limit: 10 })).deals.length;
        if (stored.version === ws.version) expect(dropped.status).toBe('rejected');
        else expect(inUsed, `round ${round}: a deal stranded in a dropped pipeline`).toBe(0);
        expect(created.status === 'fulfilled' || dropped.status === 'fulfilled').toBe(true);
      }
    }, 120_000);
  });
}

guard('PGlite', pgliteDatabase(), 10);
describe.runIf(SERVER_URL)('server', () => guard('the PostgreSQL server', serverDatabase(SERVER_URL ?? ''), 60));
