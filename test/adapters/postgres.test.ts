import { describe } from 'vitest';
import { describeRepositoryContract } from '../../src/testing/vitest.js';
import { createPostgresRepositories } from '../../src/postgres.js';
import { serviceSuite } from '../service/serviceSuite.js';
import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL } from './postgresDatabases.js';

// Every check gets a tenant of its own on one shared database: empty repositories, no truncation.
const pglite = pgliteDatabase();
const onPglite = async () => createPostgresRepositories(await pglite(), { tenantId: freshTenant() });
describeRepositoryContract('postgres (PGlite)', onPglite, { makeTenant: async (tenantId) => createPostgresRepositories(await pglite(), { tenantId }) });
serviceSuite('postgres (PGlite)', onPglite);

describe.runIf(SERVER_URL)('on the PostgreSQL server in SALES_PIPELINES_PG_URL', () => {
  const server = serverDatabase(SERVER_URL ?? '');
  const onServer = async () => createPostgresRepositories(await server(), { tenantId: freshTenant() });
  describeRepositoryContract('postgres (server, pg pool)', onServer, { makeTenant: async (tenantId) => createPostgresRepositories(await server(), { tenantId }) });
  serviceSuite('postgres (server, pg pool)', onServer);
});
