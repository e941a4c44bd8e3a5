import { describe, expect, it } from 'vitest';
import { applyDeal, type Deal, type Workspace } from '../../src/index.js';
import { createPostgresRepositories } from '../../src/postgres.js';
import { dealerWorkspace } from '../../examples/dealership.js';
import { freshTenant, serverDatabase, SERVER_URL } from './postgresDatabases.js';

const T = Date.parse('2026-01-05T09:00:00Z');
const ws: Workspace = dealerWorkspace();
const create = (id: string): Deal => applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId: 'sales', name: `Deal ${id}`, amount: 1000, currency: 'EUR' } }, { at: T }).deal;

describe.runIf(SERVER_URL)('deals.transact on a PostgreSQL server', () => {
  const db = serverDatabase(SERVER_URL!);

  // transact locks and reads the deal in one statement; a statement that waited for the row lock
  // evaluates its subqueries on the snapshot it started with, so the read must be made again.
  it('decides on the deal as the save it waited for left it: visits and change log of that save, not of the older snapshot', async () => {
    const client = await db();
    const tenantId = freshTenant('transact');
    const repos = createPostgresRepositories(client, { tenantId });
    await repos.workspace.save(ws, 0);
    await repos.deals.save([{ deal: create('w'), expectedVersion: null }]);
    const before = (await repos.deals.get('w'))!;

    // Another transaction holds the deal row while it rewrites the visit and the change log and raises the version.
    const holder = await client.pool.connect();
    let seen: Deal | null = null;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM sp_deals WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenantId, 'w']);
      await holder.query(`UPDATE sp_stage_visits SET "by" = 'other' WHERE tenant_id = $1 AND deal_id = $2`, [tenantId, 'w']);
      await holder.query(`INSERT INTO sp_deal_changes (tenant_id, deal_id, seq, at, "by", field, from_value, to_value) VALUES ($1, $2, 0, $3, 'other', 'amount', '1000', '2000')`, [tenantId, 'w', T + 1]);
      await holder.query('UPDATE sp_deals SET version = version + 1, amount = 2000, change_count = 1 WHERE tenant_id = $1 AND id = $2', [tenantId, 'w']);
      const waiting = repos.deals.transact('w', (current) => {
        seen = current;
        return null;
      });
      // The transaction is waiting for the row lock when the holder commits.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.query('COMMIT');
      await waiting;
    } finally {
      holder.release();
    }
    const current = seen as Deal | null;
    expect(current!.version).toBe(before.version + 1);
    expect(current!.amount).toBe(2000);
    expect(current!.history.map((v) => v.by)).toEqual(['other']);
    expect(current!.changes).toEqual([{ at: T + 1, by: 'other', field: 'amount', from: 1000, to: 2000 }]);
    expect(current).toEqual(await repos.deals.get('w'));
  });
});
