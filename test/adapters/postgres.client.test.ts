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
