import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import { describeRepositoryContract } from '../../src/testing.js';
import { configureSqlite, createSqliteRepositories, migrateSqlite } from '../../src/sqlite.js';
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

describeRepositoryContract('sqlite (better-sqlite3, :memory:)', inMemory);
describeRepositoryContract('sqlite (better-sqlite3, file in WAL mode, tenant acme)', onFile);
serviceSuite('sqlite (better-sqlite3, :memory:)', inMemory);
serviceSuite('sqlite (better-sqlite3, file in WAL mode, tenant acme)', onFile);
