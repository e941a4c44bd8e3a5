// Stores seeded with a scenario's workspace and deals, for tests that compare a report over the
// store with the array function over every stored deal.
import Database from 'better-sqlite3';
import { createMemoryRepositories, type Deal, type Repositories, type Workspace } from '../../../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../../../src/sqlite.js';
import { createPostgresRepositories } from '../../../src/postgres.js';
import { freshTenant, serverDatabase, SERVER_URL, wholeDeals } from '../../adapters/postgresDatabases.js';

export type Seed = (ws: Workspace, deals: readonly Deal[]) => Promise<Repositories>;

async function seeded(repos: Repositories, ws: Workspace, deals: readonly Deal[]): Promise<Repositories> {
  await repos.workspace.save(ws, 0);
  if (deals.length > 0) await repos.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
  return repos;
}

/**
 * The stores to compare on: memory, SQLite (an in-memory database), and the PostgreSQL server
 * when `SALES_PIPELINES_PG_URL` is set (each seed a fresh tenant). Call at the top of a file.
 */
export function stores(): [name: string, seed: Seed][] {
  const out: [string, Seed][] = [
    ['memory', (ws, deals) => seeded(createMemoryRepositories(), ws, deals)],
    ['sqlite', (ws, deals) => {
      const db = new Database(':memory:');
      migrateSqlite(db);
      return seeded(createSqliteRepositories(db), ws, deals);
    }],
  ];
  if (SERVER_URL) {
    const client = serverDatabase(SERVER_URL, 4);
    out.push(['postgres', async (ws, deals) => seeded(createPostgresRepositories(await client(), { tenantId: freshTenant('reports') }), ws, deals)]);
  }
  return out;
}

export { wholeDeals };
