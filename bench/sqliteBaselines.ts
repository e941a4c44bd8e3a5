// The SQL a developer would write by hand without the library, on a schema of their own design:
// one typed column per deal field (`deals`), a stage-visit table (`visits`) and a change log
// (`deal_changes`), no JSON document of the deal. The baselines of bench/storage.sqlite.bench.ts,
// on the same SQLite file (WAL) and the same data as the library.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { configureSqlite, migrateSqlite } from '../src/sqlite.js';
import type { Deal } from '../src/index.js';

type Db = Database.Database;

/** A SQLite file in a fresh temporary directory, configured (WAL) and migrated; `remove` closes and deletes it. */
export function benchFile(prefix: string): { db: Db; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = new Database(join(dir, 'bench.db'));
  configureSqlite(db);
  migrateSqlite(db);
  return {
    db,
    remove: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The probability of each stage of the dealer's two pipelines (examples/dealership.ts). */
export const PROBABILITY: Record<string, Record<string, number>> = {
  'new-cars': { requirements: 10, 'test-drive': 30, quote: 60, negotiation: 80, won: 100, lost: 0 },
  'used-cars': { 'show-models': 15, 'test-drive': 30, quote: 50, negotiation: 80, won: 100, lost: 0 },
};

/** Creates the hand-written schema under `prefix` (deals, visits, changes) with the indexes its queries need. */
export function createSchema(db: Db, prefix: string): void {
  db.exec(`
    CREATE TABLE ${prefix}deals (
      id TEXT PRIMARY KEY, layout_id TEXT NOT NULL, pipeline_id TEXT, stage_id TEXT NOT NULL, name TEXT NOT NULL, amount REAL, currency TEXT,
      probability REAL NOT NULL, closing_date TEXT, owner_id TEXT, lost_reason TEXT, fields TEXT NOT NULL, created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL, stage_entered_at INTEGER NOT NULL, version INTEGER NOT NULL, visit_count INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX ${prefix}deals_by_pipeline ON ${prefix}deals (pipeline_id, stage_id);
    CREATE INDEX ${prefix}deals_by_owner ON ${prefix}deals (owner_id, closing_date);
    CREATE TABLE ${prefix}visits (
      deal_id TEXT NOT NULL, seq INTEGER NOT NULL, pipeline_id TEXT, stage_id TEXT NOT NULL, entered_at INTEGER NOT NULL, exited_at INTEGER,
      amount REAL, probability REAL NOT NULL, expected_revenue REAL, closing_date TEXT, forecast_category TEXT NOT NULL, outcome TEXT NOT NULL,
      "by" TEXT, PRIMARY KEY (deal_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE ${prefix}deal_changes (deal_id TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, "by" TEXT, field TEXT NOT NULL, from_value TEXT, to_value TEXT, PRIMARY KEY (deal_id, seq)) WITHOUT ROWID;
  `);
}

/** Loads deals into the hand-written schema. */
export function load(db: Db, prefix: string, deals: readonly Deal[]): void {
  const deal = db.prepare(`INSERT INTO ${prefix}deals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const visit = db.prepare(`INSERT INTO ${prefix}visits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (const d of deals) {
      const last = d.history[d.history.length - 1]!;
      deal.run(d.id, d.layoutId, d.pipelineId, d.stageId, d.name, d.amount, d.currency, d.probability, d.closingDate, d.ownerId, d.lostReason,
        JSON.stringify(d.fields), d.createdAt, d.updatedAt, last.enteredAt, d.version, d.history.length);
      d.history.forEach((v, seq) => visit.run(d.id, seq, v.pipelineId, v.stageId, v.enteredAt, v.exitedAt, v.amount, v.probability, v.expectedRevenue,
        v.closingDate, v.forecastCategory, v.outcome, v.by));
    }
  }).immediate();
}

/**
 * Moves every deal of `from` to `to` with a stage map, in one transaction of four set-based
 * statements: log the probability changes, close the open visits, move the deals, open a visit each.
 */
export function sqlBulkMove(db: Db, prefix: string, from: string, to: string, stageMap: Readonly<Record<string, string>>, at: number): number {
  const mapped = `CASE stage_id ${Object.entries(stageMap).map(([a, b]) => `WHEN '${a}' THEN '${b}'`).join(' ')} ELSE stage_id END`;
  const probability = `CASE ${mapped} ${Object.entries(PROBABILITY[to]!).map(([s, p]) => `WHEN '${s}' THEN ${p}`).join(' ')} END`;
  return db.transaction(() => {
    db.prepare(`INSERT INTO ${prefix}deal_changes (deal_id, seq, at, "by", field, from_value, to_value)
      SELECT id, (SELECT count(*) FROM ${prefix}deal_changes c WHERE c.deal_id = id), ?, 'manager', 'probability', probability, ${probability}
      FROM ${prefix}deals WHERE pipeline_id = ? AND probability <> ${probability}`).run(at, from);
    db.prepare(`UPDATE ${prefix}visits SET exited_at = ? WHERE (deal_id, seq) IN (SELECT id, visit_count - 1 FROM ${prefix}deals WHERE pipeline_id = ?)`).run(at, from);
    const { changes } = db.prepare(`UPDATE ${prefix}deals SET pipeline_id = ?, stage_id = ${mapped}, probability = ${probability}, stage_entered_at = ?,
        updated_at = ?, version = version + 1, visit_count = visit_count + 1 WHERE pipeline_id = ?`).run(to, at, at, from);
    db.prepare(`INSERT INTO ${prefix}visits SELECT id, visit_count - 1, pipeline_id, stage_id, ?, NULL, amount, probability, amount * probability / 100,
        closing_date, 'pipeline', 'open', 'manager' FROM ${prefix}deals WHERE pipeline_id = ? AND updated_at = ?`).run(at, to, at);
    return changes;
  }).immediate();
}

const prepared = new WeakMap<Db, Map<string, ReturnType<typeof prepareDispatch>>>();
function prepareDispatch(db: Db, prefix: string) {
  return {
    read: db.prepare<[string], { version: number; stage_id: string; pipeline_id: string; visit_count: number; amount: number | null; closing_date: string | null; probability: number }>(
      `SELECT version, stage_id, pipeline_id, visit_count, amount, closing_date, probability FROM ${prefix}deals WHERE id = ?`),
    close: db.prepare(`UPDATE ${prefix}visits SET exited_at = ? WHERE deal_id = ? AND seq = ?`),
    open: db.prepare(`INSERT INTO ${prefix}visits VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, 'pipeline', 'open', 'rep')`),
    update: db.prepare(`UPDATE ${prefix}deals SET stage_id = ?, probability = ?, stage_entered_at = ?, updated_at = ?, version = version + 1, visit_count = visit_count + 1
      WHERE id = ? AND version = ?`),
    log: db.prepare(`INSERT INTO ${prefix}deal_changes VALUES (?, (SELECT count(*) FROM ${prefix}deal_changes WHERE deal_id = ?), ?, 'rep', 'probability', ?, ?)`),
  };
}

/** One stage move: read the deal, check the stage and the fields it requires, close a visit, open one, update, log. One transaction. */
export function sqlDispatch(db: Db, prefix: string, dealId: string, stageId: string, at: number): void {
  let byPrefix = prepared.get(db);
  if (!byPrefix) prepared.set(db, (byPrefix = new Map()));
  let q = byPrefix.get(prefix);
  if (!q) byPrefix.set(prefix, (q = prepareDispatch(db, prefix)));
  const s = q;
  db.transaction(() => {
    const deal = s.read.get(dealId);
    if (!deal) throw new Error(`no deal ${dealId}`);
    const probability = PROBABILITY[deal.pipeline_id]?.[stageId];
    if (probability === undefined) throw new Error(`stage ${stageId} is not in ${deal.pipeline_id}`);
    if ((stageId === 'quote' || stageId === 'negotiation') && deal.amount === null) throw new Error('amount required');
    if (stageId === 'negotiation' && deal.closing_date === null) throw new Error('closing date required');
    if (deal.stage_id === stageId) return;
    s.close.run(at, dealId, deal.visit_count - 1);
    s.open.run(dealId, deal.visit_count, deal.pipeline_id, stageId, at, deal.amount, probability, deal.amount === null ? null : (deal.amount * probability) / 100, deal.closing_date);
    if (s.update.run(stageId, probability, at, at, dealId, deal.version).changes !== 1) throw new Error('conflict');
    if (deal.probability !== probability) s.log.run(dealId, dealId, at, deal.probability, probability);
  }).immediate();
}

/** One page: an owner's deals closing in a month, biggest first (ties by id), 100 rows. */
export function sqlPage(db: Db, prefix: string, ownerId: string, fromDate: string, toDate: string): unknown[] {
  return db.prepare(`SELECT id, layout_id, pipeline_id, stage_id, name, amount, currency, probability, closing_date, owner_id, lost_reason, fields,
      created_at, updated_at, stage_entered_at, version FROM ${prefix}deals
    WHERE owner_id = ? AND closing_date >= ? AND closing_date <= ? ORDER BY amount DESC, id LIMIT 100`).all(ownerId, fromDate, toDate);
}

/**
 * Dwell statistics per (pipeline, stage) of the visits completed in [from, to): one GROUP BY for
 * the counts, sums and maxima, one sorted read of the durations for the median and 90th percentile.
 */
export function sqlDwell(db: Db, prefix: string, from: number, to: number): { pipelineId: string | null; stageId: string; visits: number; meanMs: number; medianMs: number; p90Ms: number; maxMs: number }[] {
  const rows = db.prepare(`SELECT pipeline_id, stage_id, exited_at - entered_at FROM ${prefix}visits
    WHERE exited_at >= ? AND exited_at < ? ORDER BY pipeline_id, stage_id, 3`).raw().all(from, to) as [string | null, string, number][];
  const out = [];
  for (let start = 0; start < rows.length; ) {
    let end = start;
    let sum = 0;
    while (end < rows.length && rows[end]![0] === rows[start]![0] && rows[end]![1] === rows[start]![1]) sum += rows[end++]![2];
    const n = end - start;
    const at = (k: number) => rows[start + k]![2];
    const median = n % 2 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
    out.push({ pipelineId: rows[start]![0], stageId: rows[start]![1], visits: n, meanMs: sum / n, medianMs: median, p90Ms: at(Math.ceil(0.9 * n) - 1), maxMs: at(n - 1) });
    start = end;
  }
  return out;
}
