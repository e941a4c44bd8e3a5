import { describe } from 'vitest';
import { describeRepositoryContract } from '../../src/testing.js';
import { createPostgresRepositories } from '../../src/postgres.js';
import { serviceSuite } from '../service/serviceSuite.js';
import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL } from './postgresDatabases.js';

const pglite = pgliteDatabase();
const onPglite = async () => createPostgresRepositories(await pglite(), { tenantId: freshTenant() });
describeRepositoryContract('postgres (PGlite)', onPglite);
serviceSuite('postgres (PGlite)', onPglite);

describe.runIf(SERVER_URL)('on the PostgreSQL server in SALES_PIPELINES_PG_URL', () => {
  const server = serverDatabase(SERVER_URL ?? '');
  const onServer = async () => createPostgresRepositories(await server(), { tenantId: freshTenant() });
  describeRepositoryContract('postgres (server, pg pool)', onServer);
  serviceSuite('postgres (server, pg pool)', onServer);
});
