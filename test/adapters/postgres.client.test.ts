import { describe, expect, it } from 'vitest';
import { isPipelineError } from 'sales-pipelines';
import { createPostgresRepositories, fromPgPool, type PgPoolLike, type PgQueryConfig } from '../../src/postgres.js';

/** A pool that records what it is asked to run and answers with no rows. */
function recordingPool() {
  const calls: (string | PgQueryConfig)[] = [];
  const pool: PgPoolLike = {
    async query(sql: string | PgQueryConfig) {
      calls.push(sql);
      return { rows: [] };
    },
    async connect() {
      return { query: pool.query, release: () => undefined };
    },
  };
  return { pool, calls };
}

describe('fromPgPool', () => {
  it("runs the adapter's fixed statements as named prepared statements with their values", async () => {
    const { pool, calls } = recordingPool();
    await createPostgresRepositories(fromPgPool(pool), { tenantId: 'acme' }).workspace.load();
    const first = calls[0];
    expect(typeof first).toBe('object');
    expect((first as PgQueryConfig).name).toMatch(/^sp_/);
    expect((first as PgQueryConfig).values).toContain('acme');
  });

  it('sends listings unprepared, so the server plans each page with its values (a plan for any values read a whole pipeline per page)', async () => {
    const { pool, calls } = recordingPool();
    const { deals } = createPostgresRepositories(fromPgPool(pool), { tenantId: 'acme' });
    await deals.list({ pipelineId: 'new-cars', limit: 100 });
    await deals.list({ ownerId: 'ann', closingFrom: '2026-06-01', closingTo: '2026-06-30', sort: 'amount', order: 'desc', limit: 100 });
    await deals.listTails({ pipelineId: 'new-cars', limit: 1000 });
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      expect(typeof call).toBe('string');
      expect(call).toMatch(/FROM sp_deals d WHERE d\.tenant_id = \$1/);
    }
    // A deal by its key stays prepared.
    await deals.get('d1');
    expect((calls[3] as PgQueryConfig).name).toMatch(/^sp_deals_get/);
  });

  it('sends the reports computed over a whole tenant or pipeline unprepared, planned with that tenant\'s share of the rows', async () => {
    const { pool, calls } = recordingPool();
    const { visits } = createPostgresRepositories(fromPgPool(pool), { tenantId: 'acme' });
    await visits.dwell({ now: Date.parse('2026-04-01T00:00:00Z'), from: Date.parse('2026-01-01T00:00:00Z'), to: Date.parse('2026-04-01T00:00:00Z') });
    await visits.funnel({ pipelineId: 'new-cars', stages: [{ stageId: 'quote', rank: 0, bit: 0 }, { stageId: 'won', rank: 1, bit: 1 }] });
    await createPostgresRepositories(fromPgPool(pool), { tenantId: 'acme' }).deals.summarize({ pipelineId: 'new-cars', rottingBefore: {} });
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatch(/FROM sp_stage_visits v/);
    expect(calls[1]).toMatch(/FROM sp_stage_visits v/);
    expect(calls[2]).toMatch(/FROM sp_deals d LEFT JOIN unnest/);
  });

  it('sends every statement as plain text with prepare: false, for poolers that cannot keep prepared statements', async () => {
    const { pool, calls } = recordingPool();
    await createPostgresRepositories(fromPgPool(pool, { prepare: false }), { tenantId: 'acme' }).workspace.load();
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(typeof call).toBe('string');
  });

  it('refuses options that are not { prepare?: boolean } with invalid_input naming the field', () => {
    const { pool } = recordingPool();
    for (const options of [null, { prepare: 'no' }]) {
      let error: unknown = null;
      try {
        fromPgPool(pool, options as never);
      } catch (e) {
        error = e;
      }
      expect(isPipelineError(error, 'invalid_input')).toBe(true);
      expect((error as Error).message).toContain('options.prepare');
    }
  });
});
