import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createPipelineService, type DealErasedEvent } from '../../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { dealerCommands } from '../../examples/dealership.js';
import { steppingClock } from '../service/helpers.js';

// Values that only the erased deal holds: its name, owners, lost reason, custom field values, the change log's actor and values.
const SECRETS = ['Zebulon Quux', 'owner-zq1', 'owner-zq2', 'Quux budget cut', 'field-xyz-secret', 'nested-secret-42', '2031-07-19', 'editor-qq'];

async function storeWithErasable() {
  const db = new Database(':memory:');
  migrateSqlite(db);
  const repos = createSqliteRepositories(db, { tenantId: 'acme' });
  let delivered = 0;
  // The first events are delivered, the later ones stay pending: erasure redacts both.
  const service = createPipelineService({ ...repos, clock: steppingClock(), onEvents: () => { if (delivered++ > 8) throw new Error('down'); }, onDeliveryError: () => {} });
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
  await service.createDeal({ id: 'keep', layoutId: 'sales', name: 'Other deal', amount: 10, ownerId: 'ann' });
  await service.createDeal({ id: 'x', layoutId: 'sales', name: 'Zebulon Quux', amount: 1000, currency: 'EUR', ownerId: 'owner-zq1', fields: { note: 'field-xyz-secret', deep: { v: ['nested-secret-42'] } } }, { by: 'editor-qq' });
  await service.dispatch('x', { type: 'moveToStage', stageId: 'test-drive' }, { by: 'editor-qq' });
  await service.dispatch('x', { type: 'updateDeal', patch: { closingDate: '2031-07-19', ownerId: 'owner-zq2', amount: 2000 } }, { by: 'editor-qq' });
  await service.dispatch('x', { type: 'moveToStage', stageId: 'lost', lostReason: 'Quux budget cut' }, { by: 'editor-qq' });
  // Writes no longer wait for delivery: let the background passes finish before tables are compared.
  await service.idle();
  return { db, repos };
}

/** Every row of every table, as text. */
function dump(db: Database.Database): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  return tables.map((t) => `${t}: ${JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).raw().all())}`).join('\n');
}

const erased = (version: number): DealErasedEvent => ({ type: 'dealErased', id: 'erased/x', dealId: 'x', version, at: Date.parse('2027-01-01T00:00:00Z'), by: 'dpo' });

describe('deals.erase (sqlite)', () => {
  it('leaves no value of the deal in any table: row and change log gone, visits anonymised, every event of the deal redacted, the erasure event stored', async () => {
    const { db, repos } = await storeWithErasable();
    const before = dump(db);
    for (const secret of SECRETS) expect(before, secret).toContain(secret);
    const deal = (await repos.deals.get('x'))!;
    expect(db.prepare("SELECT count(*) FROM sp_outbox WHERE deal_id = 'x' AND delivered_at IS NOT NULL").pluck().get()).toBeGreaterThan(0);
    await repos.deals.erase('x', { by: 'dpo', at: Date.parse('2027-01-01T00:00:00Z'), expectedVersion: deal.version, event: erased(deal.version) });
    const after = dump(db);
    for (const secret of SECRETS) expect(after, secret).not.toContain(secret);
    expect(await repos.deals.get('x')).toBeNull();
    expect(await repos.deals.get('keep')).not.toBeNull();
    // The visits stay for the figures: stages, times, amounts.
    expect(db.prepare("SELECT stage_id, amount, \"by\" FROM sp_stage_visits WHERE deal_id = 'x' ORDER BY seq").raw().all()).toEqual(
      deal.history.map((v) => [v.stageId, v.amount, null]),
    );
    const events = db.prepare("SELECT body FROM sp_outbox WHERE deal_id = 'x' ORDER BY seq").pluck().all().map((b) => JSON.parse(b as string) as Record<string, unknown>);
    expect(events.slice(0, -1).every((e) => e.redacted === true && e.by === null && Object.keys(e).length === 7)).toBe(true);
    expect(events.at(-1)).toEqual(erased(deal.version));
    db.close();
  });

  it('is not_found for a deal that does not exist and conflict on another version, changing nothing', async () => {
    const { db, repos } = await storeWithErasable();
    const before = dump(db);
    await expect(repos.deals.erase('nope', { by: 'dpo', at: 1, event: { ...erased(1), dealId: 'nope' } })).rejects.toMatchObject({ code: 'not_found' });
    await expect(repos.deals.erase('x', { by: 'dpo', at: 1, expectedVersion: 1, event: erased(1) })).rejects.toMatchObject({ code: 'conflict', details: { ids: ['x'] } });
    await expect(repos.deals.erase('x', { by: 'dpo', at: 1, event: { ...erased(1), dealId: 'y' } })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'erasure.event.dealId' } });
    expect(dump(db)).toBe(before);
    db.close();
  });

  it('forgets what it remembered of the deal: reads after erasure do not find it, listings and tails leave it out', async () => {
    const { db, repos } = await storeWithErasable();
    const deal = (await repos.deals.get('x'))!;
    await repos.deals.getTails(['x']);
    await repos.deals.erase('x', { by: null, at: 1, event: erased(deal.version) });
    expect(await repos.deals.get('x')).toBeNull();
    expect((await repos.deals.getMany(['x', 'keep'])).map((d) => d.id)).toEqual(['keep']);
    expect(await repos.deals.getTails(['x'])).toEqual([]);
    expect((await repos.deals.list({ limit: 10 })).deals.map((d) => d.id)).toEqual(['keep']);
    db.close();
  });
});
