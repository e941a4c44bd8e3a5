import { PipelineError, type Deal, type DealChange, type DealSaveOptions, type StageVisit } from '../../index.js';
import { VISIT_BATCH, type Context, type DealRead } from './context.js';
import { writeEvents } from './outbox.js';
import { checkDeal, dealColumns, visitFromRow, visitParams } from './rows.js';
import { workspaceVersion } from './workspace.js';
import { historyStartOf, knownRead, sameExceptExit } from '../storedRows.js';

type Head = [version: number, visitCount: number, layoutId: string];

/** A checked change: the deal, the version it was read at, where its history starts in the stored one, and its index in the save. */
interface Change {
  readonly deal: Deal;
  readonly expectedVersion: number | null;
  readonly start: number;
  readonly index: number;
}

/** Stored visits from position `from` on: `visits[k]` is the visit at `from + k`. */
interface StoredVisits {
  readonly from: number;
  readonly visits: readonly StageVisit[];
}

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
function headsOf(ctx: Context, changes: readonly Change[]): Map<string, Head> {
  const ids = changes.map((c) => c.deal.id);
  const heads = new Map<string, Head>();
  for (const r of ctx.sql.dealHeads.all(ctx.tenantId, JSON.stringify(ids)) as [string, number, number, string][]) heads.set(r[0], [r[1], r[2], r[3]]);
  return heads;
}

/** Whether a read holds what was stored at `version` from position `start` on (and `visitCount` visits in all, when given). */
function holds(read: DealRead | undefined, version: number, start: number, visitCount: number | undefined): read is DealRead {
  return read !== undefined && read.version === version && read.start <= start && (visitCount === undefined || read.start + read.visits.length === visitCount);
}

/**
 * What this object knows was stored for a (checked) deal at `version` from position `start` on:
 * its recent entry, the read its first visit came from, or the tail it read.
 */
function readAt(ctx: Context, deal: Deal, version: number, start: number, visitCount?: number): DealRead | undefined {
  const recent = ctx.recent.get(deal.id);
  if (holds(recent, version, start, visitCount)) return recent;
  const known = knownRead(ctx.known, deal);
  if (holds(known, version, start, visitCount)) return known;
  if (ctx.tails.size === 0) return undefined;
  const tail = ctx.tails.get(deal.id);
  if (holds(tail, version, start, visitCount)) return tail;
  return undefined;
}

const stored0 = (x: number) => (x === 0 ? 0 : x);

/** A visit as a read of its row gives it back (a zero has no sign in SQLite), frozen. */
function storedVisit(v: StageVisit): StageVisit {
  return Object.freeze({
    pipelineId: v.pipelineId,
    stageId: v.stageId,
    enteredAt: stored0(v.enteredAt),
    exitedAt: v.exitedAt === null ? null : stored0(v.exitedAt),
    amount: v.amount === null ? null : stored0(v.amount),
    probability: stored0(v.probability),
    expectedRevenue: v.expectedRevenue === null ? null : stored0(v.expectedRevenue),
    closingDate: v.closingDate,
    forecastCategory: v.forecastCategory,
    outcome: v.outcome,
    by: v.by,
    bypassedRules: v.bypassedRules,
  });
}

/** The read a save leaves behind: the deal's visits as now stored, reusing the frozen ones that were stored unchanged. */
function readAfterSave(deal: Deal, stored: readonly StageVisit[]): DealRead {
  const h = deal.history;
  const visits = new Array<StageVisit>(h.length);
  for (let i = 0; i < h.length; i++) visits[i] = h[i] === stored[i] ? stored[i]! : storedVisit(h[i]!);
  return { id: deal.id, version: deal.version, layoutId: deal.layoutId, start: 0, visits };
}

function checkChanges(ctx: Context, changes: readonly DealChange[]): Change[] {
  if (!Array.isArray(changes)) throw new PipelineError('invalid_input', 'changes: expected an array', { path: 'changes' });
  const seen = new Set<string>();
  const checked = changes.map((change: DealChange, i): Change => {
    if (typeof change !== 'object' || change === null) throw new PipelineError('invalid_input', `changes[${i}]: expected { deal, expectedVersion }`, { path: `changes[${i}]` });
    const { deal, expectedVersion, historyStart } = change;
    checkDeal(deal, `changes[${i}].deal`, 0, knownRead(ctx.known, deal)?.visits);
    if (expectedVersion !== null && !Number.isInteger(expectedVersion)) {
      throw new PipelineError('invalid_input', `changes[${i}].expectedVersion: expected an integer or null`, { path: `changes[${i}].expectedVersion` });
    }
    const start = historyStartOf(historyStart, expectedVersion, i);
    if (typeof start !== 'number') throw new PipelineError('invalid_input', `${start[0]}: ${start[1]}`, { path: start[0] });
    if (seen.has(deal.id)) throw new PipelineError('invalid_input', `changes: deal ${deal.id} appears twice`, { path: 'changes', dealId: deal.id });
    seen.add(deal.id);
    return { deal, expectedVersion, start, index: i };
  });
  // Rows are written in id order, so that saves over the same deals take their locks in one order.
  return checked.sort((a, b) => (a.deal.id < b.deal.id ? -1 : a.deal.id > b.deal.id ? 1 : 0));
}

/**
 * The visits stored for a deal at version `head` from position `start` on: what this object
 * handed out when the history starts with a visit it read at that version (no read), else read
 * back from the table.
 */
function storedVisits(ctx: Context, deal: Deal, head: Head, start: number): StoredVisits {
  // Versions only rise, so the visits read at the stored version are the stored visits.
  const read = readAt(ctx, deal, head[0], start, head[1]);
  if (read) return { from: read.start, visits: read.visits };
  const rows = ctx.sql.visitsOfDealFrom.all(ctx.tenantId, deal.id, start) as unknown[][];
  return { from: start, visits: rows.map((r) => visitFromRow(r, 0)) };
}

/**
 * Writes a deal's row and the visit rows that differ from what is stored: a visit only closed
 * gets its exited_at, a changed one is rewritten, new ones are inserted, and stored visits past
 * the history are removed. Reducers append, so a move writes one exited_at and one new row.
 */
function writeDeal(ctx: Context, pending: Pending, change: Change, head: Head | undefined, after: DealRead[] | null): boolean {
  const { tenantId, sql } = ctx;
  const { deal, start } = change;
  const h = deal.history;
  if (head !== undefined && start > head[1]) {
    const path = `changes[${change.index}].historyStart`;
    throw new PipelineError('invalid_input', `${path}: ${start} is past the ${head[1]} stored visits of deal ${deal.id}`, { path, dealId: deal.id });
  }
  if (head === undefined) {
    sql.dealInsert.run(tenantId, deal.id, ...dealColumns(deal));
    for (let seq = 0; seq < h.length; seq++) insertVisit(ctx, pending, deal, seq, h[seq]!);
    if (after !== null && ctx.recent.has(deal.id)) after.push(readAfterSave(deal, []));
    return true;
  }
  const columns = dealColumns(deal, start);
  let updated: number;
  if (deal.layoutId === head[2]) updated = sql.dealUpdateSameLayout.run(...columns.slice(1), tenantId, deal.id, head[0]).changes;
  else {
    updated = sql.dealUpdate.run(...columns, tenantId, deal.id, head[0]).changes;
    sql.visitsRelayout.run(deal.layoutId, tenantId, deal.id);
  }
  // A head taken from what this object knows, not read in this transaction: the version check is the UPDATE's.
  if (updated !== 1) return false;
  const stored = storedVisits(ctx, deal, head, start);
  // The deal's version rose: its tail read is stale.
  if (ctx.tails.size > 0) ctx.tails.delete(deal.id);
  if (after !== null && ctx.recent.has(deal.id)) {
    // Only a whole history is remembered as the deal's stored visits.
    if (start === 0 && stored.from === 0) after.push(readAfterSave(deal, stored.visits));
    else ctx.recent.delete(deal.id);
  }
  if (start + h.length < head[1]) sql.visitsTrim.run(tenantId, deal.id, start + h.length);
  for (let i = 0; i < h.length; i++) {
    const seq = start + i;
    const v = h[i]!;
    const old = stored.visits[seq - stored.from];
    if (old === undefined) insertVisit(ctx, pending, deal, seq, v);
    else if (old === v) continue;
    else if (!sameExceptExit(old, v)) sql.visitUpsert.run(...visitParams(tenantId, deal, seq, v));
    else if (old.exitedAt !== v.exitedAt) {
      const keys = pending.exits.get(v.exitedAt);
      if (keys) keys.push([deal.id, seq]);
      else pending.exits.set(v.exitedAt, [[deal.id, seq]]);
    }
  }
  return true;
}

/**
 * The heads of deals this object read (or saved) at their expected versions, without reading
 * them: each UPDATE checks its version. Undefined when one of them is new or not known so.
 */
function knownHeads(ctx: Context, changes: readonly Change[]): Head[] | undefined {
  const heads = new Array<Head>(changes.length);
  for (let i = 0; i < changes.length; i++) {
    const { deal, expectedVersion, start } = changes[i]!;
    const read = expectedVersion === null ? undefined : readAt(ctx, deal, expectedVersion, start);
    if (read === undefined) return undefined;
    heads[i] = [read.version, read.start + read.visits.length, read.layoutId];
  }
  return heads;
}

/** The stored heads, read in this transaction; throws `conflict` naming every deal not at its expected version. */
function readHeads(ctx: Context, changes: readonly Change[]): (Head | undefined)[] {
  const heads: (Head | undefined)[] = new Array(changes.length);
  const conflicts: string[] = [];
  const stored = changes.length === 1 ? null : headsOf(ctx, changes);
  for (let i = 0; i < changes.length; i++) {
    const { deal, expectedVersion } = changes[i]!;
    const head = stored ? stored.get(deal.id) : (ctx.sql.dealHead.get(ctx.tenantId, deal.id) as Head | undefined);
    if ((head?.[0] ?? null) !== expectedVersion) conflicts.push(deal.id);
    heads[i] = head;
  }
  if (conflicts.length > 0) throw conflict(conflicts);
  return heads;
}

/**
 * After the UPDATE of `changes[from]` found another version: that deal and every later one not
 * at its expected version (the ones before were written over their expected versions).
 */
function conflictsFrom(ctx: Context, changes: readonly Change[], from: number): string[] {
  const rest = changes.slice(from);
  const stored = headsOf(ctx, rest);
  const ids: string[] = [];
  for (const { deal, expectedVersion } of rest) if ((stored.get(deal.id)?.[0] ?? null) !== expectedVersion) ids.push(deal.id);
  return ids;
}

function conflict(ids: string[]): PipelineError {
  return new PipelineError('conflict', `deals changed since they were read: ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`, { ids });
}

/**
 * The body of a deal save, run inside one IMMEDIATE transaction: the workspace version and every
 * deal version are checked (deals this object read at their expected versions by their UPDATE
 * `WHERE version = ?`, others by one SELECT of their heads before anything is written); a
 * conflict throws, naming every deal not at its expected version, and rolls back. Returns the
 * reads to remember once the transaction committed.
 */
export function saveDealsInTransaction(ctx: Context, input: readonly DealChange[], options: DealSaveOptions): DealRead[] {
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
  const heads = knownHeads(ctx, changes) ?? readHeads(ctx, changes);
  const pending: Pending = { inserts: [], exits: new Map() };
  const after: DealRead[] = [];
  for (let i = 0; i < changes.length; i++) {
    if (!writeDeal(ctx, pending, changes[i]!, heads[i], ctx.validate ? null : after)) throw conflict(conflictsFrom(ctx, changes, i));
  }
  flush(ctx, pending);
  writeEvents(ctx, options.events ?? [], 'options.events');
  return after;
}
