import { describe, expect, it } from 'vitest';
import { createPipelineService } from '../../src/index.js';
import { createPostgresRepositories, type PostgresClient } from '../../src/postgres.js';
import { dealerCommands } from '../../examples/dealership.js';
import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL } from './postgresDatabases.js';
import { recordingClient, violations } from './statementShape.js';

// A dispatch sends the hand-written transaction's statements: one that locks and reads, then one
// single-table write per table it changes, the deal's update by its whole key with scalar values
// (a prepared plan for any values is then one index lookup, however small the average tenant),
// and one upsert for the visit it closes and the one it opens. A bulk chunk closes visits with a
// narrow UPDATE of its own.
/** A recorded client, the repositories of a fresh tenant on it, and a service configured as the dealership. */
async function dealer(database: PostgresClient, tenant: string) {
  const client = recordingClient(database);
  const repos = createPostgresRepositories(client, { tenantId: freshTenant(tenant) });
  let at = Date.parse('2026-03-02T09:00:00Z');
  const service = createPipelineService({ ...repos, clock: () => (at += 60_000) });
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
  return { client, repos, service };
}

function suite(name: string, database: () => Promise<PostgresClient>) {
  describe(`one dispatch on ${name}`, () => {
    it('sends one read and one single-table write per table, updates the deal by its key, and stores exactly what it returns', async () => {
      const { client, repos, service } = await dealer(await database(), 'dispatch');
      await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'Fleet', amount: 5000, currency: 'EUR' }, { by: 'ann' });
      await service.dispatch('d1', { type: 'moveToStage', stageId: 'test-drive' }, { by: 'ann' });

      client.statements.length = 0;
      const moved = await service.dispatch('d1', { type: 'moveToStage', stageId: 'quote' }, { by: 'ann' });
      const sent = client.statements.map((s) => /^\s*(SELECT|INSERT INTO|UPDATE)\s+(\w+)/.exec(s.sql)?.slice(1, 3).join(' '));
      expect(sent).toEqual(['SELECT w', 'UPDATE sp_deals', 'INSERT INTO sp_stage_visits', 'INSERT INTO sp_deal_changes']);
      const update = client.statements[1]!;
      expect(update.sql).toMatch(/WHERE d\.tenant_id = \$1 AND d\.id = \$2$/);
      expect(update.params[1]).toBe('d1');
      // The closed visit (seq 1) and the opened one (seq 2), in one statement.
      expect(client.statements[2]!.params[2]).toBe('{1,2}');
      expect(violations(client.statements)).toEqual([]);

      expect(await repos.deals.get('d1')).toEqual(moved);
      expect(moved.history.map((v) => [v.stageId, v.exitedAt === null])).toEqual([['requirements', false], ['test-drive', false], ['quote', true]]);
    });

    it('closes the visits of a bulk chunk with one narrow UPDATE and stores what it reports', async () => {
      const { client, repos, service } = await dealer(await database(), 'dispatch-bulk');
      const ids = Array.from({ length: 20 }, (_, i) => `b${String(i).padStart(2, '0')}`);
      for (const id of ids) await service.createDeal({ id, layoutId: 'sales', name: id, amount: 5000, currency: 'EUR' }, { by: 'ann' });

      client.statements.length = 0;
      const report = await service.bulkUpdate({ dealIds: ids, change: { type: 'moveToStage', stageId: 'test-drive' }, mode: 'atomic', by: 'ann' });
      expect(report.updated).toHaveLength(20);
      const exits = client.statements.filter((s) => /^\s*UPDATE sp_stage_visits/.test(s.sql));
      expect(exits).toHaveLength(1);
      expect(violations(client.statements)).toEqual([]);
      for (const id of ids) {
        const deal = (await repos.deals.get(id))!;
        expect(deal.history.map((v) => [v.stageId, v.exitedAt === null])).toEqual([['requirements', false], ['test-drive', true]]);
      }
    });
  });
}

suite('PGlite', pgliteDatabase());
describe.runIf(SERVER_URL)('on the PostgreSQL server in SALES_PIPELINES_PG_URL', () => {
  suite('the server', serverDatabase(SERVER_URL ?? ''));
});
