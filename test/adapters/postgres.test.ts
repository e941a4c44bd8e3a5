import { afterAll, describe, expect } from 'vitest';
import { describeRepositoryContract } from '../../src/testing/vitest.js';
import { createPostgresRepositories, type PostgresClient } from '../../src/postgres.js';
import { serviceSuite } from '../service/serviceSuite.js';
import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL } from './postgresDatabases.js';
import { pulled, recordingClient, violations, type RecordedStatement } from './statementShape.js';

/**
 * Runs the contract and service suites through a client that records every statement, then
 * holds the adapter to the statement-shape rule (see statementShape.ts): every write one table,
 * filtered by the tenant as $1, no writable CTE.
 */
function suites(name: string, database: () => Promise<PostgresClient>): void {
  let recorder: (PostgresClient & { statements: RecordedStatement[] }) | undefined;
  let serviceRecorder: (PostgresClient & { statements: RecordedStatement[] }) | undefined;
  const client = async () => (recorder ??= recordingClient(await database()));
  const serviceClient = async () => (serviceRecorder ??= recordingClient(await database()));
  const make = async () => createPostgresRepositories(await client(), { tenantId: freshTenant() });
  describeRepositoryContract(name, make, { makeTenant: async (tenantId) => createPostgresRepositories(await client(), { tenantId }) });
  serviceSuite(name, async () => createPostgresRepositories(await serviceClient(), { tenantId: freshTenant() }));
  afterAll(() => {
    const statements = [...(recorder?.statements ?? []), ...(serviceRecorder?.statements ?? [])];
    // The check saw the adapter's writes of every kind, and none broke the rule.
    const written = new Set(statements.filter((s) => /^\s*(INSERT|UPDATE|DELETE)/i.test(s.sql)).map((s) => /sp_[a-z_]+/.exec(s.sql)?.[0]));
    expect([...written].sort()).toEqual(['sp_deal_changes', 'sp_deals', 'sp_outbox', 'sp_stage_visits', 'sp_workspace']);
    expect(violations(statements)).toEqual([]);
    // Through the service every tenant has a workspace row, so no insert reads arrays alone (the
    // contract suite saves deals into tenants without one, and those may).
    expect(pulled(serviceRecorder?.statements ?? [])).toEqual([]);
    expect(recorder?.statements.some((s) => s.pulled)).toBe(true);
  });
}

// Every check gets a tenant of its own on one shared database: empty repositories, no truncation.
suites('postgres (PGlite)', pgliteDatabase());

describe.runIf(SERVER_URL)('on the PostgreSQL server in SALES_PIPELINES_PG_URL', () => {
  suites('postgres (server, pg pool)', serverDatabase(SERVER_URL ?? ''));
});
