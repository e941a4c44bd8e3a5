import { describe, expect, it } from 'vitest';
import { createPipelineService } from '../../src/index.js';
import { createPostgresRepositories, type PostgresClient } from '../../src/postgres.js';
import { dealerCommands } from '../../examples/dealership.js';
import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL } from './postgresDatabases.js';
import { recordingClient, violations, writeChain } from './statementShape.js';

// A dispatch is the hand-written transaction's round trips or fewer: inside BEGIN … COMMIT, one
// statement that locks and reads, one that writes the deal, its visits, its change log and its
// events.
function suite(name: string, database: () => Promise<PostgresClient>) {
  describe(`one dispatch on ${name}`, () => {
    it('sends one read and one write between BEGIN and COMMIT, and stores exactly what it returns', async () => {
      const client = recordingClient(await database());
      const tenantId = freshTenant('dispatch');
      const repos = createPostgresRepositories(client, { tenantId });
      let at = Date.parse('2026-03-02T09:00:00Z');
      const service = createPipelineService({ ...repos, clock: () => (at += 60_000), onEvents: () => undefined });
      for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
      await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'Fleet', amount: 5000, currency: 'EUR' }, { by: 'ann' });
      await service.dispatch('d1', { type: 'moveToStage', stageId: 'test-drive' }, { by: 'ann' });

      await service.idle();
      client.statements.length = 0;
      const moved = await service.dispatch('d1', { type: 'moveToStage', stageId: 'quote' }, { by: 'ann' });
      await service.idle();
      // What the dispatch sent (the outbox's delivery, which follows it, touches sp_outbox alone).
      const sent = client.statements.map((s) => s.sql).filter((sql) => /\bsp_deals\b/.test(sql));
      expect(client.statements.filter((s) => !/\bsp_deals\b/.test(s.sql)).every((s) => /\bsp_outbox\b/.test(s.sql))).toBe(true);
      expect(sent).toHaveLength(2);
      expect(sent[0]).toMatch(/^SELECT w\.tag/);
      // The write: the visits, the change log and the events before the UPDATE of the deal by its key.
      const parts = writeChain(sent[1]!);
      expect(parts?.map((p) => /^\s*(INSERT INTO|UPDATE)\s+(sp_\w+)/.exec(p)?.[2])).toEqual(['sp_stage_visits', 'sp_stage_visits', 'sp_deal_changes', 'sp_outbox', 'sp_deals']);
      expect(violations(client.statements)).toEqual([]);

      expect(await repos.deals.get('d1')).toEqual(moved);
      expect(moved.history.map((v) => [v.stageId, v.exitedAt === null])).toEqual([['requirements', false], ['test-drive', false], ['quote', true]]);
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM sp_outbox WHERE tenant_id = $1 AND deal_id = 'd1' ORDER BY seq`, [tenantId]);
      expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
    });
  });
}

suite('PGlite', pgliteDatabase());
describe.runIf(SERVER_URL)('on the PostgreSQL server in SALES_PIPELINES_PG_URL', () => {
  suite('the server', serverDatabase(SERVER_URL ?? ''));
});
