// The rows a deal save writes, gathered while planning and written set-based at the end: multi-row
// INSERTs and one UPDATE … FROM (VALUES …) per batch, so a chunk costs a constant number of
// statements, never one per deal.
import type { Deal, StageVisit } from '../../model/deal.js';
import { runRows, type Context } from './context.js';
import {
  changeParams, dealParams, multiRow, visitParams, CHANGE_INSERT, CHANGE_WIDTH, DEAL_INSERT, DEAL_WIDTH, VISIT_INSERT, VISIT_UPSERT, VISIT_WIDTH,
} from './rows.js';

const UPDATED = ['layout_id', 'pipeline_id', 'stage_id', 'name', 'name_key', 'amount', 'currency', 'probability', 'closing_date', 'owner_id',
  'lost_reason', 'outcome', 'created_at', 'updated_at', 'stage_entered_at', 'version', 'visit_count', 'change_count', 'fields'];

/** The columns an update sets, as a bit mask over {@link UPDATED}: every column a value differs in from the stored row. */
function changedColumns(params: readonly unknown[], stored: readonly unknown[] | undefined): number {
  if (stored === undefined) return (1 << UPDATED.length) - 1;
  let mask = 0;
  // params[0] is the id; UPDATED[i] is params[i + 1].
  for (let i = 0; i < UPDATED.length; i++) if (params[i + 1] !== stored[i + 1]) mask |= 1 << i;
  return mask;
}

const columnsOf = (mask: number) => UPDATED.filter((_, i) => mask & (1 << i));

/**
 * `rows` deal updates setting the columns of `mask` (SQLite rewrites the index entries of every
 * column a SET names, so a move sets only what it changed), each only where the stored version is
 * the expected one. One row: a plain UPDATE by primary key; more: one UPDATE joined to the rows as VALUES (`[id, values…, expected version]` each, then the tenant).
 */
function dealUpdate(mask: number, rows: number | 'one'): string {
  const columns = columnsOf(mask);
  if (rows === 'one') return `UPDATE sp_deals SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE tenant_id = ? AND id = ? AND version = ?`;
  const values = `(${Array(columns.length + 2).fill('?').join(', ')})`;
  return `UPDATE sp_deals AS d SET ${columns.map((c, i) => `${c} = v.column${i + 2}`).join(', ')}
    FROM (VALUES ${Array(rows).fill(values).join(', ')}) AS v
    WHERE d.tenant_id = ? AND d.id = v.column1 AND d.version = v.column${columns.length + 2}`;
}

/** What a save writes after planning; see {@link writeRows}. */
export interface Rows {
  insertDeal(deal: Deal, visitCount: number): void;
  /** `stored`: the row as this object read it, when it did (only the columns that differ are set). */
  updateDeal(deal: Deal, visitCount: number, expectedVersion: number, stored: readonly unknown[] | undefined): void;
  /** Visits carry the deal's layout: a deal moved to another layout has its visit rows follow it. */
  relayout(deal: Deal): void;
  trimVisits(deal: Deal, from: number): void;
  insertVisit(deal: Deal, seq: number, v: StageVisit): void;
  upsertVisit(deal: Deal, seq: number, v: StageVisit): void;
  closeVisit(dealId: string, seq: number, exitedAt: number | null): void;
  /** Deletes the deal's stored change log (before `appendChanges` writes it again, or when the deal has none now). */
  dropChanges(dealId: string): void;
  /** The deal's change-log entries from `from` on (the ones past the stored count). */
  appendChanges(deal: Deal, from: number): void;
  /** Writes what was gathered; returns how many deal updates found another version than expected. */
  flush(): number;
}

/** Gathers a save's rows (the rare per-deal statements run at once), and writes the rest in {@link Rows.flush}. */
export function writeRows(ctx: Context): Rows {
  const { tenantId, sql } = ctx;
  const dealInserts: unknown[] = [];
  // Per set of changed columns: [id, changed values…, expected version] of each deal.
  const dealUpdates = new Map<number, unknown[]>();
  let updates = 0;
  const visitInserts: unknown[] = [];
  const changeInserts: unknown[] = [];
  const dropped: string[] = [];
  // A bulk move closes every visit at the same instant: one UPDATE per instant.
  const exits = new Map<number | null, [string, number][]>();
  return {
    insertDeal(deal, visitCount) {
      dealInserts.push(tenantId, ...dealParams(deal, visitCount));
    },
    updateDeal(deal, visitCount, expectedVersion, stored) {
      const params = dealParams(deal, visitCount);
      // The version always rises, so no update sets nothing.
      const mask = changedColumns(params, stored);
      let list = dealUpdates.get(mask);
      if (!list) dealUpdates.set(mask, (list = []));
      list.push(params[0]);
      for (let i = 0; i < UPDATED.length; i++) if (mask & (1 << i)) list.push(params[i + 1]);
      list.push(expectedVersion);
      updates++;
    },
    relayout(deal) {
      sql.visitsRelayout.run(deal.layoutId, tenantId, deal.id);
    },
    trimVisits(deal, from) {
      sql.visitsTrim.run(tenantId, deal.id, from);
    },
    insertVisit(deal, seq, v) {
      visitInserts.push(...visitParams(tenantId, deal.id, deal.layoutId, seq, v));
    },
    upsertVisit(deal, seq, v) {
      ctx.cached(VISIT_UPSERT).run(...visitParams(tenantId, deal.id, deal.layoutId, seq, v));
    },
    closeVisit(dealId, seq, exitedAt) {
      const keys = exits.get(exitedAt);
      if (keys) keys.push([dealId, seq]);
      else exits.set(exitedAt, [[dealId, seq]]);
    },
    dropChanges(dealId) {
      dropped.push(dealId);
    },
    appendChanges(deal, from) {
      const log = deal.changes ?? [];
      for (let seq = from; seq < log.length; seq++) changeInserts.push(...changeParams(tenantId, deal.id, seq, log[seq]!));
    },
    flush() {
      let updated = 0;
      for (const [mask, params] of dealUpdates) {
        const width = columnsOf(mask).length + 2;
        if (params.length === width) {
          updated += ctx.cached(`dealUpdate:${mask}:one`, () => dealUpdate(mask, 'one')).run(...params.slice(1, width - 1), tenantId, params[0], params[width - 1]).changes;
        } else updated += runRows(ctx, `dealUpdate:${mask}`, (n) => dealUpdate(mask, n), width, params, [tenantId]);
      }
      if (updated !== updates) return updates - updated;
      runRows(ctx, 'dealInsert', (n) => multiRow(DEAL_INSERT, DEAL_WIDTH, n), DEAL_WIDTH, dealInserts);
      if (dropped.length > 0) sql.changesDelete.run(tenantId, JSON.stringify(dropped));
      runRows(ctx, 'changeInsert', (n) => multiRow(CHANGE_INSERT, CHANGE_WIDTH, n), CHANGE_WIDTH, changeInserts);
      runRows(ctx, 'visitInsert', (n) => multiRow(VISIT_INSERT, VISIT_WIDTH, n), VISIT_WIDTH, visitInserts);
      for (const [at, keys] of exits) {
        if (keys.length === 1) sql.visitExit.run(at, tenantId, keys[0]![0], keys[0]![1]);
        else sql.visitExits.run(at, tenantId, JSON.stringify(keys));
      }
      return 0;
    },
  };
}
