import { PipelineError } from '../../errors.js';
import type { Deal, FieldChange, StageVisit } from '../../model/deal.js';
import type { DealChange, DealSaveOptions } from '../../ports/repositories.js';
import { checkChangeList, checkSaveOptions, type CheckedDealChange } from '../../ports/dealChanges.js';
import { knownRead, sameExceptExit } from '../storedRows.js';
import { freezeRead, type Context, type Head, type StoredRead } from './context.js';
import { writeEvents } from './outbox.js';
import { checkDeal, visitFromRow } from './rows.js';
import { workspaceVersion } from './workspace.js';
import { writeRows, type Rows } from './writeRows.js';

/** A checked change: the deal, the version it was read at, where its history starts in the stored one, and its index in the save. */
type Change = CheckedDealChange;

/** Whether a read holds what was stored at `version` from position `start` on (and `visitCount` visits in all, when given). */
function holds(read: StoredRead | undefined, version: number, start: number, visitCount: number | undefined): read is StoredRead {
  return read !== undefined && read.version === version && read.start <= start && (visitCount === undefined || read.start + read.visits.length === visitCount);
}

/** What this object knows was stored for a deal at `version` from position `start` on: its recent entry, the read its first visit came from, or its tail. */
function readAt(ctx: Context, deal: Deal, version: number, start: number, visitCount?: number): StoredRead | undefined {
  const recent = ctx.recent.get(deal.id);
  if (holds(recent, version, start, visitCount)) return recent;
  const known = knownRead(ctx.known, deal) as StoredRead | undefined;
  if (holds(known, version, start, visitCount)) return known;
  if (ctx.tails.size === 0) return undefined;
  const tail = ctx.tails.get(deal.id);
  return holds(tail, version, start, visitCount) ? tail : undefined;
}

/** Whether `log` is the read's change log plus entries after it (reducers only append; entries handed out are frozen). */
function extendsLog(read: readonly FieldChange[] | undefined, log: readonly FieldChange[] | undefined): boolean {
  if (read === undefined || log === undefined || log.length < read.length) return false;
  return read.length === 0 || log[read.length - 1] === read[read.length - 1];
}

function checkChanges(ctx: Context, changes: readonly DealChange[]): Change[] {
  const checked = checkChangeList(changes, (deal, path) => {
    // Visits and log entries this object read at the stored version were checked when read.
    const read = knownRead(ctx.known, deal as Deal) as StoredRead | undefined;
    const log = (deal as { changes?: FieldChange[] } | null)?.changes;
    checkDeal(deal, path, 0, read?.visits, read && extendsLog(read.changes, log) ? read.changes!.length : 0);
  });
  // Rows are written in id order, so that saves over the same deals take their locks in one order.
  return checked.sort((a, b) => (a.deal.id < b.deal.id ? -1 : a.deal.id > b.deal.id ? 1 : 0));
}

/** The stored heads of these deals, by id: one SELECT. */
function headsOf(ctx: Context, changes: readonly Change[]): Map<string, Head> {
  const heads = new Map<string, Head>();
  const rows = ctx.sql.dealHeads.all(ctx.tenantId, JSON.stringify(changes.map((c) => c.deal.id))) as [string, number, number, string, number | null][];
  for (const r of rows) heads.set(r[0], [r[1], r[2], r[3], r[4]]);
  return heads;
}

/** The heads of deals this object read at their expected versions, without reading them (the UPDATE checks each version); undefined when one is not known so. */
function knownHeads(ctx: Context, changes: readonly Change[]): Head[] | undefined {
  const heads = new Array<Head>(changes.length);
  for (let i = 0; i < changes.length; i++) {
    const { deal, expectedVersion, start } = changes[i]!;
    const read = expectedVersion === null ? undefined : readAt(ctx, deal, expectedVersion, start);
    if (read === undefined) return undefined;
    heads[i] = [read.version, read.start + read.visits.length, read.layoutId, read.changes === undefined ? null : read.changes.length];
  }
  return heads;
}

function conflict(ids: string[]): PipelineError {
  return new PipelineError('conflict', `deals changed since they were read: ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`, { ids });
}

/** The deals not at their expected versions (after an UPDATE found fewer rows than it should). */
function conflicts(ctx: Context, changes: readonly Change[]): string[] {
  const stored = headsOf(ctx, changes);
  return changes.filter((c) => (stored.get(c.deal.id)?.[0] ?? null) !== c.expectedVersion).map((c) => c.deal.id);
}

/** The stored heads, read in this transaction; throws `conflict` naming every deal not at its expected version. */
function readHeads(ctx: Context, changes: readonly Change[]): (Head | undefined)[] {
  const one = changes.length === 1 ? (ctx.sql.dealHead.get(ctx.tenantId, changes[0]!.deal.id) as Head | undefined) : undefined;
  const stored = changes.length === 1 ? null : headsOf(ctx, changes);
  const heads = changes.map((c) => (stored ? stored.get(c.deal.id) : one));
  const ids = changes.filter((c, i) => (heads[i]?.[0] ?? null) !== c.expectedVersion).map((c) => c.deal.id);
  if (ids.length > 0) throw conflict(ids);
  return heads;
}

/** The stored visits of deals this object does not know at their stored version, from each one's start on: one SELECT. */
function unknownVisits(ctx: Context, changes: readonly Change[], heads: readonly (Head | undefined)[], reads: (StoredRead | undefined)[]): Map<string, StageVisit[]> {
  const wanted: [string, number][] = [];
  for (let i = 0; i < changes.length; i++) if (heads[i] !== undefined && reads[i] === undefined) wanted.push([changes[i]!.deal.id, changes[i]!.start]);
  const out = new Map<string, StageVisit[]>();
  if (wanted.length === 0) return out;
  for (const r of ctx.sql.visitsFrom.all(JSON.stringify(wanted), ctx.tenantId) as unknown[][]) {
    const id = r[0] as string;
    let list = out.get(id);
    if (!list) out.set(id, (list = []));
    list.push(visitFromRow(r, 2));
  }
  return out;
}

const stored0 = (x: number) => (x === 0 ? 0 : x);

/** A visit as a read of its row gives it back (a zero has no sign in SQLite). */
function storedVisit(v: StageVisit): StageVisit {
  return {
    pipelineId: v.pipelineId, stageId: v.stageId, enteredAt: stored0(v.enteredAt), exitedAt: v.exitedAt === null ? null : stored0(v.exitedAt),
    amount: v.amount === null ? null : stored0(v.amount), probability: stored0(v.probability),
    expectedRevenue: v.expectedRevenue === null ? null : stored0(v.expectedRevenue), closingDate: v.closingDate,
    forecastCategory: v.forecastCategory, outcome: v.outcome, by: v.by, bypassedRules: v.bypassedRules,
  };
}

/** The read a save leaves behind: the deal's visits and log as now stored, reusing the frozen visits that were stored unchanged. */
function readAfterSave(deal: Deal, stored: readonly StageVisit[]): StoredRead {
  const h = deal.history;
  const visits = new Array<StageVisit>(h.length);
  for (let i = 0; i < h.length; i++) visits[i] = h[i] === stored[i] ? stored[i]! : storedVisit(h[i]!);
  return freezeRead({ ...deal, history: visits, ...(deal.changes === undefined ? {} : { changes: deal.changes.map((c) => ({ ...c })) }) }, 0);
}

/** Plans the rows of one change into `rows`: the deal row, the visit rows that differ, the new change-log entries. */
function planChange(ctx: Context, rows: Rows, change: Change, head: Head | undefined, read: StoredRead | undefined, loaded: Map<string, StageVisit[]>): void {
  const { deal, start } = change;
  const h = deal.history;
  if (head === undefined) {
    rows.insertDeal(deal, h.length);
    for (let seq = 0; seq < h.length; seq++) rows.insertVisit(deal, seq, h[seq]!);
    rows.appendChanges(deal, 0);
    return;
  }
  if (start > head[1]) {
    const path = `changes[${change.index}].historyStart`;
    throw new PipelineError('invalid_input', `${path}: ${start} is past the ${head[1]} stored visits of deal ${deal.id}`, { path, dealId: deal.id });
  }
  rows.updateDeal(deal, start + h.length, head[0], read?.row);
  if (deal.layoutId !== head[2]) rows.relayout(deal);
  if (start + h.length < head[1]) rows.trimVisits(deal, start + h.length);
  const from = read ? read.start : start;
  const visits = read ? read.visits : (loaded.get(deal.id) ?? []);
  for (let i = 0; i < h.length; i++) {
    const seq = start + i;
    const v = h[i]!;
    const old = visits[seq - from];
    if (old === undefined) rows.insertVisit(deal, seq, v);
    else if (old === v) continue;
    else if (!sameExceptExit(old, v)) rows.upsertVisit(deal, seq, v);
    else if (old.exitedAt !== v.exitedAt) rows.closeVisit(deal.id, seq, v.exitedAt);
  }
  // The log is appended past the stored count when it extends the one this object read at that version; else rewritten.
  const count = head[3];
  if (deal.changes === undefined) {
    if (count !== null && count > 0) rows.dropChanges(deal.id);
  } else if (count === null || count === 0) rows.appendChanges(deal, 0);
  else if (read !== undefined && read.changes?.length === count && extendsLog(read.changes, deal.changes)) rows.appendChanges(deal, count);
  else {
    rows.dropChanges(deal.id);
    rows.appendChanges(deal, 0);
  }
}

/**
 * The body of a deal save, run inside one IMMEDIATE transaction: the workspace version and every
 * deal version are checked (deals this object read at their expected versions by their UPDATE's
 * `version = expected`, others by one SELECT of their heads before anything is written); a
 * conflict throws, naming every deal not at its expected version, and rolls back. The rows are
 * written set-based: a constant number of statements per chunk, whatever its size. Returns the
 * reads to remember once the transaction committed.
 */
export function saveDealsInTransaction(ctx: Context, input: readonly DealChange[], options: DealSaveOptions | undefined): StoredRead[] {
  const changes = checkChanges(ctx, input);
  const { events, workspaceVersion: expected } = checkSaveOptions(options);
  if (expected !== undefined) {
    const stored = workspaceVersion(ctx);
    if (stored !== expected) {
      throw new PipelineError('conflict', `deals: the workspace changed since the decision (stored version ${stored}, expected ${expected})`, {
        ids: [],
        workspaceVersion: { stored, expected },
      });
    }
  }
  const known = knownHeads(ctx, changes);
  const heads = known ?? readHeads(ctx, changes);
  const reads = changes.map((c, i) => (heads[i] === undefined ? undefined : readAt(ctx, c.deal, heads[i]![0], c.start, heads[i]![1])));
  const loaded = unknownVisits(ctx, changes, heads, reads);
  const rows = writeRows(ctx);
  for (let i = 0; i < changes.length; i++) planChange(ctx, rows, changes[i]!, heads[i], reads[i], loaded);
  // Heads taken from what this object knows, not read in this transaction: the version check is the UPDATE's.
  if (rows.flush() !== 0) throw conflict(conflicts(ctx, changes));
  writeEvents(ctx, events, 'options.events');
  const after: StoredRead[] = [];
  for (let i = 0; i < changes.length; i++) {
    const { deal, start } = changes[i]!;
    // The deal's version rose: its tail read is stale; only a whole history is remembered as the stored one.
    if (ctx.tails.size > 0) ctx.tails.delete(deal.id);
    if (ctx.validate || !ctx.recent.has(deal.id)) continue;
    const read = reads[i];
    if (start === 0 && (heads[i] === undefined || (read !== undefined && read.start === 0))) after.push(readAfterSave(deal, read?.visits ?? []));
    else ctx.recent.delete(deal.id);
  }
  return after;
}
