import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import { describeRepositoryContract } from '../../src/testing/vitest.js';
import { configureSqlite, createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
import { reliabilitySuite } from '../service/reliabilitySuite.js';
import { serviceSuite } from '../service/serviceSuite.js';

const dir = mkdtempSync(join(tmpdir(), 'sp-sqlite-'));
const open: Database.Database[] = [];
afterAll(() => {
  for (const db of open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function inMemory() {
  const db = new Database(':memory:');
  open.push(db);
  migrateSqlite(db);
  return createSqliteRepositories(db);
}

let files = 0;
function onFile() {
  const db = new Database(join(dir, `contract-${files++}.db`));
  open.push(db);
  configureSqlite(db);
  migrateSqlite(db);
  return createSqliteRepositories(db, { tenantId: 'acme' });
}

// One shared file database for the tenant-isolation checks: every tenant id is new.
const shared = new Database(join(dir, 'tenants.db'));
open.push(shared);
configureSqlite(shared);
migrateSqlite(shared);
const makeTenant = (tenantId: string) => createSqliteRepositories(shared, { tenantId });

describeRepositoryContract('sqlite (better-sqlite3, :memory:)', inMemory, { makeTenant });
describeRepositoryContract('sqlite (better-sqlite3, file in WAL mode, tenant acme)', onFile, { makeTenant });
serviceSuite('sqlite (better-sqlite3, :memory:)', inMemory);
serviceSuite('sqlite (better-sqlite3, file in WAL mode, tenant acme)', onFile);
reliabilitySuite('sqlite (better-sqlite3, :memory:)', inMemory);
reliabilitySuite('sqlite (better-sqlite3, file in WAL mode, tenant acme)', onFile);
