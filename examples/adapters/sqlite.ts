// A SQLite adapter for sales-pipelines, on better-sqlite3 (12.x runs on Node 20).
//
// Tables: one row for the workspace, one row per deal. A deal's history is stored as JSON inside
// the deal row rather than in a child table: the library always reads and writes a deal whole
// (it is one aggregate, saved with one version check), so a child table would only add a join
// on every read and one insert per visit on every save. The columns that `list` filters on are
// copied out of the JSON, each with an index that also serves the id order of the cursor.
import type { Database } from 'better-sqlite3';
import { PipelineError, emptyWorkspace, type Deal, type DealChange, type DealQuery, type Repositories, type Workspace } from '../../src/index.js';

/** Creates the tables and indexes if they do not exist. */
export function migrateSqlite(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS sp_workspace (
      id      INTEGER PRIMARY KEY CHECK (id = 1),
      version INTEGER NOT NULL,
      body    TEXT    NOT NULL
    );
    CREATE TABLE IF NOT EXISTS sp_deals (
      id          TEXT    PRIMARY KEY,
      layout_id   TEXT    NOT NULL,
      pipeline_id TEXT,
      stage_id    TEXT    NOT NULL,
      version     INTEGER NOT NULL,
      body        TEXT    NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS sp_deals_layout   ON sp_deals (layout_id, id);
    CREATE INDEX IF NOT EXISTS sp_deals_pipeline ON sp_deals (pipeline_id, id);
    CREATE INDEX IF NOT EXISTS sp_deals_stage    ON sp_deals (stage_id, id);
  `);
}

/** Repositories over a better-sqlite3 database (call {@link migrateSqlite} once first). */
export function createSqliteRepositories(db: Database): Repositories {
  const loadWs = db.prepare<[], { version: number; body: string }>('SELECT version, body FROM sp_workspace WHERE id = 1');
  const insertWs = db.prepare('INSERT INTO sp_workspace (id, version, body) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING');
  const updateWs = db.prepare('UPDATE sp_workspace SET version = ?, body = ? WHERE id = 1 AND version = ?');
  const getDeal = db.prepare<[string], { body: string }>('SELECT body FROM sp_deals WHERE id = ?');
  const insertDeal = db.prepare('INSERT INTO sp_deals (id, layout_id, pipeline_id, stage_id, version, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
  const updateDeal = db.prepare('UPDATE sp_deals SET layout_id = ?, pipeline_id = ?, stage_id = ?, version = ?, body = ? WHERE id = ? AND version = ?');

  const saveDeals = db.transaction((changes: readonly DealChange[]) => {
    const conflicts: string[] = [];
    for (const { deal, expectedVersion } of changes) {
      const body = JSON.stringify(deal);
      const result = expectedVersion === null
        ? insertDeal.run(deal.id, deal.layoutId, deal.pipelineId, deal.stageId, deal.version, body)
        : updateDeal.run(deal.layoutId, deal.pipelineId, deal.stageId, deal.version, body, deal.id, expectedVersion);
      if (result.changes !== 1) conflicts.push(deal.id);
    }
    // Throwing inside the transaction rolls every write of this save back.
    if (conflicts.length > 0) throw new PipelineError('conflict', `deals changed since they were read: ${conflicts.join(', ')}`, { ids: conflicts });
  });

  return {
    workspace: {
      async load(): Promise<Workspace> {
        const row = loadWs.get();
        return row ? (JSON.parse(row.body) as Workspace) : emptyWorkspace();
      },
      async save(ws, expectedVersion) {
        const body = JSON.stringify(ws);
        const result = expectedVersion === 0 && !loadWs.get() ? insertWs.run(ws.version, body) : updateWs.run(ws.version, body, expectedVersion);
        if (result.changes !== 1) throw new PipelineError('conflict', `workspace: stored version is not ${expectedVersion}`, { ids: ['workspace'], expectedVersion });
      },
    },
    deals: {
      async get(id) {
        const row = getDeal.get(id);
        return row ? (JSON.parse(row.body) as Deal) : null;
      },
      async getMany(ids) {
        if (ids.length === 0) return [];
        const out: Deal[] = [];
        for (let i = 0; i < ids.length; i += 500) {
          const part = ids.slice(i, i + 500);
          const rows = db.prepare<string[], { body: string }>(`SELECT body FROM sp_deals WHERE id IN (${part.map(() => '?').join(',')})`).all(...part);
          out.push(...rows.map((r) => JSON.parse(r.body) as Deal));
        }
        return out;
      },
      async list(q: DealQuery) {
        const where: string[] = [];
        const params: (string | number)[] = [];
        if (q.layoutId !== undefined) (where.push('layout_id = ?'), params.push(q.layoutId));
        if (q.pipelineId === null) where.push('pipeline_id IS NULL');
        else if (q.pipelineId !== undefined) (where.push('pipeline_id = ?'), params.push(q.pipelineId));
        if (q.stageId !== undefined) (where.push('stage_id = ?'), params.push(q.stageId));
        if (q.after != null) (where.push('id > ?'), params.push(q.after));
        const limit = Math.max(1, Math.floor(q.limit));
        const sql = `SELECT id, body FROM sp_deals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
        const rows = db.prepare<(string | number)[], { id: string; body: string }>(sql).all(...params, limit + 1);
        const page = rows.slice(0, limit);
        return { deals: page.map((r) => JSON.parse(r.body) as Deal), next: rows.length > limit ? page[page.length - 1]!.id : null };
      },
      async save(changes) {
        saveDeals(changes);
      },
    },
  };
}
