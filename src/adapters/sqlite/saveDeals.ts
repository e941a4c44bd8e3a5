import { PipelineError, type Deal, type DealChange, type DealSaveOptions, type StageVisit } from '../../index.js';
import { VISIT_BATCH, type Context } from './context.js';
import { writeEvents } from './outbox.js';
import { checkDeal, dealColumns, visitFromRow, visitParams } from './rows.js';
import { workspaceVersion } from './workspace.js';

type Head = [version: number, visitCount: number, layoutId: string];

/**
 * The visit rows a save writes after its deal rows: new rows go in multi-row INSERTs, closed
 * visits in one UPDATE per exit instant (a bulk move closes every visit at the same instant).
 */
interface Pending {
  readonly inserts: unknown[];
  readonly exits: Map<number | null, [dealId: string, seq: number][]>;
}

function insertVisit(ctx: Context, pending: Pending, deal: Deal, seq: number, v: StageVisit): void {
  const params = pending.inserts;
  params.push(ctx.tenantId, deal.id, seq, deal.layoutId, v.pipelineId, v.stageId, v.enteredAt, v.exitedAt, v.amount, v.probability,
    v.expectedRevenue, v.closingDate, v.forecastCategory, v.outcome, v.by, v.bypassedRules ? 1 : 0);
  if (params.length === VISIT_BATCH * 16) {
    ctx.sql.visitInsertMany.run(params);
    params.length = 0;
  }
}

function flush(ctx: Context, pending: Pending): void {
  const params = pending.inserts;
  for (let i = 0; i < params.length; i += 16) ctx.sql.visitInsert.run(params.slice(i, i + 16));
  params.length = 0;
  for (const [at, keys] of pending.exits) {
    if (keys.length === 1) ctx.sql.visitExit.run(at, ctx.tenantId, keys[0]![0], keys[0]![1]);
    else ctx.sql.visitExits.run(at, ctx.tenantId, JSON.stringify(keys));
  }
  pending.exits.clear();
}

/** The stored version, visit count and layout of each deal, by id: one SELECT for the whole save. */
function headsOf(ctx: Context, changes: readonly DealChange[]): Map<string, Head> {
  const ids = changes.map((c) => c.deal.id);
  const heads = new Map<string, Head>();
  for (const r of ctx.sql.dealHeads.all(ctx.tenantId, JSON.stringify(ids)) as [string, number, number, string][]) heads.set(r[0], [r[1], r[2], r[3]]);
  return heads;
}

/** The visits this object handed out with the deal's first visit, when it read this deal. */
function readVisits(ctx: Context, deal: Deal): readonly StageVisit[] | undefined {
  const h = typeof deal === 'object' && deal !== null && Array.isArray(deal.history) ? deal.history : [];
  const first = h[0];
  const read = typeof first === 'object' && first !== null ? ctx.known.get(first) : undefined;
  return read && read.id === deal.id ? read.visits : undefined;
}

function checkChanges(ctx: Context, changes: readonly DealChange[]): DealChange[] {
  if (!Array.isArray(changes)) throw new PipelineError('invalid_input', 'changes: expected an array', { path: 'changes' });
  const seen = new Set<string>();
  changes.forEach((change, i) => {
    if (typeof change !== 'object' || change === null) throw new PipelineError('invalid_input', `changes[${i}]: expected { deal, expectedVersion }`, { path: `changes[${i}]` });
    checkDeal(change.deal, `changes[${i}].deal`, 0, readVisits(ctx, change.deal));
    const ev = change.expectedVersion;
    if (ev !== null && !Number.isInteger(ev)) throw new PipelineError('invalid_input', `changes[${i}].expectedVersion: expected an integer or null`, { path: `changes[${i}].expectedVersion` });
    if (seen.has(change.deal.id)) throw new PipelineError('invalid_input', `changes: deal ${change.deal.id} appears twice`, { path: 'changes', dealId: change.deal.id });
    seen.add(change.deal.id);
  });
  // Rows are written in id order, so that saves over the same deals take their locks in one order.
  return [...changes].sort((a, b) => (a.deal.id < b.deal.id ? -1 : a.deal.id > b.deal.id ? 1 : 0));
}

/**
 * The visits stored for a deal at version `head`: what this object handed out when the history
 * starts with a visit it read at that version (no read), else read back from the table.
 */
function storedVisits(ctx: Context, deal: Deal, head: Head): readonly StageVisit[] {
  const h = deal.history;
  const read = h.length > 0 ? ctx.known.get(h[0]!) : undefined;
  // Versions only rise, so the visits read at the stored version are the stored visits.
  if (read && read.id === deal.id && read.version === head[0] && read.visits.length === head[1]) return read.visits;
  const rows = ctx.sql.visitsOfDeal.all(ctx.tenantId, deal.id) as unknown[][];
  return rows.map((r) => visitFromRow(r, 0));
}

function sameExceptExit(a: StageVisit, b: StageVisit): boolean {
  return (
    a.pipelineId === b.pipelineId && a.stageId === b.stageId && a.enteredAt === b.enteredAt && a.amount === b.amount &&
    a.probability === b.probability && a.expectedRevenue === b.expectedRevenue && a.closingDate === b.closingDate &&
    a.forecastCategory === b.forecastCategory && a.outcome === b.outcome && a.by === b.by && a.bypassedRules === b.bypassedRules
  );
}

/**
 * Writes a deal's row and the visit rows that differ from what is stored: a visit only closed
 * gets its exited_at, a changed one is rewritten, new ones are inserted, and stored visits past
 * the history are removed. Reducers append, so a move writes one exited_at and one new row.
 */
function writeDeal(ctx: Context, pending: Pending, deal: Deal, head: Head | undefined): void {
  const { tenantId, sql } = ctx;
  const h = deal.history;
  if (head === undefined) {
    sql.dealInsert.run(tenantId, deal.id, ...dealColumns(deal));
    for (let seq = 0; seq < h.length; seq++) insertVisit(ctx, pending, deal, seq, h[seq]!);
    return;
  }
  const columns = dealColumns(deal);
  if (deal.layoutId === head[2]) sql.dealUpdateSameLayout.run(...columns.slice(1), tenantId, deal.id);
  else {
    sql.dealUpdate.run(...columns, tenantId, deal.id);
    sql.visitsRelayout.run(deal.layoutId, tenantId, deal.id);
  }
  const stored = storedVisits(ctx, deal, head);
  if (h.length < stored.length) sql.visitsTrim.run(tenantId, deal.id, h.length);
  for (let seq = 0; seq < h.length; seq++) {
    const v = h[seq]!;
    const old = stored[seq];
    if (old === undefined) insertVisit(ctx, pending, deal, seq, v);
    else if (old === v) continue;
    else if (!sameExceptExit(old, v)) sql.visitUpsert.run(...visitParams(tenantId, deal, seq, v));
    else if (old.exitedAt !== v.exitedAt) {
      const keys = pending.exits.get(v.exitedAt);
      if (keys) keys.push([deal.id, seq]);
      else pending.exits.set(v.exitedAt, [[deal.id, seq]]);
    }
  }
}

/**
 * The body of a deal save, run inside one IMMEDIATE transaction: the workspace version and every
 * deal version are checked before anything is written; a conflict throws and rolls back.
 */
export function saveDealsInTransaction(ctx: Context, input: readonly DealChange[], options: DealSaveOptions): void {
  const changes = checkChanges(ctx, input);
  if (options.workspaceVersion !== undefined) {
    const stored = workspaceVersion(ctx);
    if (stored !== options.workspaceVersion) {
      throw new PipelineError('conflict', `deals: the workspace changed since the decision (stored version ${stored}, expected ${options.workspaceVersion})`, {
        ids: [],
        workspaceVersion: { stored, expected: options.workspaceVersion },
      });
    }
  }
  const heads: (Head | undefined)[] = new Array(changes.length);
  const conflicts: string[] = [];
  const stored = changes.length === 1 ? null : headsOf(ctx, changes);
  for (let i = 0; i < changes.length; i++) {
    const { deal, expectedVersion } = changes[i]!;
    const head = stored ? stored.get(deal.id) : (ctx.sql.dealHead.get(ctx.tenantId, deal.id) as Head | undefined);
    if ((head?.[0] ?? null) !== expectedVersion) conflicts.push(deal.id);
    heads[i] = head;
  }
  if (conflicts.length > 0) {
    throw new PipelineError('conflict', `deals changed since they were read: ${conflicts.slice(0, 10).join(', ')}${conflicts.length > 10 ? ', …' : ''}`, { ids: conflicts });
  }
  const pending: Pending = { inserts: [], exits: new Map() };
  for (let i = 0; i < changes.length; i++) writeDeal(ctx, pending, changes[i]!.deal, heads[i]);
  flush(ctx, pending);
  writeEvents(ctx, options.events ?? [], 'options.events');
}
