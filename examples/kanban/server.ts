// The kanban page's backend: the dealer's pipelines in a SQLite file (sales-pipelines/sqlite),
// served under /api by the shipped HTTP handler and node bridge (sales-pipelines/http).
//
//   npx tsx examples/kanban/server.ts          # the API on 127.0.0.1:3001 and the page on a Vite dev server
//   KANBAN_DB=crm.db KANBAN_API_PORT=3001 …     # where the data lives, where the API listens
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { configureSqlite, createSqliteRepositories, migrateSqlite } from 'sales-pipelines/sqlite';
import { createHttpHandler, startHttpServer } from 'sales-pipelines/http';
import { createBackend } from './seed.js';

/** The path the API is mounted under: the page calls it on its own origin (the dev server proxies it). */
export const API_PATH = '/api';

/** A running kanban backend. */
export interface KanbanServer {
  /** `http://host:port`: the API is at `${url}/api`. */
  readonly url: string;
  /** Deletes the file and seeds it again: every deal back where it started. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens (or creates and seeds) the SQLite file and serves the API. Who acts comes from the
 * `x-user` header, as a host's session would say; `bypassRules` is refused to everyone.
 */
export async function startKanbanServer({ file, port = 0, host = '127.0.0.1' }: { file: string; port?: number; host?: string }): Promise<KanbanServer> {
  let db: Database.Database;
  let handler: (request: Request) => Promise<Response>;
  const open = async () => {
    db = new Database(file);
    configureSqlite(db);
    migrateSqlite(db);
    const { service } = await createBackend(createSqliteRepositories(db));
    handler = createHttpHandler(service, { basePath: API_PATH, authorize: ({ request }) => request.headers.get('x-user') });
  };
  await open();
  const server = await startHttpServer((request) => handler(request), { port, host });
  const drop = () => {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  };
  return {
    url: server.url,
    reset: async () => {
      drop();
      await open();
    },
    close: async () => {
      await server.close();
      db.close();
    },
  };
}

// Run directly: the API, then the page on a Vite dev server that proxies /api to it.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const api = await startKanbanServer({ file: process.env['KANBAN_DB'] ?? 'kanban.db', port: Number(process.env['KANBAN_API_PORT'] ?? 3001) });
  process.env['KANBAN_API'] = api.url;
  const { createServer } = await import('vite');
  const vite = await createServer({ configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)) });
  await vite.listen();
  console.log(`kanban API on ${api.url}${API_PATH}; the page:`);
  vite.printUrls();
}
