import { describe, expect, it } from 'vitest';
import { createPipelineService, isPipelineError } from '../../src/index.js';
import { createPostgresRepositories, type PostgresClient } from '../../src/postgres.js';
import { dealerCommands } from '../../examples/dealership.js';
import { steppingClock } from '../service/helpers.js';
import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL } from './postgresDatabases.js';

const TABLES = ['sp_workspace', 'sp_deals', 'sp_deal_changes', 'sp_stage_visits', 'sp_outbox'];

/** Every row of the tenant in every sp_ table, as text. */
async function dump(db: PostgresClient, tenantId: string): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    const { rows } = await db.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t WHERE tenant_id = $1`, [tenantId]);
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join('\n');
}

function erasure(name: string, database: () => Promise<PostgresClient>) {
  describe(`deals.erase on ${name}`, () => {
    it('deletes the deal and its change log, anonymises its visits, redacts its events and stores the erasure event: no erased value left in any table', async () => {
      const db = await database();
      const tenantId = freshTenant('erase');
      const repos = createPostgresRepositories(db, { tenantId });
      const service = createPipelineService({ ...repos, clock: steppingClock(), onEvents: () => undefined });
      for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
      const secret = { name: 'Zyxwv Secretname', owner: 'owner-qjx', lostReason: 'Reason-Kqz', field: 'Fieldvalue-Wvu', by: 'actor-pzt' };
      await service.createDeal({ id: 'e1', layoutId: 'sales', name: secret.name, ownerId: secret.owner, fields: { note: secret.field } }, { by: secret.by });
      await service.dispatch('e1', { type: 'updateDeal', patch: { ownerId: 'owner-2-qjx', amount: 4321 } }, { by: secret.by });
      await service.dispatch('e1', { type: 'closeDeal', outcome: 'lost', stageId: 'lost', lostReason: secret.lostReason }, { by: secret.by });
      await service.createDeal({ id: 'kept', layoutId: 'sales', name: 'Kept deal' });
      const before = await repos.deals.get('e1');
      const pendingBefore = (await repos.outbox.pending(100)).length;
      await repos.outbox.markDelivered((await repos.outbox.pending(2)).map((p) => p.seq));
      const event = { type: 'dealErased' as const, id: 'erased/e1', dealId: 'e1', version: before!.version, at: Date.now(), by: 'dpo' };
      await repos.deals.erase('e1', { by: 'dpo', at: event.at, expectedVersion: before!.version, event });

      expect(await repos.deals.get('e1')).toBeNull();
      const text = await dump(db, tenantId);
      for (const value of [...Object.values(secret), 'owner-2-qjx']) expect(text).not.toContain(value);
      // The visits stay for the figures; the events stay, redacted, and the erasure comes last in the deal's stream.
      const visits = (await repos.visits.list({ limit: 100 })).visits.filter((v) => v.dealId === 'e1');
      expect(visits).toHaveLength(before!.history.length);
      const { rows } = await db.query<{ body: { redacted?: boolean; type: string } }>(`SELECT body FROM sp_outbox WHERE tenant_id = $1 AND deal_id = 'e1' ORDER BY version, n`, [tenantId]);
      expect(rows.at(-1)!.body).toEqual(event);
      for (const r of rows.slice(0, -1)) expect(r.body).toMatchObject({ redacted: true, by: null });
      expect(rows.length).toBeGreaterThan(1);
      expect((await repos.outbox.pending(100)).length).toBeLessThanOrEqual(pendingBefore + 1);
      expect(await repos.deals.get('kept')).not.toBeNull();
    });

    it('refuses an unknown deal with not_found and a stale expected version with conflict, writing nothing', async () => {
      const db = await database();
      const tenantId = freshTenant('erase');
      const repos = createPostgresRepositories(db, { tenantId });
      const service = createPipelineService({ ...repos, clock: steppingClock() });
      for (const command of dealerCommands) await service.configure(command);
      await service.createDeal({ id: 'e2', layoutId: 'sales', name: 'Stays' });
      const event = { type: 'dealErased' as const, id: 'erased/e2', dealId: 'e2', version: 1, at: 1, by: null };
      const missing = await repos.deals.erase('nope', { by: null, at: 1, event: { ...event, dealId: 'nope' } }).then(() => null, (e: unknown) => e);
      expect(isPipelineError(missing, 'not_found')).toBe(true);
      const stale = await repos.deals.erase('e2', { by: null, at: 1, expectedVersion: 7, event }).then(() => null, (e: unknown) => e);
      expect(isPipelineError(stale, 'conflict')).toBe(true);
      expect((await repos.deals.get('e2'))!.name).toBe('Stays');
      await expect(repos.deals.erase('e2', { by: null, at: 1, event: { ...event, type: 'other' as never } })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'erasure.event' } });
    });
  });
}

erasure('PGlite', pgliteDatabase());
describe.runIf(SERVER_URL)('server', () => erasure('the PostgreSQL server', serverDatabase(SERVER_URL ?? '')));

describe('tenant ids', () => {
  const pglite = pgliteDatabase();
  it('refuses at construction a tenant id over 512 bytes in UTF-8, naming options.tenantId; one at the limit stores and reads', async () => {
    const db = await pglite();
    for (const tenantId of ['t'.repeat(513), 'é'.repeat(257), 'x'.repeat(3000)]) {
      let error: unknown = null;
      try {
        createPostgresRepositories(db, { tenantId });
      } catch (e) {
        error = e;
      }
      expect(isPipelineError(error, 'invalid_input')).toBe(true);
      expect(error).toMatchObject({ details: { path: 'options.tenantId' } });
    }
    const atLimit = createPostgresRepositories(db, { tenantId: `${'é'.repeat(255)}ab` });
    const service = createPipelineService({ ...atLimit, clock: steppingClock() });
    for (const command of dealerCommands) await service.configure(command);
    await service.createDeal({ id: 'd'.repeat(255), layoutId: 'sales', name: 'At the limit' });
    expect((await atLimit.deals.get('d'.repeat(255)))!.name).toBe('At the limit');
  });
});
