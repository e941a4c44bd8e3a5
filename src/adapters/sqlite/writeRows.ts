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
/** An update row: the deal's parameters (id first, as inserted), then the version it must have. */
const UPDATE_WIDTH = DEAL_WIDTH;

/** One deal update by primary key (a dispatch): the columns, then tenant, id and expected version. */
const DEAL_UPDATE_ONE = `UPDATE sp_deals SET ${UPDATED.map((c) => `${c} = ?`).join(', ')} WHERE tenant_id = ? AND id = ? AND version = ?`;

/** `rows` deal updates, each only where the stored version is the expected one: one UPDATE joined to the rows as VALUES. */
function dealUpdate(rows: number): string {
  const values = `(${Array(UPDATE_WIDTH).fill('?').join(', ')})`;
  return `UPDATE sp_deals AS d SET ${UPDATED.map((c, i) => `${c} = v.column${i + 2}`).join(', ')}
    FROM (VALUES ${Array(rows).fill(values).join(', ')}) AS v
    WHERE d.tenant_id = ? AND d.id = v.column1 AND d.version = v.column${UPDATE_WIDTH}`;
}

/** What a save writes after planning; see {@link writeRows}. */
export interface Rows {
  insertDeal(deal: Deal, visitCount: number): void;
  updateDeal(deal: Deal, visitCount: number, expectedVersion: number): void;
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
  const dealUpdates: unknown[] = [];
  const visitInserts: unknown[] = [];
  const changeInserts: unknown[] = [];
  const dropped: string[] = [];
  // A bulk move closes every visit at the same instant: one UPDATE per instant.
  const exits = new Map<number | null, [string, number][]>();
  return {
    insertDeal(deal, visitCount) {
      dealInserts.push(tenantId, ...dealParams(deal, visitCount));
    },
    updateDeal(deal, visitCount, expectedVersion) {
      dealUpdates.push(...dealParams(deal, visitCount), expectedVersion);
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
      const expected = dealUpdates.length / UPDATE_WIDTH;
      const updated = expected === 1
        ? ctx.cached(DEAL_UPDATE_ONE).run(...dealUpdates.slice(1, UPDATE_WIDTH - 1), tenantId, dealUpdates[0], dealUpdates[UPDATE_WIDTH - 1]).changes
        : runRows(ctx, 'dealUpdate', dealUpdate, UPDATE_WIDTH, dealUpdates, expected > 0 ? [tenantId] : []);
      if (updated !== expected) return expected - updated;
      runRows(ctx, 'dealInsert', (n) => multiRow(DEAL_INSERT, DEAL_WIDTH, n), DEAL_WIDTH, dealInserts);
      if (dropped.length > 0) sql.changesDelete.run(tenantId, JSON.stringify(dropped));
      runRows(ctx, 'changeInsert', (n) => multiRow(CHANGE_INSERT, CHANGE_WIDTH, n), CHANGE_WIDTH, changeInserts);
      runRows(ctx, 'visitInsert', (n) => multiRow(VISIT_INSERT, VISIT_WIDTH, n), VISIT_WIDTH, visitInserts);
      for (const [at, keys] of exits) sql.visitExits.run(at, tenantId, JSON.stringify(keys));
      return 0;
    },
  };
}
